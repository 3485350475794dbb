/**
 * Minimal 0.6 protocol clients for the integration tests, one per transport
 * family, all with the same interface so one conformance suite can run
 * against every transport. They speak the wire format the real 0.6 client
 * speaks (the browser tests stay the judge of that).
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { decodePayload, encodeFrame } from '../../src/protocols/v06/codec';
import type { TransportName } from '../../src/protocols/v06/transport-names';

export interface ClientOptions {
  /** Echo `~h~n` heartbeats back automatically (as the real client does). */
  answerHeartbeats?: boolean;
  resource?: string;
  headers?: Record<string, string>;
}

/** What every test client offers. */
export interface TestClient {
  readonly transport: TransportName;
  readonly sessionId: string;
  /** Every message received after the session id, heartbeats excluded, in order. */
  readonly messages: string[];
  readonly heartbeats: string[];
  /** Resolves when the server ends the connection (or the session is refused). */
  readonly closed: Promise<void>;
  /** Sends message texts (already `~j~`-prefixed where JSON), framed, in one payload. */
  send(...texts: string[]): Promise<void>;
  /** Sends a raw payload, framing and all. */
  sendRaw(payload: string): Promise<void>;
  waitForMessages(count: number, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Waits for `predicate` to hold, checking on every event-loop turn; fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface HttpResult {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One HTTP request on loopback with a timeout; resolves with status, headers and the whole body. */
export function httpRequest(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 10000,
  signal?: AbortSignal,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function formBody(payload: string): string {
  return `data=${encodeURIComponent(payload)}`;
}

const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** Shared bookkeeping: session id first, heartbeats echoed, messages collected. */
abstract class BaseClient implements TestClient {
  sessionId = '';
  readonly messages: string[] = [];
  readonly heartbeats: string[] = [];
  readonly closed: Promise<void>;
  protected markClosed!: () => void;
  protected isClosed = false;
  #connected!: () => void;
  readonly connected: Promise<void>;

  constructor(
    readonly transport: TransportName,
    protected readonly port: number,
    protected readonly options: ClientOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.markClosed = () => {
        this.isClosed = true;
        resolve();
      };
    });
    this.connected = new Promise((resolve) => (this.#connected = resolve));
  }

  protected get base(): string {
    return `/${this.options.resource ?? 'socket.io'}/${this.transport}`;
  }

  protected onPayload(payload: string): void {
    if (payload === '') return;
    const { messages, error } = decodePayload(payload);
    if (error) throw new Error(`server sent a malformed payload (${error}): ${JSON.stringify(payload.slice(0, 200))}`);
    for (const message of messages) {
      if (!this.sessionId) {
        this.sessionId = message;
        this.#connected();
      } else if (message.startsWith('~h~')) {
        this.heartbeats.push(message);
        if (this.options.answerHeartbeats !== false) void this.send(message).catch(() => undefined);
      } else {
        this.messages.push(message);
      }
    }
  }

  send(...texts: string[]): Promise<void> {
    return this.sendRaw(texts.map(encodeFrame).join(''));
  }

  abstract sendRaw(payload: string): Promise<void>;
  abstract close(): void;

  async waitForMessages(count: number, timeoutMs = 5000): Promise<string[]> {
    await waitFor(() => this.messages.length >= count || this.isClosed, timeoutMs, `${count} messages on ${this.transport}`);
    if (this.messages.length < count) throw new Error(`connection closed after ${this.messages.length} of ${count} messages`);
    return this.messages.slice(0, count);
  }
}

export class WebSocketClient extends BaseClient {
  readonly socket: WebSocket;
  closeCode: number | null = null;

  constructor(transport: 'websocket' | 'flashsocket', port: number, options: ClientOptions = {}) {
    super(transport, port, options);
    this.socket = new WebSocket(`ws://127.0.0.1:${port}${this.base}`, { headers: options.headers });
    this.socket.on('message', (data) => this.onPayload(data.toString()));
    this.socket.on('close', (code) => {
      this.closeCode = code;
      this.markClosed();
    });
    this.socket.on('error', () => this.markClosed());
  }

  async sendRaw(payload: string): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.send(payload, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.socket.close();
  }
}

/** xhr-polling and jsonp-polling: a GET loop and POSTs. */
export class PollingClient extends BaseClient {
  static jsonpIndex = 0;
  readonly #index = PollingClient.jsonpIndex++;
  #stopped = false;
  readonly #abort = new AbortController();
  lastStatus = 0;
  pollCount = 0;

  constructor(transport: 'xhr-polling' | 'jsonp-polling', port: number, options: ClientOptions = {}) {
    super(transport, port, options);
    void this.#loop();
  }

  #pollPath(): string {
    const suffix = this.transport === 'jsonp-polling' ? `/${this.#index}` : '';
    return `${this.base}/${this.sessionId}/${Date.now()}${suffix}`;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      let result: HttpResult;
      try {
        result = await httpRequest(this.port, 'GET', this.#pollPath(), undefined, this.options.headers ?? {}, 30000, this.#abort.signal);
      } catch {
        break;
      }
      this.lastStatus = result.status;
      this.pollCount++;
      if (result.status !== 200) break;
      this.onPayload(this.transport === 'jsonp-polling' ? this.#unwrapJsonp(result.body) : result.body);
    }
    this.markClosed();
  }

  /** Runs the script the way a browser would, with an `io.JSONP` that records the call. */
  #unwrapJsonp(script: string): string {
    let payload: string | null = null;
    let calls = 0;
    const io = { JSONP: { [this.#index]: { _: (data: string) => ((payload = data), calls++) } } };
    new Function('io', script)(io);
    if (calls !== 1 || payload === null) throw new Error(`jsonp response called io.JSONP ${calls} times: ${script}`);
    return payload;
  }

  async sendRaw(payload: string): Promise<void> {
    const path = this.transport === 'jsonp-polling' ? `${this.base}/${this.sessionId}/${Date.now()}/${this.#index}` : `${this.base}/${this.sessionId}/send`;
    const result = await httpRequest(this.port, 'POST', path, formBody(payload), { ...FORM_HEADERS, ...(this.options.headers ?? {}) });
    if (result.status !== 200) throw new Error(`POST answered ${result.status}: ${result.body}`);
  }

  /** Vanishes: stops polling and drops the GET in flight, as a closed tab does. */
  close(): void {
    this.#stopped = true;
    this.#abort.abort();
  }
}

/** xhr-multipart and htmlfile: one long streaming GET, POSTs to /send. */
export class StreamingClient extends BaseClient {
  #buffer = '';
  #response: IncomingMessage | null = null;
  readonly #request;

  constructor(transport: 'xhr-multipart' | 'htmlfile', port: number, options: ClientOptions = {}) {
    super(transport, port, options);
    const path = transport === 'htmlfile' ? `${this.base}//${Date.now()}` : `${this.base}/`;
    this.#request = request({ host: '127.0.0.1', port, path, headers: options.headers }, (res) => {
      this.#response = res;
      if (res.statusCode !== 200) {
        res.resume();
        this.markClosed();
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.#buffer += chunk;
        this.#parse();
      });
      res.on('end', () => this.markClosed());
      res.on('close', () => this.markClosed());
    });
    this.#request.on('error', () => this.markClosed());
    this.#request.end();
  }

  #parse(): void {
    if (this.transport === 'htmlfile') {
      const pattern = /<script>parent\.s\._\(("(?:[^"\\]|\\.)*"), document\);<\/script>\n/g;
      let match: RegExpExecArray | null;
      let consumed = 0;
      while ((match = pattern.exec(this.#buffer))) {
        this.onPayload(JSON.parse(match[1]) as string);
        consumed = pattern.lastIndex;
      }
      this.#buffer = this.#buffer.substring(consumed);
      return;
    }
    const boundary = '\n--socketio\n';
    if (this.#buffer.startsWith('--socketio\n')) this.#buffer = this.#buffer.substring('--socketio\n'.length);
    let end: number;
    while ((end = this.#buffer.indexOf(boundary)) !== -1) {
      const part = this.#buffer.substring(0, end);
      this.#buffer = this.#buffer.substring(end + boundary.length);
      const bodyStart = part.indexOf('\n\n');
      this.onPayload(part.substring(bodyStart + 2));
    }
  }

  async sendRaw(payload: string): Promise<void> {
    const result = await httpRequest(this.port, 'POST', `${this.base}/${this.sessionId}/send`, formBody(payload), {
      ...FORM_HEADERS,
      ...(this.options.headers ?? {}),
    });
    if (result.status !== 200) throw new Error(`POST answered ${result.status}: ${result.body}`);
  }

  get statusCode(): number | undefined {
    return this.#response?.statusCode;
  }

  close(): void {
    this.#request.destroy();
  }
}

/** Opens a client of the given transport and waits for its session id. */
export async function connect(transport: TransportName, port: number, options: ClientOptions = {}, timeoutMs = 5000): Promise<TestClient & { connected: Promise<void> }> {
  let client: BaseClient;
  switch (transport) {
    case 'websocket':
    case 'flashsocket':
      client = new WebSocketClient(transport, port, options);
      break;
    case 'xhr-polling':
    case 'jsonp-polling':
      client = new PollingClient(transport, port, options);
      break;
    case 'xhr-multipart':
    case 'htmlfile':
      client = new StreamingClient(transport, port, options);
      break;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connected,
      client.closed.then(() => {
        throw new Error(`${transport} closed before it had a session id`);
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${transport} handshake timed out`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

// Keep-alive sockets must not hold a test file's worker open after its tests.
if (typeof afterAll === 'function') afterAll(() => agent.destroy());
