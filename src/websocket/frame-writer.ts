import type { Duplex } from 'node:stream';

/**
 * RFC 6455 server frames (unmasked), each as one Buffer.
 *
 * A frame written in two writes (header, then payload) becomes a writev in
 * Node, which on a small message costs more than the message. Writing the
 * whole frame as one Buffer is one plain write, and a broadcast makes its
 * frame once and hands the same Buffer to every socket. ServerWebSocket
 * (rfc6455.ts) decides when a frame may go out; this module only makes and
 * writes them.
 */

const FIN_TEXT = 0x81;
const FIN_BINARY = 0x82;
/** Past this, a Buffer payload goes in a second write under a cork instead of being copied behind its header. */
const COPY_LIMIT = 64 * 1024;
/** Strings this short fit a 7-bit length whatever their characters (3 UTF-8 bytes each at most, for UTF-16 units). */
const SHORT_TEXT = 41;

function headerLength(payloadLength: number): number {
  if (payloadLength < 126) return 2;
  return payloadLength < 65_536 ? 4 : 10;
}

/** Writes an unmasked server frame's header (RFC 6455 §5.2) at the start of `target`. */
function writeHeader(target: Buffer, first: number, payloadLength: number): void {
  target[0] = first;
  if (payloadLength < 126) {
    target[1] = payloadLength;
  } else if (payloadLength < 65_536) {
    target[1] = 126;
    target.writeUInt16BE(payloadLength, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    target.writeUInt32BE(payloadLength >>> 0, 6);
  }
}

/** A whole frame as one Buffer, header and payload: made once, it can be written to any number of sockets. */
export function encodeFrame(payload: string | Buffer, binary: boolean): Buffer {
  const first = binary ? FIN_BINARY : FIN_TEXT;
  if (typeof payload === 'string') {
    // At most 41 characters are at most 123 UTF-8 bytes: a 2-byte header for sure, so no pass to count the bytes first.
    if (payload.length <= SHORT_TEXT) {
      const frame = Buffer.allocUnsafe(2 + payload.length * 3);
      const length = frame.write(payload, 2, 'utf8');
      frame[0] = first;
      frame[1] = length;
      return frame.subarray(0, 2 + length);
    }
    const length = Buffer.byteLength(payload, 'utf8');
    const offset = headerLength(length);
    const frame = Buffer.allocUnsafe(offset + length);
    writeHeader(frame, first, length);
    frame.write(payload, offset, 'utf8');
    return frame;
  }
  const offset = headerLength(payload.length);
  const frame = Buffer.allocUnsafe(offset + payload.length);
  writeHeader(frame, first, payload.length);
  frame.set(payload, offset);
  return frame;
}

/** The payload length a frame made by `encodeFrame` carries, read back from its header. */
export function framePayloadLength(frame: Buffer): number {
  const length = frame[1] & 0x7f;
  if (length < 126) return length;
  if (length === 126) return frame.readUInt16BE(2);
  return frame.readUInt32BE(2) * 2 ** 32 + frame.readUInt32BE(6);
}

/** A control frame (close, ping, pong: at most 125 bytes of payload, §5.5). */
export function encodeControlFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = payload.length;
  frame.set(payload, 2);
  return frame;
}

/** Writes one message as a single frame. A large Buffer is not copied: its header and it go in two writes under one cork. */
export function writeFrame(socket: Duplex, payload: string | Buffer, binary: boolean): void {
  if (typeof payload === 'string' || payload.length <= COPY_LIMIT) {
    socket.write(encodeFrame(payload, binary));
    return;
  }
  const header = Buffer.allocUnsafe(headerLength(payload.length));
  writeHeader(header, binary ? FIN_BINARY : FIN_TEXT, payload.length);
  socket.cork();
  socket.write(header);
  socket.write(payload);
  socket.uncork();
}
