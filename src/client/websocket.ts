import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import WebSocket, { type RawData } from 'ws';
import { ClientError, networkError, statusError } from './errors';
import type { ClientTransport, TransportHost } from './transport';

/** Longest part of a refusal's body kept for the error message. */
const MAX_REASON_LENGTH = 1024;

/**
 * `websocket`: `ws://host:port/<resource>/websocket`. The session id is the
 * first frame the server sends; every websocket message is a payload of one
 * or more frames, both ways.
 */
export class WebSocketTransport implements ClientTransport {
  #socket: WebSocket | null = null;
  /** Set once the client closed or the end was reported: nothing more goes to the host. */
  #ended = false;
  /** The first failure seen, reported when the socket closes. */
  #error: ClientError | null = null;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly agent: Agent | undefined,
    private readonly host: TransportHost,
  ) {}

  open(): void {
    const socket = new WebSocket(this.url, { headers: this.headers, agent: this.agent, perMessageDeflate: false });
    socket.binaryType = 'nodebuffer';
    socket.on('message', this.#onMessage);
    socket.on('unexpected-response', this.#onUnexpectedResponse);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    this.#socket = socket;
  }

  setSessionId(): void {
    // The websocket URL carries no session id.
  }

  write(payload: string): void {
    const socket = this.#socket;
    if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(payload);
  }

  /** Closes the websocket (what was written before still goes out first). */
  close(): void {
    this.#ended = true;
    const socket = this.#socket;
    if (socket === null) return;
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else if (socket.readyState === WebSocket.OPEN) socket.close(1000);
  }

  readonly #onMessage = (data: RawData): void => {
    if (this.#ended) return;
    this.host.onPayload(rawToString(data));
  };

  /** The server refused the upgrade with a status: keep it (and the start of its reason) for the error. */
  readonly #onUnexpectedResponse = (_req: ClientRequest, res: IncomingMessage): void => {
    const socket = this.#socket;
    let body = '';
    const refuse = (): void => {
      this.#error ??= statusError(`websocket upgrade ${this.url}`, res.statusCode ?? 0, res.statusMessage ?? '', body);
      socket?.terminate();
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (body.length < MAX_REASON_LENGTH) body += chunk;
    });
    res.on('end', refuse);
    res.on('error', refuse);
    res.on('close', refuse);
  };

  readonly #onError = (error: Error): void => {
    this.#error ??= networkError(`websocket ${this.url}`, error);
  };

  readonly #onClose = (code: number): void => {
    this.#socket = null;
    if (this.#ended) return;
    this.#ended = true;
    if (this.#error) this.host.onEnd('error', this.#error);
    else this.host.onEnd('server', new ClientError('CLOSED', `the server closed the websocket ${this.url} (code ${code})`));
  };
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
