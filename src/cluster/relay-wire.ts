import type { Duplex } from 'node:stream';

/**
 * The node-to-node relay for polls and posts that land on a node not owning
 * their session. Forwarding them over HTTP costs a second HTTP request and
 * answer per poll, on both nodes; the relay carries only what a polling
 * transport reads — method, URL, origin, content type, body — over one
 * persistent connection per pair of nodes, and brings back status, headers
 * and body. The node the client is connected to does all the HTTP; the owner
 * runs only its protocol. One frame per request and per answer:
 *
 *   u32 length of what follows | u8 type | u32 request id | u32 meta length | meta (JSON) | body
 *
 * REQUEST meta: [protocol, method, url, origin, contentType, bodyOversized]
 * ANSWER meta:  [status, headers, refusesBody]
 * ABORT:        no meta, no body (the client went away before its answer)
 *
 * The link opens as an HTTP upgrade to `Upgrade: tornadio-relay` on the
 * owner's own `address`, so a cluster needs no second port.
 */
export const RELAY_UPGRADE = 'tornadio-relay';

export const REQUEST = 1;
export const ABORT = 2;
export const ANSWER = 3;
const HEADER_BYTES = 13;

/** A request as the relay carries it: what a protocol's polling reads, and nothing of its HTTP. */
export interface RelayedRequest {
  readonly protocol: string;
  readonly method: string;
  readonly url: string;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
  /** The body's bytes; null when it was larger than the relaying node would read (the protocol answers 413). */
  readonly body: Buffer | null;
}

export function encodeFrame(type: number, id: number, meta: string, body: string | Buffer | null): Buffer {
  const metaLength = meta.length === 0 ? 0 : Buffer.byteLength(meta);
  const bodyLength = body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const frame = Buffer.allocUnsafe(HEADER_BYTES + metaLength + bodyLength);
  frame.writeUInt32BE(HEADER_BYTES - 4 + metaLength + bodyLength, 0);
  frame[4] = type;
  frame.writeUInt32BE(id, 5);
  frame.writeUInt32BE(metaLength, 9);
  if (metaLength > 0) frame.write(meta, HEADER_BYTES);
  if (bodyLength > 0) {
    if (typeof body === 'string') frame.write(body, HEADER_BYTES + metaLength);
    else body!.copy(frame, HEADER_BYTES + metaLength);
  }
  return frame;
}

/**
 * Writes the frames of one turn of the event loop in one syscall: a post's
 * answer and the poll answer it sets off (the echo of its message) leave
 * together, and under load so do the requests of many clients. The uncork
 * waits for the end of the loop's poll phase (setImmediate), not of this
 * callback: every socket read in this turn adds its frames first.
 */
export function writeBatched(socket: Duplex, frame: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    setImmediate(() => socket.uncork());
  }
  socket.write(frame);
}

export interface Frame {
  type: number;
  id: number;
  meta: string;
  body: Buffer;
}

/** Cuts a byte stream into frames; throws on a frame over `maxFrameBytes` or a malformed header. */
export class FrameReader {
  /** Bytes of frames not yet whole, kept apart until the frame they complete has arrived (a large body comes in many chunks). */
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes the first frame in `#chunks` needs in all; 4 (its length field) until that is known. */
  #needed = 4;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return this.#learnNeeded();
    let data = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    while (data.length >= 4) {
      const length = data.readUInt32BE(0);
      if (length < HEADER_BYTES - 4 || length > this.maxFrameBytes) throw new Error(`relay frame of ${length} bytes`);
      if (data.length < 4 + length) break;
      const metaLength = data.readUInt32BE(9);
      if (metaLength > length - (HEADER_BYTES - 4)) throw new Error(`relay frame meta of ${metaLength} bytes in a frame of ${length}`);
      const metaEnd = HEADER_BYTES + metaLength;
      onFrame({ type: data[4], id: data.readUInt32BE(5), meta: data.toString('utf8', HEADER_BYTES, metaEnd), body: data.subarray(metaEnd, 4 + length) });
      data = data.subarray(4 + length);
    }
    this.#chunks = data.length > 0 ? [Buffer.from(data)] : [];
    this.#buffered = data.length;
    this.#needed = 4;
    this.#learnNeeded();
  }

  /** Once the first pending frame's length field is in, how many bytes it needs (checked against the limit now, before they come). */
  #learnNeeded(): void {
    if (this.#needed > 4 || this.#buffered < 4) return;
    const head = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [head];
    const length = head.readUInt32BE(0);
    if (length < HEADER_BYTES - 4 || length > this.maxFrameBytes) throw new Error(`relay frame of ${length} bytes`);
    this.#needed = 4 + length;
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';

export function parseRequestMeta(meta: string, body: Buffer): RelayedRequest {
  const fields: unknown = JSON.parse(meta);
  if (!Array.isArray(fields) || fields.length !== 6) throw new Error('relay request meta is not [protocol, method, url, origin, contentType, oversized]');
  const [protocol, method, url, origin, contentType, oversized] = fields as unknown[];
  if (!isString(protocol) || !isString(method) || !isString(url)) throw new Error('relay request meta has no protocol, method or url');
  return {
    protocol,
    method,
    url,
    origin: isString(origin) ? origin : undefined,
    contentType: isString(contentType) ? contentType : undefined,
    body: oversized === 1 ? null : body,
  };
}
