/**
 * The server side of an RFC 6455 WebSocket, tornadio's own: the handshake,
 * reading frames, pings, and the closing handshake. Every protocol
 * generation's websocket transport runs on it (the 2010 drafts have theirs
 * in hixie.ts).
 *
 * Our own rather than `ws` on the server: a `ws` socket is an EventEmitter
 * with a Writable stream (its Receiver) and a Sender behind it, made and
 * wired for every connect. Here a connection is one object whose reader
 * works on the TCP socket's own chunks, and whose events go to one listener
 * object: about a fifth less server CPU per connect and a third less heap
 * per idle connection than with `ws`, measured with `npm run bench` (the
 * README's benchmark section). tornadio never compresses (no extensions are
 * offered or accepted), so none of permessage-deflate is here.
 */
import * as crypto from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { RequestError } from '../errors';
import { encodeControlFrame, encodeFrame, writeFrame } from './frame-writer';
import { header } from './headers';
import type { RequestHead } from '../http/request-info';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A key is 16 random bytes in base64 (§4.1): 22 characters and `==`. */
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 7230 §3.2.6), the shape of a subprotocol name. */
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const OPCODE_CONTINUATION = 0x0;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

export const CLOSE_NORMAL = 1000;
/** Nothing in the close frame; never sent on the wire (§7.4.1). */
const CLOSE_NO_STATUS = 1005;
/** The connection ended without a close frame; never sent on the wire. */
const CLOSE_ABNORMAL = 1006;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_INVALID_PAYLOAD = 1007;
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** A message may come in at most this many fragments: each is an object held until the last, so their count is bounded as well as their bytes. */
const MAX_FRAGMENTS = 1024;
/** How long a peer has to answer our close frame (or to close its side) before the connection is cut, unless the caller says otherwise. */
const CLOSE_TIMEOUT_MS = 10_000;
/** The longest frame header: 2 bytes, a 64-bit length and the mask. */
const MAX_HEADER_BYTES = 14;

/** Receives what one websocket brings. Methods of one object rather than callbacks: nothing is allocated per connection for them. */
export interface WebSocketListener {
  /** One whole message: text (already checked to be UTF-8) or binary. */
  onWebSocketMessage(socket: ServerWebSocket, data: Buffer, binary: boolean): void;
  /** The peer broke the protocol or a limit; the socket is closing with `code`. For the owner's log. */
  onWebSocketError(socket: ServerWebSocket, reason: string, code: number): void;
  /** The TCP connection is gone, whoever ended it; called once. `code` is the peer's close code, 1006 when it sent none. */
  onWebSocketClose(socket: ServerWebSocket, code: number): void;
}

/** The subprotocol we answer: the client's first, as `ws` picks it. */
function chosenSubprotocol(offered: string | undefined): string | null {
  if (offered === undefined) return null;
  const first = offered.split(',')[0].trim();
  if (!TOKEN_PATTERN.test(first)) throw new RequestError('BAD_REQUEST', 'invalid Sec-WebSocket-Protocol header');
  return first;
}

/**
 * The 101 answer to an RFC 6455 handshake (§4.2.2). Throws a RequestError,
 * before anything is written, for a request no client would send: the caller
 * refuses it on its one refusal path.
 */
