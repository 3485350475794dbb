/**
 * Socket.IO v5 packets, the text inside an Engine.IO message:
 * `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`. Binary
 * values anywhere in the data travel as separate Engine.IO binary messages
 * after the text, each replaced in the JSON by `{"_placeholder":true,"num":n}`.
 */

export const SocketPacketType = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 } as const;
export type SocketPacketType = (typeof SocketPacketType)[keyof typeof SocketPacketType];

export interface SocketPacket {
  type: SocketPacketType;
  nsp: string;
  data?: unknown;
  id?: number;
}

/** A client packet that cannot be read or is not allowed; the message says why. */
export class SocketDecodeError extends Error {
  override name = 'SocketDecodeError';
}

/** Event names the Socket.IO client itself uses: a client may not emit them (socket.io refuses them too). */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const SLASH = 0x2f;
const COMMA = 0x2c;
const DASH = 0x2d;

type Binary = Buffer | ArrayBuffer | ArrayBufferView;

function isBinary(value: unknown): value is Binary {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function hasBinary(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (isBinary(value)) return true;
  if (Array.isArray(value)) return value.some((item) => hasBinary(item, depth + 1));
  for (const key in value) if (hasBinary((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function toBuffer(value: Binary): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A copy of `value` with every binary replaced by a placeholder; the caller's objects are left alone. */
function deconstruct(value: unknown, attachments: Buffer[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isBinary(value)) {
    attachments.push(toBuffer(value));
    return { _placeholder: true, num: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => deconstruct(item, attachments));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = deconstruct(item, attachments);
  return copy;
}

/** The text of a packet and its binary attachments, in order. */
export function encodeSocketPacket(packet: SocketPacket): { text: string; attachments: Buffer[] } {
  const attachments: Buffer[] = [];
  let { type } = packet;
  let data = packet.data;
  if ((type === SocketPacketType.EVENT || type === SocketPacketType.ACK) && hasBinary(data)) {
    data = deconstruct(data, attachments);
    type = type === SocketPacketType.EVENT ? SocketPacketType.BINARY_EVENT : SocketPacketType.BINARY_ACK;
  }
  let text = String(type);
  if (type === SocketPacketType.BINARY_EVENT || type === SocketPacketType.BINARY_ACK) text += `${attachments.length}-`;
  if (packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id !== undefined) text += String(packet.id);
  if (data !== undefined) {
    const json = JSON.stringify(data);
    if (json === undefined) throw new TypeError('tornadio: packet data has no JSON representation');
    text += json;
  }
  return { text, attachments };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a client may send this payload with this type (what socket.io's parser accepts from a client). */
function checkPayload(packet: SocketPacket): void {
  const { type, data } = packet;
  switch (type) {
    case SocketPacketType.CONNECT:
      if (data !== undefined && !isPlainObject(data)) throw new SocketDecodeError('CONNECT data must be an object');
      return;
    case SocketPacketType.DISCONNECT:
      if (data !== undefined) throw new SocketDecodeError('DISCONNECT carries no data');
      return;
    case SocketPacketType.EVENT:
    case SocketPacketType.BINARY_EVENT:
      if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'string') throw new SocketDecodeError('EVENT data must be [name, ...args]');
      if (RESERVED_EVENTS.has(data[0])) throw new SocketDecodeError(`"${data[0]}" is a reserved event name`);
      return;
    case SocketPacketType.ACK:
    case SocketPacketType.BINARY_ACK:
      if (!Array.isArray(data)) throw new SocketDecodeError('ACK data must be an array');
      if (packet.id === undefined) throw new SocketDecodeError('ACK without an id');
      return;
    default:
      throw new SocketDecodeError(`a client does not send packet type ${String(type)}`);
  }
}

interface PendingBinary {
  packet: SocketPacket;
  expected: number;
  attachments: Buffer[];
}

/**
 * Reads a client's packets, one Engine.IO message at a time. A binary packet
 * is held until its attachments have arrived, then returned with every
 * placeholder replaced by its Buffer.
 */
export class SocketPacketDecoder {
  #pending: PendingBinary | null = null;
  readonly #maxAttachments: number;

  constructor({ maxAttachments }: { maxAttachments: number }) {
    this.#maxAttachments = maxAttachments;
  }

  get awaitingAttachments(): boolean {
    return this.#pending !== null;
  }

  reset(): void {
    this.#pending = null;
  }

  /** Returns the packet this chunk completes, or null while attachments are awaited. */
  add(chunk: string | Buffer): SocketPacket | null {
    if (typeof chunk !== 'string') return this.#addAttachment(chunk);
    if (this.#pending) throw new SocketDecodeError('a text packet while binary attachments were awaited');
    const { packet, attachments } = this.#parse(chunk);
    if (attachments === 0) return packet;
    this.#pending = { packet, expected: attachments, attachments: [] };
    return null;
  }

  #addAttachment(chunk: Buffer): SocketPacket | null {
    const pending = this.#pending;
    if (!pending) throw new SocketDecodeError('a binary attachment with no packet waiting for it');
    pending.attachments.push(chunk);
    if (pending.attachments.length < pending.expected) return null;
    this.#pending = null;
    const used = new Set<number>();
    const packet = { ...pending.packet, data: reconstruct(pending.packet.data, pending.attachments, used, 0) };
    if (used.size !== pending.expected) throw new SocketDecodeError(`${pending.expected - used.size} attachments were never referenced`);
    return packet;
  }

  #parse(text: string): { packet: SocketPacket; attachments: number } {
    const type = text.charCodeAt(0) - CHAR_0;
    if (!(type >= 0 && type <= 6) || Number.isNaN(type)) throw new SocketDecodeError(`unknown packet type ${JSON.stringify(text.slice(0, 1))}`);
    let cursor = 1;
    let attachments = 0;
    if (type === SocketPacketType.BINARY_EVENT || type === SocketPacketType.BINARY_ACK) {
      const dash = text.indexOf('-', cursor);
      const count = dash === -1 ? '' : text.substring(cursor, dash);
      if (count === '' || count.length > 6 || !/^\d+$/.test(count)) throw new SocketDecodeError('binary packet without an attachment count');
      attachments = Number(count);
      if (attachments > this.#maxAttachments) throw new SocketDecodeError(`${attachments} attachments exceed the limit of ${this.#maxAttachments}`);
      cursor = dash + 1;
    } else if (text.charCodeAt(cursor) === DASH) {
      throw new SocketDecodeError('an attachment count on a packet that is not binary');
    }
    let nsp = '/';
    if (text.charCodeAt(cursor) === SLASH) {
      const comma = text.indexOf(',', cursor);
      nsp = comma === -1 ? text.substring(cursor) : text.substring(cursor, comma);
      cursor = comma === -1 ? text.length : comma + 1;
    }
    let id: number | undefined;
    const idStart = cursor;
    while (cursor < text.length && text.charCodeAt(cursor) >= CHAR_0 && text.charCodeAt(cursor) <= CHAR_9) cursor++;
    if (cursor > idStart) {
      if (cursor - idStart > 15) throw new SocketDecodeError('ack id too long');
      id = Number(text.substring(idStart, cursor));
    }
    let data: unknown;
    if (cursor < text.length) {
      try {
        data = JSON.parse(text.substring(cursor));
      } catch {
        throw new SocketDecodeError('invalid JSON payload');
      }
    }
    const packet: SocketPacket = id === undefined ? { type: type as SocketPacketType, nsp, data } : { type: type as SocketPacketType, nsp, data, id };
    if (data === undefined) delete packet.data;
    checkPayload(packet);
    if (attachments > 0 && text.charCodeAt(1) === COMMA) throw new SocketDecodeError('malformed binary packet');
    return { packet, attachments };
  }
}

function reconstruct(value: unknown, attachments: Buffer[], used: Set<number>, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((item) => reconstruct(item, attachments, used, depth + 1));
  const record = value as Record<string, unknown>;
  if (record._placeholder === true) {
    const num = record.num;
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num >= attachments.length) throw new SocketDecodeError('placeholder out of range');
    if (used.has(num)) throw new SocketDecodeError(`attachment ${num} referenced twice`);
    used.add(num);
    return attachments[num];
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) copy[key] = reconstruct(item, attachments, used, depth + 1);
  return copy;
}
