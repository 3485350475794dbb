/**
 * A hixie-75/76 WebSocket client for the tests, on raw `net`/`tls` sockets:
 * no browser left speaks these drafts. It writes the handshake as the
 * drafts describe it, checks the server's answer (status, origin, location,
 * the MD5 challenge), and speaks 0.6 frames inside `0x00 … 0xFF`.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { decodePayload, encodeFrame } from '../../src/protocols/v06/codec';
import type { TestClient } from './test-client';
import { waitFor } from './test-client';

export interface HixieClientOptions {
  draft: 75 | 76;
  transport?: 'websocket' | 'flashsocket';
  tls?: boolean;
  resource?: string;
  origin?: string | null;
  answerHeartbeats?: boolean;
  /** hixie-76: how key3 goes out: with the headers, in a later packet (split after `n` bytes), or never. */
  key3?: 'with-headers' | { splitAt: number } | 'never';
  /** Extra header lines, as `Name: value`. */
  extraHeaders?: string[];
}

/** A hixie-76 key: `number × spaces` with the spaces and some noise characters mixed in. */
function makeKey(): { key: string; number: number } {
  const spaces = randomInt(1, 13);
  const number = randomInt(0, Math.floor(0xffffffff / spaces));
  const chars = String(number * spaces).split('');
  const noise = '!"#$%&\'()*+,-./:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
  for (let i = randomInt(1, 13); i > 0; i--) chars.splice(randomInt(0, chars.length + 1), 0, noise[randomInt(0, noise.length)]);
  // Spaces never first or last: a header value's edges are trimmed.
  for (let i = 0; i < spaces; i++) chars.splice(randomInt(1, chars.length), 0, ' ');
  return { key: chars.join(''), number };
}

/** The answer the draft says a server must give, worked out the client's way. */
function expectedAnswer(number1: number, number2: number, key3: Buffer): Buffer {
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(number1, 0);
  challenge.writeUInt32BE(number2, 4);
  key3.copy(challenge, 8);
  return createHash('md5').update(challenge).digest();
}

export class HixieClient implements TestClient {
  readonly transport: 'websocket' | 'flashsocket';
  readonly socket: Socket;
  sessionId = '';
  readonly messages: string[] = [];
  readonly heartbeats: string[] = [];
  /** Every text frame as it came, before 0.6 decoding. */
  readonly frames: string[] = [];
  /** The response head, once read. */
  responseHead = '';
  status = 0;
  readonly responseHeaders = new Map<string, string>();
  /** The server sent `0xFF 0x00`. */
  closingFrameReceived = false;
  /** The TCP connection is closed. */
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;
  /** The handshake is answered (101 and, for 76, the challenge answer checked). */
  readonly handshaken: Promise<void>;
  isClosed = false;
  handshakeError: Error | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #phase: 'head' | 'answer' | 'frames' = 'head';
  #expected: Buffer | null = null;
  #key3 = randomBytes(8);
  #connected!: () => void;
  #handshaken!: () => void;

