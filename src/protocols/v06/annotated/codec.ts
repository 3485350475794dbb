import type { OutgoingPacket } from '../../../hub/packet';

/**
 * The seed fork's framing of Socket.IO 0.6 ("Protocol" in its README):
 * `(type):(length):(data),`, repeated. `(length)` is "the number of
 * characters of (data)", counted as the fork's JavaScript counts them:
 * `.length`, UTF-16 code units (an emoji is 2), never UTF-8 bytes.
 *
 * Types: 0 force disconnect (`0:0:,`), 1 message, 2 heartbeat (`2:1:0,`),
 * 3 session id handshake (`3:3:253,`). A message's data is
 * `(annotations):(message)`, annotations being `key[:value]` lines joined by
 * `\n`: `r` names the realm, `j` (no value) marks the message as JSON.
 */

export const FrameType = { Disconnect: 0, Message: 1, Heartbeat: 2, SessionId: 3 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const REALM_ANNOTATION = 'r';
export const JSON_ANNOTATION = 'j';

/** Always exactly this: a force disconnect carries no data. */
export const DISCONNECT_FRAME = '0:0:,';

/** Longest length field we accept: 2^53 has 16 digits; anything longer is hostile. */
const MAX_LENGTH_DIGITS = 16;
const CHAR_0 = 0x30;
const CHAR_3 = 0x33;
const CHAR_9 = 0x39;
const CHAR_COLON = 0x3a;
const CHAR_COMMA = 0x2c;
const CHAR_NEWLINE = 0x0a;

export function encodeFrame(type: FrameType, data: string): string {
  return `${type}:${data.length}:${data},`;
}

export function encodeSessionId(id: string): string {
  return encodeFrame(FrameType.SessionId, id);
}

export function encodeHeartbeat(beat: number): string {
  return encodeFrame(FrameType.Heartbeat, String(beat));
}

/**
 * A message's data as the fork's encoder writes it: every annotation on its
 * own line ending in `\n`, then `:` and the message (`r:chat\n:Hello world`).
 * Its README shortens this to `r:chat:Hello world`; both decode the same.
 */
export function encodeMessageData(message: string, realm: string | null, json: boolean): string {
  let head = realm === null ? '' : `${REALM_ANNOTATION}:${realm}\n`;
  if (json) head += `${JSON_ANNOTATION}\n`;
  return `${head}:${message}`;
}

/** The realm of a namespace: `/chat` is realm `chat`; `/` has none. */
export function realmOf(namespace: string): string | null {
  return namespace === '/' ? null : namespace.substring(1);
}

/** The namespace of a realm: realm `chat` reaches `/chat`; no realm (or an empty one) is `/`. */
export function namespaceOf(realm: string | null): string {
  return realm ? `/${realm}` : '/';
}

/**
 * One user value as one message frame: strings as they are, objects (arrays
 * too) as JSON under `j`, numbers and booleans as text. Throws a TypeError
 * for values JSON cannot carry, so that `j` never marks invalid JSON.
 */
export function encodeValue(value: unknown, realm: string | null): string {
  if (typeof value === 'string') return encodeFrame(FrameType.Message, encodeMessageData(value, realm, false));
  if (value === null || value === undefined) return encodeFrame(FrameType.Message, encodeMessageData('', realm, false));
  if (typeof value === 'object') {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError('tornadio: message has no JSON representation');
    return encodeFrame(FrameType.Message, encodeMessageData(json, realm, true));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return encodeFrame(FrameType.Message, encodeMessageData(String(value), realm, false));
  throw new TypeError(`tornadio: cannot send a value of type ${typeof value}`);
}

/**
 * The frames of one outgoing packet in a realm. As on 0.6, an array at the
 * top level is several messages, and an event (the fork has none) goes as
 * the JSON message `{"name": event, "args": [...]}` without its functions.
 */
export function encodePacket(packet: OutgoingPacket, realm: string | null): string[] {
  if (packet.type === 'event') {
    const args = packet.args.filter((arg) => typeof arg !== 'function');
    return [encodeValue({ name: packet.name, args }, realm)];
  }
  if (Array.isArray(packet.data)) return packet.data.map((item: unknown) => encodeValue(item, realm));
  return [encodeValue(packet.data, realm)];
}

/** One frame as read off the wire. */
export type Frame =
  | { readonly type: typeof FrameType.Disconnect }
  | { readonly type: typeof FrameType.Message; readonly data: string }
  | { readonly type: typeof FrameType.Heartbeat; readonly beat: string }
  | { readonly type: typeof FrameType.SessionId; readonly id: string };

export interface DecodeResult {
  /** Every complete frame found before the first fault. */
  frames: Frame[];
  /** Why decoding stopped; absent when the whole payload was valid. */
  error?: string;
}

function frameOf(type: FrameType, data: string): Frame {
  switch (type) {
    case FrameType.Disconnect:
      return { type };
    case FrameType.Message:
      return { type, data };
    case FrameType.Heartbeat:
      return { type, beat: data };
    default:
      return { type: FrameType.SessionId, id: data };
  }
}

/**
 * Splits a payload into frames. Stops at the first fault and reports it,
 * keeping the frames before it. The `,` after the data is what proves the
 * length right: a length that does not match its data finds no `,` there.
 */
export function decodePayload(payload: string): DecodeResult {
  const frames: Frame[] = [];
  if (payload.length === 0) return { frames, error: 'empty payload' };
  let position = 0;
  while (position < payload.length) {
    const typeCode = payload.charCodeAt(position);
    if (typeCode < CHAR_0 || typeCode > CHAR_9) return { frames, error: `expected a frame type digit at offset ${position}` };
    if (typeCode > CHAR_3 || payload.charCodeAt(position + 1) !== CHAR_COLON) {
      return { frames, error: `unknown frame type at offset ${position}` };
    }
    let cursor = position + 2;
    const digitsStart = cursor;
    let length = 0;
    while (cursor < payload.length) {
      const code = payload.charCodeAt(cursor);
      if (code < CHAR_0 || code > CHAR_9) break;
      length = length * 10 + (code - CHAR_0);
      cursor++;
    }
    const digits = cursor - digitsStart;
    if (digits === 0) return { frames, error: `missing frame length at offset ${digitsStart}` };
    if (digits > MAX_LENGTH_DIGITS) return { frames, error: `frame length too long at offset ${digitsStart}` };
    if (payload.charCodeAt(cursor) !== CHAR_COLON) return { frames, error: `expected ":" after the frame length at offset ${cursor}` };
    const dataStart = cursor + 1;
    const dataEnd = dataStart + length;
    if (dataEnd > payload.length) {
      return { frames, error: `frame of length ${length} at offset ${position} runs past the payload (the length does not match its data)` };
    }
    if (dataEnd === payload.length) return { frames, error: `missing terminating "," after the frame at offset ${position}` };
    if (payload.charCodeAt(dataEnd) !== CHAR_COMMA) {
      return { frames, error: `frame length ${length} does not match its data: no "," at offset ${dataEnd}` };
    }
    frames.push(frameOf((typeCode - CHAR_0) as FrameType, payload.substring(dataStart, dataEnd)));
    position = dataEnd + 1;
  }
  return { frames };
}

/** A message's annotations and text. */
export interface Message {
  /** Every annotation, by key; a key given without a value maps to null. */
  readonly annotations: ReadonlyMap<string, string | null>;
  readonly text: string;
}

/**
 * Reads `(annotations):(message)`. Accepts the fork encoder's form, every
 * annotation ending its line (`r:chat\nj\n:{}`), and its README's, where the
 * `:` after the last value starts the message (`r:chat:Hello world`). `j`
 * never has a value, so `j:` also starts the message. Returns an error
 * string when no `:` ever starts the message.
 */
export function decodeMessage(data: string): Message | string {
  const annotations = new Map<string, string | null>();
  let lineStart = 0;
  while (lineStart < data.length) {
    if (data.charCodeAt(lineStart) === CHAR_COLON) return { annotations, text: data.substring(lineStart + 1) };
    let cursor = lineStart;
    while (cursor < data.length && data.charCodeAt(cursor) !== CHAR_COLON && data.charCodeAt(cursor) !== CHAR_NEWLINE) cursor++;
    const key = data.substring(lineStart, cursor);
    if (cursor === data.length) break;
    if (data.charCodeAt(cursor) === CHAR_NEWLINE) {
      annotations.set(key, null);
      lineStart = cursor + 1;
      continue;
    }
    // `key:`: JSON's mark takes no value, so its `:` is the message's.
    if (key === JSON_ANNOTATION) {
      annotations.set(key, null);
      return { annotations, text: data.substring(cursor + 1) };
    }
    const valueStart = cursor + 1;
    cursor = valueStart;
    while (cursor < data.length && data.charCodeAt(cursor) !== CHAR_COLON && data.charCodeAt(cursor) !== CHAR_NEWLINE) cursor++;
    annotations.set(key, data.substring(valueStart, cursor));
    if (cursor === data.length) break;
    if (data.charCodeAt(cursor) === CHAR_COLON) return { annotations, text: data.substring(cursor + 1) };
    lineStart = cursor + 1;
  }
  return 'message data has no ":" before its message';
}

/** One message as a session acts on it: which namespace, and its text or parsed JSON. */
export type InboundMessage =
  | { readonly ok: true; readonly namespace: string; readonly json: boolean; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/** Decodes a message frame's data down to its namespace, text and JSON mark. */
export function interpretMessage(data: string): InboundMessage {
  const message = decodeMessage(data);
  if (typeof message === 'string') return { ok: false, reason: message };
  return {
    ok: true,
    namespace: namespaceOf(message.annotations.get(REALM_ANNOTATION) ?? null),
    json: message.annotations.has(JSON_ANNOTATION),
    text: message.text,
  };
}
