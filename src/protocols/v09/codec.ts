/**
 * Socket.IO 0.7-0.9 packets: `type:id:endpoint:data`, and the
 * `\ufffd<length>\ufffd<packet>` framing of several packets in one body,
 * `<length>` in UTF-16 code units (the 0.9 client counts JavaScript string
 * length; Tornadio2 counted UTF-8 bytes, which breaks on any non-ASCII text).
 */

/** The packet types, by the digit that starts a packet. */
export const PacketType = {
  DISCONNECT: 0,
  CONNECT: 1,
  HEARTBEAT: 2,
  MESSAGE: 3,
  JSON: 4,
  EVENT: 5,
  ACK: 6,
  ERROR: 7,
  NOOP: 8,
} as const;

export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType];

/**
 * Error reasons and advice travel as indexes into these lists: the client
 * turns `7::/chat:2` back into "unauthorized" and can show nothing else.
 */
export const ERROR_REASONS = ['transport not supported', 'client not handshaken', 'unauthorized'] as const;
export const ERROR_ADVICE = ['reconnect'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** A decoded packet, its data still as text (each type reads its own). */
export interface WirePacket {
  readonly type: PacketTypeCode;
  /** The message id, digits only; '' when the sender wants no acknowledgement. */
  readonly id: string;
  /** `id+`: the sender wants the acknowledgement to carry data (events always do). */
  readonly ackWithData: boolean;
  /** '' for the default endpoint, else a path like `/chat` (a connect may add `?query`). */
  readonly endpoint: string;
  readonly data: string;
}

/** Client input that is not a 0.9 packet or payload. */
export class PacketDecodeError extends Error {
  override readonly name = 'PacketDecodeError';
}

const FRAME_MARK = '\ufffd';
const COLON = 0x3a;
const PLUS = 0x2b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Longest id or frame length we read: far past any real one, short enough to stay a safe integer. */
const MAX_DIGITS = 15;

const isDigit = (code: number): boolean => code >= DIGIT_0 && code <= DIGIT_9;

/** Reads one packet; throws PacketDecodeError for anything the 0.9 grammar does not allow. */
export function decodePacket(text: string): WirePacket {
  const type = text.charCodeAt(0) - DIGIT_0;
  if (!(type >= 0 && type <= 8) || text.charCodeAt(1) !== COLON) throw new PacketDecodeError('a packet starts with a type digit 0-8 and ":"');
  let at = 2;
  while (isDigit(text.charCodeAt(at))) at++;
  const id = text.substring(2, at);
  if (id.length > MAX_DIGITS) throw new PacketDecodeError('packet id too long');
  const ackWithData = text.charCodeAt(at) === PLUS;
  if (ackWithData) {
    if (id === '') throw new PacketDecodeError('"+" without a packet id');
    at++;
  }
  if (text.charCodeAt(at) !== COLON) throw new PacketDecodeError('a packet id is digits, then an optional "+", then ":"');
  const endpointEnd = text.indexOf(':', at + 1);
  const endpoint = endpointEnd === -1 ? text.substring(at + 1) : text.substring(at + 1, endpointEnd);
  const data = endpointEnd === -1 ? '' : text.substring(endpointEnd + 1);
  return { type: type as PacketTypeCode, id, ackWithData, endpoint, data };
}

/**
 * Splits a body into packet texts: a framed payload when it starts with
 * U+FFFD, else one packet. At most `maxPackets`, each at most as long as the
 * body: a hostile length can make us read nothing past the body.
 */
export function decodePayload(body: string, maxPackets: number): string[] {
  if (!body.startsWith(FRAME_MARK)) return [body];
  const packets: string[] = [];
  let at = 0;
  while (at < body.length) {
    if (body[at] !== FRAME_MARK) throw new PacketDecodeError(`expected U+FFFD at ${at}`);
    let end = at + 1;
    while (isDigit(body.charCodeAt(end))) end++;
    if (end === at + 1 || end - at - 1 > MAX_DIGITS || body[end] !== FRAME_MARK) throw new PacketDecodeError('a frame length is digits between two U+FFFD');
    const length = Number(body.substring(at + 1, end));
    const start = end + 1;
    if (start + length > body.length) throw new PacketDecodeError(`frame of ${length} characters runs past the body`);
    if (packets.length === maxPackets) throw new PacketDecodeError(`more than ${maxPackets} packets in one body`);
    packets.push(body.substring(start, start + length));
    at = start + length;
  }
  return packets;
}

/** One body for several packets: a single packet goes bare, as the client sends it. */
export function encodePayload(packets: readonly string[]): string {
  if (packets.length === 1) return packets[0];
  let body = '';
  for (const packet of packets) body += FRAME_MARK + packet.length + FRAME_MARK + packet;
  return body;
}

/** JSON for the wire, or a TypeError for a value JSON cannot carry (the client would choke on `undefined`). */
function json(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`tornadio: a value of type ${typeof value} has no JSON form`);
  return text;
}

/** `send(x)`: a string is a message packet (3), anything else a json packet (4). */
export function encodeSend(endpoint: string, value: unknown): string {
  if (typeof value === 'string') return `3::${endpoint}:${value}`;
  return `4::${endpoint}:${json(value)}`;
}

/** An event (5); with an id the client answers with an ack carrying data. */
export function encodeEvent(endpoint: string, name: string, args: readonly unknown[], id?: number): string {
  const event = args.length === 0 ? { name } : { name, args };
  return `5:${id === undefined ? '' : `${id}+`}:${endpoint}:${json(event)}`;
}

/** An acknowledgement (6): `id` alone, or `id+[args]` for a data ack. */
export function encodeAck(endpoint: string, id: string, args?: readonly unknown[]): string {
  return `6::${endpoint}:${id}${args === undefined ? '' : `+${json(args)}`}`;
}

/** An error (7) as the client decodes it: the reason's index, then `+` and the advice's. */
export function encodeError(endpoint: string, reason: ErrorReason, reconnect = false): string {
  return `7::${endpoint}:${ERROR_REASONS.indexOf(reason)}${reconnect ? '+0' : ''}`;
}

/** Packets without data: connect (1), disconnect (0), heartbeat (2), noop (8). */
export const encodeConnect = (endpoint: string): string => `1::${endpoint}`;
export const encodeDisconnect = (endpoint: string): string => `0::${endpoint}`;
export const HEARTBEAT_PACKET = '2::';
export const NOOP_PACKET = '8::';

/** What an event packet's data says: a name and its arguments, or null when it is not `{"name", "args"?}`. */
export function readEvent(data: string): { name: string; args: unknown[] } | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { name, args } = value as { name?: unknown; args?: unknown };
  if (typeof name !== 'string') return null;
  if (args === undefined || args === null) return { name, args: [] };
  return Array.isArray(args) ? { name, args } : null;
}

/** What an ack packet's data says: the id it answers and its arguments, or null. */
export function readAck(data: string): { id: number; args: unknown[] } | null {
  const match = /^(\d{1,15})(?:\+([\s\S]*))?$/.exec(data);
  if (!match) return null;
  if (match[2] === undefined || match[2] === '') return { id: Number(match[1]), args: [] };
  try {
    const args: unknown = JSON.parse(match[2]);
    return { id: Number(match[1]), args: Array.isArray(args) ? args : [args] };
  } catch {
    return null;
  }
}
