/**
 * Engine.IO v4 packets: a type digit and its data. Over websocket one packet
 * is one frame (a binary message is a binary frame, with no type digit);
 * over polling packets are joined with the record separator and a binary
 * message travels as `b` + base64.
 */

export type EnginePacketType = 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop';

export interface EnginePacket {
  type: EnginePacketType;
  /** Text for every type; a Buffer only for a binary message. */
  data?: string | Buffer;
}

/** A packet that cannot be read; the message says why. */
export class EngineDecodeError extends Error {
  override name = 'EngineDecodeError';
}

const TYPES: readonly EnginePacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
const DIGIT: Readonly<Record<EnginePacketType, string>> = { open: '0', close: '1', ping: '2', pong: '3', message: '4', upgrade: '5', noop: '6' };
const SEPARATOR = '\x1e';
const CHAR_0 = 0x30;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function encodeForWebSocket(packet: EnginePacket): string | Buffer {
  if (Buffer.isBuffer(packet.data)) return packet.data;
  return DIGIT[packet.type] + (packet.data ?? '');
}

export function encodeForPolling(packet: EnginePacket): string {
  if (Buffer.isBuffer(packet.data)) return `b${packet.data.toString('base64')}`;
  return DIGIT[packet.type] + (packet.data ?? '');
}

export function encodePollingPayload(packets: readonly EnginePacket[]): string {
  let payload = '';
  for (let index = 0; index < packets.length; index++) {
    if (index > 0) payload += SEPARATOR;
    payload += encodeForPolling(packets[index]);
  }
  return payload;
}

function decodeText(text: string): EnginePacket {
  if (text.length === 0) throw new EngineDecodeError('empty packet');
  const type = TYPES[text.charCodeAt(0) - CHAR_0];
  if (type === undefined) throw new EngineDecodeError(`unknown packet type ${JSON.stringify(text[0])}`);
  return text.length === 1 ? { type } : { type, data: text.substring(1) };
}

/** One websocket frame: a text frame is a packet, a binary frame a binary message. */
export function decodeFromWebSocket(data: string | Buffer, isBinary: boolean): EnginePacket {
  if (isBinary) return { type: 'message', data: Buffer.isBuffer(data) ? data : Buffer.from(data) };
  return decodeText(typeof data === 'string' ? data : data.toString('utf8'));
}

/** A POST body: packets separated by `\x1e`, at most `maxPackets`. */
export function decodePollingPayload(body: string, maxPackets: number): EnginePacket[] {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    if (packets.length === maxPackets) throw new EngineDecodeError(`more than ${maxPackets} packets in one payload`);
    const end = body.indexOf(SEPARATOR, start);
    const text = end === -1 ? body.substring(start) : body.substring(start, end);
    if (text.charCodeAt(0) === 0x62 /* b */) {
      const encoded = text.substring(1);
      if (!BASE64.test(encoded)) throw new EngineDecodeError('binary packet is not base64');
      packets.push({ type: 'message', data: Buffer.from(encoded, 'base64') });
    } else {
      packets.push(decodeText(text));
    }
    if (end === -1) return packets;
    start = end + 1;
  }
}
