/**
 * Engine.IO v4 packets: a type digit and its data. Over websocket one packet
 * is one frame, and a binary message is a binary frame with no type digit;
 * over polling the packets of one body are joined with the record separator
 * `\x1e`, and a binary message travels as `b` + base64 (v4 dropped v3's
 * binary payloads, so a polling body is always text).
 */

import { encodeFrame } from '../../websocket/frame-writer';

export type EnginePacketType = 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop';

export interface EnginePacket {
  type: EnginePacketType;
  /**
   * Text for every type; a Buffer only for a binary message. Absent when a
   * text packet is its type digit alone (`2`, `3`, `6`), as engine.io-parser
   * decodes it.
   */
  data?: string | Buffer;
  /**
   * A text packet as one whole websocket frame (websocket/frame-writer.ts),
   * made once for a packet that many sessions send (a broadcast: see
   * withTextFrames), so every socket is handed the same bytes. A text
   * packet's frame is the same for every dialect and for `b64=1` clients.
   */
  webSocketFrame?: Buffer;
}

/** A packet that cannot be read; the message says why. */
export class EngineDecodeError extends Error {
  override name = 'EngineDecodeError';
}

/** Indexed by type digit. */
const TYPES: readonly EnginePacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
const DIGIT: Readonly<Record<EnginePacketType, string>> = { open: '0', close: '1', ping: '2', pong: '3', message: '4', upgrade: '5', noop: '6' };
const SEPARATOR = '\x1e';
const CHAR_0 = 0x30;
const CHAR_B = 0x62;
const CHAR_EQUALS = 0x3d;

/** 1 for each character of the standard base64 alphabet (RFC 4648 §4; not the URL-safe one). */
const BASE64_ALPHABET = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_ALPHABET[char.charCodeAt(0)] = 1;

function binaryOf(packet: EnginePacket): Buffer | null {
  if (!Buffer.isBuffer(packet.data)) return null;
  if (packet.type !== 'message') throw new TypeError(`tornadio: a ${packet.type} packet cannot carry binary data`);
  return packet.data;
}

/** One websocket frame: a Buffer is sent as a binary frame, a string as a text frame. */
export function encodeForWebSocket(packet: EnginePacket): string | Buffer {
  return binaryOf(packet) ?? DIGIT[packet.type] + ((packet.data as string | undefined) ?? '');
}

/** Gives each text packet its whole websocket frame: for packets about to go to many websockets. */
export function withTextFrames(packets: EnginePacket[]): EnginePacket[] {
  for (const packet of packets) if (!Buffer.isBuffer(packet.data)) packet.webSocketFrame = encodeFrame(DIGIT[packet.type] + (packet.data ?? ''), false);
  return packets;
}

/**
 * One packet as polling text. This is also the websocket text frame for a
 * client that connected with `b64=1` (engine.io-client's `forceBase64`),
 * which cannot take binary frames.
 */
export function encodeForPolling(packet: EnginePacket): string {
  const binary = binaryOf(packet);
  if (binary) return `b${binary.toString('base64')}`;
  return DIGIT[packet.type] + ((packet.data as string | undefined) ?? '');
}

/**
 * A polling response body. The separator is not escaped (the spec assumes
 * data never contains it; JSON escapes it, so Socket.IO packets cannot).
 */
export function encodePollingPayload(packets: readonly EnginePacket[]): string {
  let payload = '';
  for (let index = 0; index < packets.length; index++) {
    if (index > 0) payload += SEPARATOR;
    payload += encodeForPolling(packets[index]);
  }
  return payload;
}

/**
 * Whether `text[start, end)` is canonical base64: alphabet characters, then
 * at most two `=`, padded to a multiple of four or left unpadded. Checked by
 * hand because `Buffer.from(…, 'base64')` silently skips whatever it cannot
 * read, which would hand the application bytes the client never sent.
 */
export function isBase64(text: string, start: number, end: number): boolean {
  let dataEnd = end;
  while (dataEnd > start && dataEnd > end - 2 && text.charCodeAt(dataEnd - 1) === CHAR_EQUALS) dataEnd--;
  for (let index = start; index < dataEnd; index++) {
    const code = text.charCodeAt(index);
    if (code >= 128 || BASE64_ALPHABET[code] === 0) return false;
  }
  const length = end - start;
  // Padded: a whole number of quartets. Unpadded: one leftover character can hold no byte.
  return dataEnd === end ? length % 4 !== 1 : length % 4 === 0;
}

/** The packet in `text[start, end)`. */
function decodeText(text: string, start: number, end: number): EnginePacket {
  if (start === end) throw new EngineDecodeError('empty packet');
  const code = text.charCodeAt(start);
  if (code === CHAR_B) {
    // engine.io-parser reads the `b` prefix on every transport, websocket included.
    if (!isBase64(text, start + 1, end)) throw new EngineDecodeError('binary packet is not valid base64');
    return { type: 'message', data: Buffer.from(text.substring(start + 1, end), 'base64') };
  }
  const type = TYPES[code - CHAR_0];
  if (type === undefined) throw new EngineDecodeError(`unknown packet type ${JSON.stringify(text.charAt(start))}`);
  return end - start === 1 ? { type } : { type, data: text.substring(start + 1, end) };
}

/**
 * One websocket frame: a binary frame is a binary message; a text frame is a
 * packet (a Buffer holding a text frame is read as UTF-8).
 */
export function decodeFromWebSocket(data: string | Buffer, isBinary: boolean): EnginePacket {
  if (isBinary) return { type: 'message', data: Buffer.isBuffer(data) ? data : Buffer.from(data) };
  const text = typeof data === 'string' ? data : data.toString('utf8');
  return decodeText(text, 0, text.length);
}

/** A POST body: at most `maxPackets` packets separated by `\x1e`. An empty body is one empty packet. */
export function decodePollingPayload(body: string, maxPackets: number): EnginePacket[] {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    if (packets.length >= maxPackets) throw new EngineDecodeError(`more than ${maxPackets} packets in one payload`);
    const separator = body.indexOf(SEPARATOR, start);
    const end = separator === -1 ? body.length : separator;
    packets.push(decodeText(body, start, end));
    if (separator === -1) return packets;
    start = separator + 1;
  }
}
