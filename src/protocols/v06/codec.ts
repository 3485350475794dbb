import type { OutgoingPacket } from '../../hub/packet';

/**
 * Socket.IO 0.6 framing: `~m~<len>~m~<data>`, repeated. `<len>` counts UTF-16
 * code units (JavaScript `.length`), because that is what the 0.6 client
 * counts when it encodes and decodes; it is never a UTF-8 byte count.
 */

export const FRAME_MARKER = '~m~';
export const HEARTBEAT_PREFIX = '~h~';
export const JSON_PREFIX = '~j~';

/** Longest length field we accept: 2^53 has 16 digits; anything longer is hostile. */
const MAX_LENGTH_DIGITS = 16;
const CHAR_TILDE = 0x7e;
const CHAR_M = 0x6d;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;

/** Wraps one already-encoded message in a frame. */
export function encodeFrame(data: string): string {
  return FRAME_MARKER + data.length + FRAME_MARKER + data;
}

/**
 * Turns one user value into the text of one message: strings as is, objects
 * (arrays included) as `~j~` JSON, other primitives as the client would print
 * them. Throws a TypeError for values JSON cannot represent, so that `~j~` is
 * never followed by invalid JSON (the client parses it without a try/catch).
 */
export function encodeMessageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message === null || message === undefined) return '';
  if (typeof message === 'object') {
    const json = JSON.stringify(message);
    if (json === undefined) throw new TypeError('tornadio: message has no JSON representation');
    return JSON_PREFIX + json;
  }
  if (typeof message === 'number' || typeof message === 'boolean') return String(message);
  throw new TypeError(`tornadio: cannot send a value of type ${typeof message}`);
}

/**
 * Encodes what a user passed to `send()`: an array at the top level is several
 * messages, anything else is one. Returns the frames, in order.
 */
export function encodeOutgoing(message: unknown): string[] {
  if (Array.isArray(message)) return message.map((item) => encodeFrame(encodeMessageText(item)));
  return [encodeFrame(encodeMessageText(message))];
}

/**
 * The frames of one outgoing packet. 0.6 has no events: an event goes out as
 * the JSON message `{"name": event, "args": [...]}`, the shape 0.7+ used for
 * its event packets, so a 0.6 client can route on `name`. Functions (ack
 * callbacks) are dropped: 0.6 cannot acknowledge.
 */
export function encodePacket(packet: OutgoingPacket): string[] {
  if (packet.type === 'message') return encodeOutgoing(packet.data);
  const args = packet.args.filter((arg) => typeof arg !== 'function');
  return [encodeFrame(encodeMessageText({ name: packet.name, args }))];
}

export function encodeHeartbeat(beat: number): string {
  return encodeFrame(HEARTBEAT_PREFIX + beat);
}

export interface DecodeResult {
  /** Every complete message found before the first fault. */
  messages: string[];
  /** Why decoding stopped early; absent when the whole payload was valid. */
  error?: string;
}

/**
 * The message of a payload that is exactly one well-formed frame (the usual
 * case), or null for anything else: lets the hot path skip building a list.
 */
export function singleFrameMessage(payload: string): string | null {
  if (!payload.startsWith(FRAME_MARKER)) return null;
  let cursor = FRAME_MARKER.length;
  let length = 0;
  while (cursor < payload.length && cursor <= MAX_LENGTH_DIGITS + FRAME_MARKER.length) {
    const code = payload.charCodeAt(cursor);
    if (code < CHAR_0 || code > CHAR_9) break;
    length = length * 10 + (code - CHAR_0);
    cursor++;
  }
  if (cursor === FRAME_MARKER.length || !payload.startsWith(FRAME_MARKER, cursor)) return null;
  const dataStart = cursor + FRAME_MARKER.length;
  return dataStart + length === payload.length ? payload.substring(dataStart) : null;
}

/**
 * Splits a payload into message texts. Stops at the first malformed frame and
 * reports it, keeping the messages before it: one bad frame must not cost the
 * client the good ones it sent with it.
 */
export function decodePayload(payload: string): DecodeResult {
  const messages: string[] = [];
  if (payload.length === 0) return { messages, error: 'empty payload' };
  let position = 0;
  while (position < payload.length) {
    if (!payload.startsWith(FRAME_MARKER, position)) {
      return { messages, error: `expected "~m~" at offset ${position}` };
    }
    let cursor = position + FRAME_MARKER.length;
    let length = 0;
    const digitsStart = cursor;
    while (cursor < payload.length) {
      const code = payload.charCodeAt(cursor);
      if (code < CHAR_0 || code > CHAR_9) break;
      length = length * 10 + (code - CHAR_0);
      cursor++;
    }
    const digits = cursor - digitsStart;
    if (digits === 0) return { messages, error: `missing frame length at offset ${digitsStart}` };
    if (digits > MAX_LENGTH_DIGITS) return { messages, error: `frame length too long at offset ${digitsStart}` };
    if (
      payload.charCodeAt(cursor) !== CHAR_TILDE ||
      payload.charCodeAt(cursor + 1) !== CHAR_M ||
      payload.charCodeAt(cursor + 2) !== CHAR_TILDE
    ) {
      return { messages, error: `expected "~m~" after frame length at offset ${cursor}` };
    }
    const dataStart = cursor + FRAME_MARKER.length;
    if (length > payload.length - dataStart) {
      return { messages, error: `frame of length ${length} truncated at offset ${dataStart}` };
    }
    messages.push(payload.substring(dataStart, dataStart + length));
    position = dataStart + length;
  }
  return { messages };
}

/** What a message text is, told without allocating (the session asks this for every message it receives). */
export const MessageKind = { Text: 0, Heartbeat: 1, Json: 2 } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

const CHAR_H = 0x68;
const CHAR_J = 0x6a;

export function messageKind(text: string): MessageKind {
  if (text.charCodeAt(0) !== CHAR_TILDE || text.charCodeAt(2) !== CHAR_TILDE) return MessageKind.Text;
  const marker = text.charCodeAt(1);
  if (marker === CHAR_H) return MessageKind.Heartbeat;
  if (marker === CHAR_J) return MessageKind.Json;
  return MessageKind.Text;
}

/** One client message, as the session acts on it. */
export type InboundMessage =
  | { kind: 'heartbeat'; beat: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'invalid'; reason: string };

/**
 * Classifies one decoded message text: heartbeat, JSON, or plain text. For
 * the Node client and the fuzzer; the server's session uses `messageKind`,
 * which allocates nothing.
 */
export function interpretMessage(text: string): InboundMessage {
  switch (messageKind(text)) {
    case MessageKind.Heartbeat:
      return { kind: 'heartbeat', beat: text.substring(HEARTBEAT_PREFIX.length) };
    case MessageKind.Json:
      try {
        return { kind: 'json', value: JSON.parse(text.substring(JSON_PREFIX.length)) };
      } catch (error) {
        return { kind: 'invalid', reason: `invalid JSON: ${(error as Error).message}` };
      }
    default:
      return { kind: 'text', text };
  }
}
