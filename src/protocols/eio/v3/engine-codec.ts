/**
 * Engine.IO 3 packets (engine.io 3.x, engine.io-parser 2.x, as
 * socket.io-client 2.x speaks them). What differs from v4:
 *
 * - A polling body is a payload of `<length>:<packet>` records, the length
 *   in characters (UTF-16 code units, JavaScript's `.length`), not bytes.
 * - Binary goes out as `b4` + base64 (the `b` marks base64, `4` is the
 *   message type) to a client that cannot take binary: one that asked for
 *   `b64=1` at the handshake (engine.io-client in Node, JSONP, forceBase64).
 * - To a client that can (a browser's XHR2), a payload holding binary is a
 *   *binary payload*, `application/octet-stream`: per packet a 0 (text) or
 *   1 (binary) byte, the length as one byte per decimal digit, a 255 byte,
 *   then the packet — a text packet as UTF-8 (its length counts bytes), a
 *   binary packet as its type byte 4 and the data (the length counts both).
 *   The browser client posts binary the same way.
 * - Over websocket a binary frame starts with its type byte (4).
 */
import { EngineDecodeError, isBase64, type EnginePacket, type EnginePacketType } from '../engine-codec';

const TYPES: readonly EnginePacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
const DIGIT: Readonly<Record<EnginePacketType, string>> = { open: '0', close: '1', ping: '2', pong: '3', message: '4', upgrade: '5', noop: '6' };
const MESSAGE_TYPE_BYTE = 4;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_B = 0x62;
const CHAR_COLON = 0x3a;
const TEXT_MARKER = 0;
const BINARY_MARKER = 1;
const LENGTH_END = 255;
/** A length with more digits than this cannot fit in any body we accept (maxPayload is at most a few MB). */
const MAX_LENGTH_DIGITS = 10;

function textOf(packet: EnginePacket): string {
  return DIGIT[packet.type] + ((packet.data as string | undefined) ?? '');
}

function binaryOf(packet: EnginePacket): Buffer | null {
  if (!Buffer.isBuffer(packet.data)) return null;
  if (packet.type !== 'message') throw new TypeError(`tornadio: a ${packet.type} packet cannot carry binary data`);
  return packet.data;
}

/** One packet as text: binary as `b4` + base64. */
export function encodeTextPacket(packet: EnginePacket): string {
  const binary = binaryOf(packet);
  return binary ? `b4${binary.toString('base64')}` : textOf(packet);
}

/** One websocket frame: binary as a binary frame led by the type byte, or as `b4` text for a `b64=1` client. */
export function encodeForWebSocket(packet: EnginePacket, base64Only: boolean): string | Buffer {
  const binary = binaryOf(packet);
  if (!binary) return textOf(packet);
  if (base64Only) return `b4${binary.toString('base64')}`;
  const frame = Buffer.allocUnsafe(binary.length + 1);
  frame[0] = MESSAGE_TYPE_BYTE;
  binary.copy(frame, 1);
  return frame;
}

/** A text payload: `<length>:<packet>` per packet, the length in UTF-16 code units. */
export function encodeTextPayload(packets: readonly EnginePacket[]): string {
  let payload = '';
  for (const packet of packets) {
    const text = encodeTextPacket(packet);
    payload += `${text.length}:${text}`;
  }
  return payload;
}

function lengthHeader(marker: number, length: number): Buffer {
  const digits = String(length);
  const header = Buffer.allocUnsafe(digits.length + 2);
  header[0] = marker;
  for (let index = 0; index < digits.length; index++) header[index + 1] = digits.charCodeAt(index) - CHAR_0;
  header[digits.length + 1] = LENGTH_END;
  return header;
}

/** A binary payload, for a client that can read one: text packets as UTF-8, binary ones led by their type byte. */
export function encodeBinaryPayload(packets: readonly EnginePacket[]): Buffer {
  const parts: Buffer[] = [];
  for (const packet of packets) {
    const binary = binaryOf(packet);
    if (binary) {
      parts.push(lengthHeader(BINARY_MARKER, binary.length + 1), Buffer.of(MESSAGE_TYPE_BYTE), binary);
    } else {
      const text = Buffer.from(textOf(packet), 'utf8');
      parts.push(lengthHeader(TEXT_MARKER, text.length), text);
    }
  }
  return Buffer.concat(parts);
}

