/**
 * The WebSocket drafts browsers and Flash spoke before RFC 6455:
 * hixie-76 (Safari 5, iOS 4.2–5.1, Chrome 6–13, Opera 11, web-socket-js
 * in socket.io 0.6's flashsocket) and hixie-75 (Chrome 4–5, Safari 5.0.0).
 * Protocol-neutral, so every Socket.IO generation's websocket transport can use it.
 *
 * Our own code rather than `websocket-driver`: its hixie parser keeps a frame
 * as a JS array of numbers, one push per byte, checks no UTF-8 and leaves a
 * missing key3 waiting forever. Here a frame is found with one `indexOf(0xFF)`
 * per chunk, held as the chunks it arrived in, bounded by the message limit.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHead } from '../http/request-info';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { header } from './headers';

export type HixieDraft = 75 | 76;

/** Why a handshake is not one we can answer: the caller refuses it with 400. */
export class HixieHandshakeError extends Error {}

const KEY3_BYTES = 8;
const TEXT_FRAME = 0x00;
const FRAME_END = 0xff;
const LENGTH_FRAME_BIT = 0x80;
/** `0xFF 0x00`: the hixie-76 closing handshake (hixie-75 has none; the TCP close is all). */
const CLOSING_FRAME = Buffer.from([0xff, 0x00]);
/** For a microtask without `queueMicrotask`'s AsyncResource (see FlushScheduler). */
const RESOLVED = Promise.resolve();

/**
 * Which draft a handshake speaks, or null for RFC 6455 (and for what is no
 * WebSocket handshake at all). `Sec-WebSocket-Key1/Key2` mean 76; no key at
 * all but an `Origin` (every 75 client sends it; a stray `Upgrade` without it
 * is garbage, not a 75 client) means 75.
 */
export function hixieDraftOf(headers: IncomingHttpHeaders): HixieDraft | null {
  if (headers['sec-websocket-key'] !== undefined || headers['sec-websocket-version'] !== undefined) return null;
  if (header(headers, 'upgrade')?.toLowerCase() !== 'websocket') return null;
  if (headers['sec-websocket-key1'] !== undefined || headers['sec-websocket-key2'] !== undefined) return 76;
  return headers.origin !== undefined ? 75 : null;
}

/** One of `Sec-WebSocket-Key1/2`: its digits divided by its spaces, a 32-bit number. */
function keyNumber(name: string, key: string | undefined): number {
  if (key === undefined) throw new HixieHandshakeError(`hixie-76 handshake without ${name}`);
  const digits = key.replace(/[^0-9]/g, '');
  const spaces = key.split(' ').length - 1;
  // 10 digits divided by at most 12 spaces fit 32 bits; more digits are no browser's.
  if (digits === '' || digits.length > 12 || spaces === 0) throw new HixieHandshakeError(`hixie-76 ${name} is malformed`);
  const number = Number(digits);
  if (number % spaces !== 0 || number / spaces > 0xffffffff) throw new HixieHandshakeError(`hixie-76 ${name} is not a multiple of its spaces`);
  return number / spaces;
}

/** The 16-byte hixie-76 challenge answer: MD5 of both key numbers (big-endian) and key3. */
export function hixie76Answer(key1: string | undefined, key2: string | undefined, key3: Buffer): Buffer {
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(keyNumber('Sec-WebSocket-Key1', key1), 0);
  challenge.writeUInt32BE(keyNumber('Sec-WebSocket-Key2', key2), 4);
  key3.copy(challenge, 8, 0, KEY3_BYTES);
  return createHash('md5').update(challenge).digest();
}

/**
 * The 101 response's head. The client checks origin and location against its
 * own: the location's scheme follows the socket (TLS → wss) and the path is the
 * request's own.
 */