function handshakeResponse(req: RequestHead): string {
  if (req.method !== 'GET') throw new RequestError('METHOD_NOT_ALLOWED', 'a websocket handshake is a GET');
  if (header(req.headers, 'upgrade')?.toLowerCase() !== 'websocket') throw new RequestError('BAD_REQUEST', 'invalid Upgrade header');
  const key = header(req.headers, 'sec-websocket-key');
  if (key === undefined || !KEY_PATTERN.test(key)) throw new RequestError('BAD_REQUEST', 'missing or invalid Sec-WebSocket-Key header');
  const version = header(req.headers, 'sec-websocket-version');
  // 8 is hybi-10 (Chrome 14–15, Firefox 7–10): the same framing as 13.
  if (version !== '13' && version !== '8') throw new RequestError('BAD_REQUEST', 'missing or unsupported Sec-WebSocket-Version (13 and 8 are spoken)');
  const accept = sha1Base64(key + ACCEPT_GUID);
  const subprotocol = chosenSubprotocol(header(req.headers, 'sec-websocket-protocol'));
  return (
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n${subprotocol === null ? '' : `Sec-WebSocket-Protocol: ${subprotocol}\r\n`}\r\n`
  );
}

/** `crypto.hash` where Node has it (20.12+): one call, no Hash object; a Hash on older Nodes. */
const sha1Base64: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha1', text, 'base64') : (text) => crypto.createHash('sha1').update(text).digest('base64');

function onTcpData(this: Duplex & Carrier, chunk: Buffer): void {
  this[CONNECTION]?.receive(chunk);
}
function onTcpEnd(this: Duplex & Carrier): void {
  this[CONNECTION]?.peerEnded();
}
function onTcpClose(this: Duplex & Carrier): void {
  this[CONNECTION]?.tcpClosed();
}
function onTcpError(this: Duplex): void {
  // The 'close' that follows tells the listener; there is nothing to answer on a broken socket.
  this.destroy();
}

/** Where a TCP socket keeps its websocket, so the listener functions above serve every connection. */
const CONNECTION = Symbol('tornadio.websocket');
interface Carrier {
  [CONNECTION]?: ServerWebSocket;
}

/**
 * Answers an RFC 6455 handshake on an upgraded socket. The 101 goes out with
 * the first frame sent, in one Buffer and one write (the first write of a
 * connection costs the most: a writev of two would cost more than the 101),
 * or alone at `completeHandshake`, which the caller calls at the end of the
 * tick it accepted the socket in. Messages are read from `listen` on,
 * including any that came with the request (`head`). Throws a RequestError
 * for a handshake to refuse; nothing is written then.
 */
export function acceptWebSocket(req: RequestHead, tcp: Duplex, head: Buffer, maxPayload: number, closeTimeoutMs = CLOSE_TIMEOUT_MS): ServerWebSocket | null {
  const response = handshakeResponse(req);
  if (!tcp.readable || !tcp.writable) {
    tcp.destroy();
    return null;
  }
  return new ServerWebSocket(tcp, head, maxPayload, response, closeTimeoutMs);
}

/** One open RFC 6455 connection, server side. */
export class ServerWebSocket {
  #listener: WebSocketListener | null = null;
  /** Bytes read but not yet parsed into a frame: chunks as they came, and their total. */
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** The fragments of a message that has not had its last frame yet. */
  #fragments: Buffer[] | null = null;
  #fragmentBytes = 0;
  #fragmentBinary = false;
  #closeSent = false;
  #closeReceived = false;
  /** The peer broke the protocol: nothing more of what it sends is read. */
  #failed = false;
  #done = false;
  #peerCode = CLOSE_ABNORMAL;
  #closeTimer: NodeJS.Timeout | null = null;
  /** The 101 response, until it is written (with the first frame, or by completeHandshake). */
  #response: string | null;

  constructor(
    /** The TCP (or TLS) socket under it. */
    readonly tcp: Duplex,
    head: Buffer,
    private readonly maxPayload: number,
    response: string,
    private readonly closeTimeoutMs: number,
  ) {
    const socket = tcp as Partial<Socket> & Duplex & Carrier;
    // What the HTTP server armed for the request must not cut a long-lived socket; frames go out at once.
    if (socket.timeout) socket.setTimeout?.(0);
    socket.setNoDelay?.(true);
    socket[CONNECTION] = this;
    tcp.on('data', onTcpData);
    tcp.on('end', onTcpEnd);
    tcp.on('close', onTcpClose);
    tcp.on('error', onTcpError);
    this.#response = response;
    if (head.length > 0) this.#hold(head);
  }

  /** Writes the 101 if no frame has taken it along yet. */
  completeHandshake(): void {
    const response = this.#response;
    if (response === null) return;
    this.#response = null;
    if (this.tcp.writable) this.tcp.write(response, 'latin1');
  }

  /** Writes `frame`, behind the 101 when that has not gone out yet. */
  #write(frame: Buffer): void {
    const response = this.#response;
    if (response === null) {
      this.tcp.write(frame);
      return;
    }
    this.#response = null;
    const joined = Buffer.allocUnsafe(response.length + frame.length);
    joined.write(response, 0, 'latin1');
    // Uint8Array's set rather than Buffer's copy: no argument checks in JavaScript on the way.
    joined.set(frame, response.length);
    this.tcp.write(joined);
  }

  /** From now on messages, errors and the close go to `listener`, starting with what is already here. A later call hands the socket to another. */
  listen(listener: WebSocketListener): void {
    this.#listener = listener;
    if (this.#buffered > 0) this.#parse();
  }

  /** Data frames may still be sent: no close frame has gone out or come in. */
  get isOpen(): boolean {
    return !this.#closeSent && !this.#closeReceived && !this.#done;
  }

  /** Bytes written but not yet handed to the kernel (a peer that stopped reading). */
  get bufferedAmount(): number {
    return this.tcp.writableLength;
  }

  /** Sends one message; false when the socket is closing and nothing was sent. */
  send(payload: string | Buffer, binary = false): boolean {
    if (!this.isOpen) return false;
    if (this.#response !== null) this.#write(encodeFrame(payload, binary));
    else writeFrame(this.tcp, payload, binary);
    return true;
  }

  /** Sends a frame made by `encodeFrame` (the same Buffer may go to many sockets); false when the socket is closing. */
  sendFrame(frame: Buffer): boolean {
    if (!this.isOpen) return false;
    this.#write(frame);
    return true;
  }

  /** Starts the closing handshake; the connection ends when the peer answers, or after the close timeout. */
  close(code = CLOSE_NORMAL, reason = ''): void {
    if (this.#closeSent || this.#done) return;
    this.#closeSent = true;
    const body = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    // A close reason is at most 123 bytes (a control frame's 125, less the code).
    this.#writeControl(OPCODE_CLOSE, body.subarray(0, 125));
    if (this.#closeReceived || this.#failed) this.tcp.end();
    else this.#armCloseTimer();
  }

  /** Drops the connection without a goodbye (a peer that would never read one). */
  terminate(): void {
    this.tcp.destroy();
  }

  // ---- what the TCP socket reports (through the shared functions above) ----

  receive(chunk: Buffer): void {
    if (this.#failed || this.#closeReceived) return;
    this.#hold(chunk);
    if (this.#listener) this.#parse();
  }

  /** The peer closed its side without a close frame, or after its own: ours follows. */
  peerEnded(): void {
    if (!this.tcp.writableEnded) this.tcp.end();
    this.#armCloseTimer();
  }

  tcpClosed(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
    this.#chunks = [];
    this.#buffered = 0;
    this.#fragments = null;
    (this.tcp as Duplex & Carrier)[CONNECTION] = undefined;
    this.#listener?.onWebSocketClose(this, this.#peerCode);
  }

  // ---- reading frames (§5.2) ----

  #hold(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /** Reads every whole frame held; what is left waits for more bytes. */
  #parse(): void {
    while (this.#buffered >= 2 && !this.#failed && !this.#closeReceived && !this.#done) {
      let first = this.#chunks[0];
      if (first.length < MAX_HEADER_BYTES && this.#chunks.length > 1) first = this.#joinHeader();
      const lead = first[0];
      const second = first[1];
      const opcode = lead & 0x0f;
      const fin = (lead & 0x80) !== 0;
      if ((lead & 0x70) !== 0) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a frame with RSV bits set (no extension was agreed)');
      if ((second & 0x80) === 0) return this.#fail(CLOSE_PROTOCOL_ERROR, 'an unmasked frame from the client');
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.#buffered < 4) return;
        length = first.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.#buffered < 10) return;
        const high = first.readUInt32BE(2);
        // Past 2^53 a length is no number we could hold; any limit is far below.
        length = high > 0x1fffff ? Infinity : high * 2 ** 32 + first.readUInt32BE(6);
        offset = 10;
      }
      if (opcode >= OPCODE_CLOSE) {
        if (!fin) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a fragmented control frame');
        if (length > 125) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a control frame longer than 125 bytes');
        if (opcode > OPCODE_PONG) return this.#fail(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
      } else {
        if (opcode > OPCODE_BINARY) return this.#fail(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
        if (opcode === OPCODE_CONTINUATION && this.#fragments === null) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a continuation frame with no message to continue');
        if (opcode !== OPCODE_CONTINUATION && this.#fragments !== null) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a new message before the last one ended');
        // Checked on the header, before any of the payload is held: an announced length over the limit is refused unread.
        if (this.#fragmentBytes + length > this.maxPayload) return this.#fail(CLOSE_MESSAGE_TOO_BIG, `a message over maxPayload (${this.maxPayload} bytes)`);
      }
      const frameLength = offset + 4 + length;
      if (this.#buffered < frameLength) return;
      const frame = this.#take(frameLength);
      const payload = frame.subarray(offset + 4);
      unmask(payload, frame, offset);
      if (opcode >= OPCODE_CLOSE) this.#control(opcode, payload);
      else this.#data(opcode, fin, payload);
    }
  }

  /** A header split across chunks (rare): its first chunks joined into one, just enough of them to hold any header. */
  #joinHeader(): Buffer {
    let count = 0;
    let bytes = 0;
    while (count < this.#chunks.length && bytes < MAX_HEADER_BYTES) bytes += this.#chunks[count++].length;
    const joined = Buffer.concat(this.#chunks.slice(0, count), bytes);
    this.#chunks.splice(0, count, joined);
    return joined;
  }

  /** The first `length` held bytes, as one Buffer: a view when they lie in one chunk. */
  #take(length: number): Buffer {
    this.#buffered -= length;
    const first = this.#chunks[0];
    if (first.length === length) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > length) {
      this.#chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const taken = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.#chunks[0];
      const wanted = length - filled;
      if (chunk.length <= wanted) {
        chunk.copy(taken, filled);
        filled += chunk.length;
        this.#chunks.shift();
      } else {
        chunk.copy(taken, filled, 0, wanted);
        this.#chunks[0] = chunk.subarray(wanted);
        filled = length;
      }
    }
    return taken;
  }

  #data(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode !== OPCODE_CONTINUATION) this.#fragmentBinary = opcode === OPCODE_BINARY;
    let message = payload;
    if (!fin || this.#fragments !== null) {
      const fragments = (this.#fragments ??= []);
      if (payload.length > 0) fragments.push(payload);
      this.#fragmentBytes += payload.length;
      if (fragments.length > MAX_FRAGMENTS) return this.#fail(CLOSE_MESSAGE_TOO_BIG, `a message in more than ${MAX_FRAGMENTS} fragments`);
      if (!fin) return;
      message = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments, this.#fragmentBytes);
      this.#fragments = null;
      this.#fragmentBytes = 0;
    }
    const binary = this.#fragmentBinary;
    if (!binary && !isUtf8(message)) return this.#fail(CLOSE_INVALID_PAYLOAD, 'a text message that is not UTF-8');
    this.#listener?.onWebSocketMessage(this, message, binary);
  }

  #control(opcode: number, payload: Buffer): void {
    if (opcode === OPCODE_PING) {
      if (this.isOpen) this.#writeControl(OPCODE_PONG, payload);
      return;
    }
    if (opcode === OPCODE_PONG) return;
    // Close (§5.5.1): a code of two bytes, or nothing; a reason in UTF-8.
    if (payload.length === 1) return this.#fail(CLOSE_PROTOCOL_ERROR, 'a close frame of one byte');
    const code = payload.length === 0 ? CLOSE_NO_STATUS : payload.readUInt16BE(0);
    if (payload.length > 0 && !isValidCloseCode(code)) return this.#fail(CLOSE_PROTOCOL_ERROR, `invalid close code ${code}`);
    if (!isUtf8(payload.subarray(2))) return this.#fail(CLOSE_INVALID_PAYLOAD, 'a close reason that is not UTF-8');
    this.#closeReceived = true;
    this.#peerCode = code;
    this.#chunks = [];
    this.#buffered = 0;
    if (!this.#closeSent) {
      // Answered with the peer's own code, as `ws` does; then our side of the TCP connection ends.
      this.#closeSent = true;
      const answer = Buffer.allocUnsafe(code === CLOSE_NO_STATUS ? 0 : 2);
      if (answer.length > 0) answer.writeUInt16BE(code, 0);
      this.#writeControl(OPCODE_CLOSE, answer);
    }
    this.tcp.end();
    this.#armCloseTimer();
  }

  /** The peer broke the protocol: the listener hears why, a close frame with `code` goes out, and the connection ends. */
  #fail(code: number, reason: string): void {
    this.#failed = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#fragments = null;
    this.#listener?.onWebSocketError(this, reason, code);
    this.close(code);
    if (!this.tcp.writableEnded) this.tcp.end();
    this.#armCloseTimer();
  }

  #writeControl(opcode: number, payload: Buffer): void {
    if (this.tcp.writable) this.#write(encodeControlFrame(opcode, payload));
  }

  #armCloseTimer(): void {
    if (this.#closeTimer || this.#done) return;
    this.#closeTimer = setTimeout(() => this.tcp.destroy(), this.closeTimeoutMs);
    this.#closeTimer.unref();
  }
}

/** XORs a client frame's payload with its 4-byte mask (§5.3), in place; the mask is the 4 bytes at `maskOffset` of `frame`. */
function unmask(payload: Buffer, frame: Buffer, maskOffset: number): void {
  const m0 = frame[maskOffset];
  const m1 = frame[maskOffset + 1];
  const m2 = frame[maskOffset + 2];
  const m3 = frame[maskOffset + 3];
  const length = payload.length;
  const whole = length & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    payload[i] ^= m0;
    payload[i + 1] ^= m1;
    payload[i + 2] ^= m2;
    payload[i + 3] ^= m3;
  }
  if (i < length) payload[i++] ^= m0;
  if (i < length) payload[i++] ^= m1;
  if (i < length) payload[i] ^= m2;
}

/** The codes a peer may send (§7.4): the defined ones that go on the wire, and the ranges for libraries and applications. */
function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