/** The packet in `text[start, end)`: a type digit and its data, or `b4` + base64. */
function decodeText(text: string, start: number, end: number): EnginePacket {
  if (start === end) throw new EngineDecodeError('empty packet');
  const code = text.charCodeAt(start);
  if (code === CHAR_B) {
    // engine.io-parser 2 reads `b<type><base64>`; only a message can carry binary.
    if (text.charCodeAt(start + 1) !== CHAR_0 + MESSAGE_TYPE_BYTE) throw new EngineDecodeError('a base64 packet that is not a message');
    if (!isBase64(text, start + 2, end)) throw new EngineDecodeError('binary packet is not valid base64');
    return { type: 'message', data: Buffer.from(text.substring(start + 2, end), 'base64') };
  }
  const type = TYPES[code - CHAR_0];
  if (type === undefined) throw new EngineDecodeError(`unknown packet type ${JSON.stringify(text.charAt(start))}`);
  return end - start === 1 ? { type } : { type, data: text.substring(start + 1, end) };
}

/** A binary frame: the type byte (4, a message), then the data. */
function decodeBinaryPacket(data: Buffer): EnginePacket {
  if (data.length === 0) throw new EngineDecodeError('empty binary packet');
  if (data[0] !== MESSAGE_TYPE_BYTE) throw new EngineDecodeError(`binary packet of type ${data[0]}; only a message (4) carries binary`);
  return { type: 'message', data: data.subarray(1) };
}

export function decodeFromWebSocket(data: Buffer, isBinary: boolean): EnginePacket {
  if (isBinary) return decodeBinaryPacket(data);
  const text = data.toString('utf8');
  return decodeText(text, 0, text.length);
}

/**
 * A text POST body: `<length>:<packet>` records, at most `maxPackets`. A
 * length that does not match what follows refuses the whole body, as
 * engine.io 3 drops it.
 */
export function decodeTextPayload(body: string, maxPackets: number): EnginePacket[] {
  if (body.length === 0) throw new EngineDecodeError('empty payload');
  const packets: EnginePacket[] = [];
  let cursor = 0;
  while (cursor < body.length) {
    if (packets.length >= maxPackets) throw new EngineDecodeError(`more than ${maxPackets} packets in one payload`);
    let length = 0;
    const digitsStart = cursor;
    for (let code = body.charCodeAt(cursor); code >= CHAR_0 && code <= CHAR_9; code = body.charCodeAt(++cursor)) {
      if (cursor - digitsStart === MAX_LENGTH_DIGITS) throw new EngineDecodeError('payload length has too many digits');
      length = length * 10 + (code - CHAR_0);
    }
    if (cursor === digitsStart || body.charCodeAt(cursor) !== CHAR_COLON) throw new EngineDecodeError(`payload record at ${digitsStart} does not start with <length>:`);
    cursor++;
    if (cursor + length > body.length) throw new EngineDecodeError(`payload record of ${length} characters runs past the end of the body`);
    // engine.io-parser skips a `0:` record (it sends one for an empty payload).
    if (length > 0) packets.push(decodeText(body, cursor, cursor + length));
    cursor += length;
  }
  return packets;
}

/** A binary POST body (`application/octet-stream`), as the browser client posts binary. */
export function decodeBinaryPayload(body: Buffer, maxPackets: number): EnginePacket[] {
  if (body.length === 0) throw new EngineDecodeError('empty payload');
  const packets: EnginePacket[] = [];
  let cursor = 0;
  while (cursor < body.length) {
    if (packets.length >= maxPackets) throw new EngineDecodeError(`more than ${maxPackets} packets in one payload`);
    const marker = body[cursor];
    if (marker !== TEXT_MARKER && marker !== BINARY_MARKER) throw new EngineDecodeError(`binary payload record at ${cursor} is neither text (0) nor binary (1)`);
    cursor++;
    let length = 0;
    const digitsStart = cursor;
    for (; cursor < body.length && body[cursor] !== LENGTH_END; cursor++) {
      const digit = body[cursor];
      if (digit > 9) throw new EngineDecodeError(`binary payload length byte ${digit} is not a digit`);
      if (cursor - digitsStart === MAX_LENGTH_DIGITS) throw new EngineDecodeError('payload length has too many digits');
      length = length * 10 + digit;
    }
    if (cursor === digitsStart || cursor === body.length) throw new EngineDecodeError('binary payload record without a length');
    cursor++;
    if (cursor + length > body.length) throw new EngineDecodeError(`payload record of ${length} bytes runs past the end of the body`);
    const record = body.subarray(cursor, cursor + length);
    cursor += length;
    if (marker === BINARY_MARKER) {
      packets.push(decodeBinaryPacket(record));
      continue;
    }
    const text = strictUtf8(record);
    packets.push(decodeText(text, 0, text.length));
  }
  return packets;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function strictUtf8(bytes: Buffer): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new EngineDecodeError('text record is not valid UTF-8');
  }
}