export function hixieResponseHead(draft: HixieDraft, req: RequestHead, secure: boolean): string {
  const prefix = draft === 76 ? 'Sec-WebSocket-' : 'WebSocket-';
  const origin = header(req.headers, 'origin');
  const protocol = header(req.headers, draft === 76 ? 'sec-websocket-protocol' : 'websocket-protocol');
  const location = `${secure ? 'wss' : 'ws'}://${header(req.headers, 'host') ?? ''}${req.url ?? '/'}`;
  const lines = [
    draft === 76 ? 'HTTP/1.1 101 WebSocket Protocol Handshake' : 'HTTP/1.1 101 Web Socket Protocol Handshake',
    'Upgrade: WebSocket',
    'Connection: Upgrade',
  ];
  if (origin !== undefined) lines.push(`${prefix}Origin: ${origin}`);
  lines.push(`${prefix}Location: ${location}`);
  if (protocol !== undefined) lines.push(`${prefix}Protocol: ${protocol}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** `0x00 <UTF-8> 0xFF`: one text frame, in one buffer so it leaves in one write. */
export function encodeHixieFrame(utf8: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(utf8.length + 2);
  frame[0] = TEXT_FRAME;
  utf8.copy(frame, 1);
  frame[frame.length - 1] = FRAME_END;
  return frame;
}

export interface HixieReaderHandlers {
  message(text: string, bytes: number): void;
  /** The peer sent `0xFF 0x00`. */
  closing(): void;
  /** Bad input: the connection must go. */
  fail(reason: string): void;
}

const enum ReadState {
  FrameType,
  Sentinel,
  Length,
  Skip,
  Stopped,
}

/**
 * Splits the bytes of a hixie connection into messages. A sentinel frame
 * (type < 0x80, data up to 0xFF) is kept as the chunks it arrived in until it
 * ends; its size, and a length-prefixed frame's length, are checked against
 * `maxMessageSize` as the bytes come, so a frame that never ends costs at most
 * the limit. Length-prefixed frames and sentinel frames of other types than
 * 0x00 carry nothing in these drafts: they are skipped.
 */
export class HixieFrameReader {
  #state = ReadState.FrameType;
  #frameType = 0;
  #parts: Buffer[] = [];
  #size = 0;
  #remaining = 0;

  constructor(
    private readonly maxMessageSize: number,
    private readonly handlers: HixieReaderHandlers,
  ) {}

  /** No more messages, whatever still arrives (the connection is closing). */
  stop(): void {
    this.#state = ReadState.Stopped;
    this.#parts = [];
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.#state) {
        case ReadState.Stopped:
          return;
        case ReadState.FrameType:
          this.#frameType = chunk[offset++];
          this.#size = 0;
          this.#state = this.#frameType & LENGTH_FRAME_BIT ? ReadState.Length : ReadState.Sentinel;
          break;
        case ReadState.Sentinel:
          offset = this.#readSentinel(chunk, offset);
          break;
        case ReadState.Length: {
          const octet = chunk[offset++];
          this.#size = this.#size * 128 + (octet & 0x7f);
          if (this.#size > this.maxMessageSize) return this.#fail(`frame length over the limit of ${this.maxMessageSize} bytes`);
          if (octet & LENGTH_FRAME_BIT) break;
          if (this.#frameType === FRAME_END && this.#size === 0) {
            this.stop();
            return this.handlers.closing();
          }
          this.#remaining = this.#size;
          this.#state = this.#remaining === 0 ? ReadState.FrameType : ReadState.Skip;
          break;
        }
        case ReadState.Skip: {
          const skipped = Math.min(this.#remaining, chunk.length - offset);
          offset += skipped;
          this.#remaining -= skipped;
          if (this.#remaining === 0) this.#state = ReadState.FrameType;
          break;
        }
      }
    }
  }

  /** Reads sentinel-frame data from `offset`; returns where reading stopped. */
  #readSentinel(chunk: Buffer, offset: number): number {
    const end = chunk.indexOf(FRAME_END, offset);
    const stop = end === -1 ? chunk.length : end;
    this.#size += stop - offset;
    if (this.#size > this.maxMessageSize) {
      this.#fail(`message over the limit of ${this.maxMessageSize} bytes`);
      return chunk.length;
    }
    const keep = this.#frameType === TEXT_FRAME && stop > offset;
    if (end === -1) {
      if (keep) this.#parts.push(chunk.subarray(offset, stop));
      return stop;
    }
    this.#state = ReadState.FrameType;
    if (this.#frameType !== TEXT_FRAME) return end + 1;
    // The usual case, a whole frame in one chunk, costs no array and no copy.
    const piece = chunk.subarray(offset, stop);
    let data = piece;
    if (this.#parts.length > 0) {
      this.#parts.push(piece);
      data = Buffer.concat(this.#parts, this.#size);
      this.#parts = [];
    }
    if (!isUtf8(data)) {
      this.#fail('invalid UTF-8 in a text frame');
      return chunk.length;
    }
    this.handlers.message(data.toString('utf8'), data.length);
    return end + 1;
  }

  #fail(reason: string): void {
    this.stop();
    this.handlers.fail(reason);
  }
}

export interface HixieSocketOptions {
  maxMessageSize: number;
  /** How long the 8 key3 bytes of a hixie-76 handshake may take to arrive. */
  handshakeTimeoutMs: number;
}

export interface HixieSocketHandlers {
  /** The handshake is answered: messages may flow both ways. */
  open(socket: HixieSocket): void;
  message(text: string, bytes: number): void;
  /** The connection is over (either side, any cause); called once. `reason` is set for bad input. */
  closed(reason: string | null): void;
}

/**
 * One hixie-75/76 connection on an upgraded socket: the handshake (waiting
 * for key3 when it comes in a later packet), text frames both ways, and the
 * close. Bad input or a handshake that never completes ends the connection
 * with a reason.
 */
export class HixieSocket {
  #open = false;
  #done = false;
  #key3: Buffer[] = [];
  #key3Length = 0;
  #timer: NodeJS.Timeout | null = null;
  readonly #reader: HixieFrameReader;

  /**
   * Answers the handshake on `socket`. Throws HixieHandshakeError, before
   * writing anything, for key headers no client would send.
   */
  constructor(
    readonly draft: HixieDraft,
    private readonly req: RequestHead,
    private readonly socket: Duplex,
    head: Buffer,
    options: HixieSocketOptions,
    private readonly handlers: HixieSocketHandlers,
  ) {
    if (draft === 76) {
      // Checked now, so a bad key is a 400 and not a dropped connection later.
      keyNumber('Sec-WebSocket-Key1', header(req.headers, 'sec-websocket-key1'));
      keyNumber('Sec-WebSocket-Key2', header(req.headers, 'sec-websocket-key2'));
    }
    this.#reader = new HixieFrameReader(options.maxMessageSize, {
      message: (text, bytes) => this.handlers.message(text, bytes),
      closing: () => this.close(),
      fail: (reason) => this.#finish(reason),
    });
    // What the HTTP server armed for the request must not cut a long-lived socket; frames go out at once.
    const tcp = socket as Partial<Socket>;
    tcp.setTimeout?.(0);
    tcp.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('end', () => this.#finish(null));
    socket.on('close', () => this.#finish(null));
    socket.on('error', (error: Error) => this.#finish(`socket error: ${error.message}`));
    if (draft === 75) {
      this.#answer(Buffer.alloc(0));
      if (head.length > 0) this.#receive(head);
      return;
    }
    this.#timer = setTimeout(() => this.#finish('hixie-76 key3 did not arrive in time'), options.handshakeTimeoutMs);
    if (head.length > 0) this.#receive(head);
  }

  get isOpen(): boolean {
    return this.#open && !this.#done;
  }

  /** Bytes written but not yet handed to the kernel (a peer that stopped reading). */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Sends one text message, given as its UTF-8 bytes. */
  send(utf8: Buffer): void {
    if (!this.isOpen) return;
    this.socket.write(encodeHixieFrame(utf8));
  }

  /** Ends the connection from our side: the closing handshake (76), then the TCP close. */
  close(): void {
    if (this.#done) return;
    if (this.#open && this.draft === 76 && this.socket.writable) this.socket.write(CLOSING_FRAME);
    this.#finish(null);
  }

  /** Drops the connection without a goodbye (a peer that would never read it). */
  terminate(): void {
    this.#finish(null);
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    if (this.#done) return;
    if (this.#open) return this.#reader.push(chunk);
    // Waiting for key3: take what is missing of the 8 bytes, and read on with the rest.
    const needed = KEY3_BYTES - this.#key3Length;
    this.#key3.push(chunk.subarray(0, needed));
    this.#key3Length += Math.min(needed, chunk.length);
    if (this.#key3Length < KEY3_BYTES) return;
    const key3 = Buffer.concat(this.#key3, KEY3_BYTES);
    this.#key3 = [];
    this.#answer(hixie76Answer(header(this.req.headers, 'sec-websocket-key1'), header(this.req.headers, 'sec-websocket-key2'), key3));
    if (chunk.length > needed && !this.#done) this.#reader.push(chunk.subarray(needed));
  }

  #answer(body: Buffer): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const secure = (this.socket as Duplex & { encrypted?: boolean }).encrypted === true;
    const head = hixieResponseHead(this.draft, this.req, secure);
    // The head and the challenge answer in one write: one packet.
    // Held until this tick's work is done: the 101 and a first frame written by `open` (after a
    // microtask) leave in one packet.
    this.socket.cork();
    // Header values came in as latin1 and go back the same way.
    this.socket.write(body.length > 0 ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1'));
    this.#open = true;
    this.handlers.open(this);
    void RESOLVED.then(() => this.socket.uncork());
  }

  /** Ends the connection once: stops reading, ends the socket after what is written, tells the owner. */
  #finish(reason: string | null): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#reader.stop();
    const { socket } = this;
    if (!socket.destroyed) {
      // After our last bytes are flushed the TCP connection closes, whether or not the peer answers.
      socket.end(() => socket.destroy());
    }
    this.handlers.closed(reason);
  }
}