  constructor(
    readonly port: number,
    readonly options: HixieClientOptions,
  ) {
    this.transport = options.transport ?? 'websocket';
    this.connected = new Promise((resolve) => (this.#connected = resolve));
    this.handshaken = new Promise((resolve) => (this.#handshaken = resolve));
    const onConnect = () => this.#writeHandshake();
    this.socket = options.tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, onConnect)
      : netConnect(port, '127.0.0.1', onConnect);
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  get path(): string {
    return `/${this.options.resource ?? 'socket.io'}/${this.transport}`;
  }

  #writeHandshake(): void {
    const { draft } = this.options;
    const origin = this.options.origin === undefined ? 'http://127.0.0.1' : this.options.origin;
    const lines = [`GET ${this.path} HTTP/1.1`, 'Upgrade: WebSocket', 'Connection: Upgrade', `Host: 127.0.0.1:${this.port}`];
    if (origin !== null) lines.push(`Origin: ${origin}`);
    if (draft === 76) {
      const key1 = makeKey();
      const key2 = makeKey();
      lines.push(`Sec-WebSocket-Key1: ${key1.key}`, `Sec-WebSocket-Key2: ${key2.key}`);
      this.#expected = expectedAnswer(key1.number, key2.number, this.#key3);
    }
    lines.push(...(this.options.extraHeaders ?? []));
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const key3 = this.options.key3 ?? 'with-headers';
    if (draft === 75 || key3 === 'never') this.socket.write(head);
    else if (key3 === 'with-headers') this.socket.write(Buffer.concat([head, this.#key3]));
    else {
      // Two packets: Nagle off so the second write is not merged into the first.
      this.socket.setNoDelay(true);
      this.socket.write(Buffer.concat([head, this.#key3.subarray(0, key3.splitAt)]));
      setImmediate(() => this.socket.write(this.#key3.subarray(key3.splitAt)));
    }
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    try {
      this.#parse();
    } catch (error) {
      this.handshakeError = error as Error;
      this.socket.destroy();
    }
  }

  #parse(): void {
    if (this.#phase === 'head') {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      this.responseHead = this.#buffer.subarray(0, end).toString('latin1');
      this.#buffer = this.#buffer.subarray(end + 4);
      const [statusLine, ...headerLines] = this.responseHead.split('\r\n');
      this.status = Number(statusLine.split(' ')[1]);
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        this.responseHeaders.set(line.substring(0, colon).toLowerCase(), line.substring(colon + 1).trim());
      }
      if (this.status !== 101) throw new Error(`handshake answered ${statusLine}`);
      this.#phase = this.options.draft === 76 ? 'answer' : 'frames';
      if (this.#phase === 'frames') this.#handshaken();
    }
    if (this.#phase === 'answer') {
      if (this.#buffer.length < 16) return;
      const answer = this.#buffer.subarray(0, 16);
      this.#buffer = this.#buffer.subarray(16);
      if (!this.#expected || !answer.equals(this.#expected)) throw new Error('wrong hixie-76 challenge answer');
      this.#phase = 'frames';
      this.#handshaken();
    }
    while (this.#buffer.length > 0) {
      const type = this.#buffer[0];
      if (type === 0xff) {
        if (this.#buffer.length < 2) return;
        if (this.#buffer[1] !== 0x00) throw new Error('unexpected length-prefixed frame from the server');
        this.closingFrameReceived = true;
        this.#buffer = this.#buffer.subarray(2);
        // The draft's answer to a closing frame: our own, then the TCP close.
        this.socket.end(Buffer.from([0xff, 0x00]));
        return;
      }
      if (type !== 0x00) throw new Error(`unexpected frame type ${type} from the server`);
      const end = this.#buffer.indexOf(0xff);
      if (end === -1) return;
      const text = this.#buffer.subarray(1, end).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 1);
      this.frames.push(text);
      this.#onPayload(text);
    }
  }

  #onPayload(payload: string): void {
    const { messages, error } = decodePayload(payload);
    if (error) throw new Error(`server sent a malformed payload (${error})`);
    for (const message of messages) {
      if (!this.sessionId) {
        this.sessionId = message;
        this.#connected();
      } else if (message.startsWith('~h~')) {
        this.heartbeats.push(message);
        if (this.options.answerHeartbeats !== false) void this.send(message).catch(() => undefined);
      } else this.messages.push(message);
    }
  }

  send(...texts: string[]): Promise<void> {
    return this.sendRaw(texts.map(encodeFrame).join(''));
  }

  sendRaw(payload: string): Promise<void> {
    const utf8 = Buffer.from(payload, 'utf8');
    return this.writeBytes(Buffer.concat([Buffer.from([0x00]), utf8, Buffer.from([0xff])]));
  }

  /** Writes bytes as they are: for hostile frames. */
  writeBytes(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed || !this.socket.writable) return reject(new Error('socket closed'));
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }

  async waitForMessages(count: number, timeoutMs = 5000): Promise<string[]> {
    await waitFor(() => this.messages.length >= count || this.isClosed, timeoutMs, `${count} messages on hixie-${this.options.draft}`);
    if (this.messages.length < count) throw new Error(`connection closed after ${this.messages.length} of ${count} messages`);
    return this.messages.slice(0, count);
  }

  /** Closes as a browser does: the closing frame (76), then the TCP close. */
  close(): void {
    if (this.socket.destroyed) return;
    if (this.options.draft === 76 && this.#phase === 'frames') this.socket.end(Buffer.from([0xff, 0x00]));
    else this.socket.end();
  }
}

/** Opens a hixie client and waits for its session id. */
export async function connectHixie(port: number, options: HixieClientOptions, timeoutMs = 5000): Promise<HixieClient> {
  const client = new HixieClient(port, options);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connected,
      client.closed.then(() => {
        throw new Error(`hixie-${options.draft} closed before it had a session id${client.handshakeError ? `: ${client.handshakeError.message}` : ''} (${client.responseHead.split('\r\n')[0] || 'no answer'})`);
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`hixie-${options.draft} handshake timed out`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
