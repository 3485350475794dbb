/**
 * Socket.IO v5 packets, the text inside an Engine.IO message:
 * `<type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]`. Binary
 * values anywhere in the data travel as separate Engine.IO binary messages
 * after the text, each replaced in the JSON by `{"_placeholder":true,"num":n}`.
 *
 * The decoder reads what a *client* may send, as socket.io-parser 4.2.7 and
 * socket.io's server together accept it, with a few refusals of its own
 * where socket.io is looser than it should be (each one says so).
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

/** Event names the Socket.IO client itself uses; socket.io-parser refuses them from a client since 4.2.3. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
/** Deeper data is refused on encoding: it is either circular or not something anyone sends. */
const MAX_ENCODE_DEPTH = 1000;
/** 2^53 - 1 has 16 digits; a longer ack id cannot be a safe integer. */
const MAX_ID_DIGITS = 16;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const SLASH = 0x2f;
const COMMA = 0x2c;
const DASH = 0x2d;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const FIRST_PRINTABLE = 0x20;

type Binary = ArrayBuffer | ArrayBufferView;
type Container = Record<string, unknown> | unknown[];

function isBinary(value: object): value is Binary {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The bytes of a binary value as a Buffer over the same memory: no copy. */
function toBuffer(value: Binary): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- encoding ----

interface Extraction {
  attachments: Buffer[];
  /** Whether the caller's data holds an object that reads as a placeholder. */
  lookalike: boolean;
}

/**
 * `value` with every binary replaced by a placeholder, in one walk. Copies
 * only the arrays and objects on the way to a binary and returns everything
 * else as it is, so data without binary costs no allocation and the
 * caller's objects are never changed.
 */
function extractBinaries(value: unknown, found: Extraction, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isBinary(value)) {
    found.attachments.push(toBuffer(value));
    return { _placeholder: true, num: found.attachments.length - 1 };
  }
  if (depth === MAX_ENCODE_DEPTH) throw new TypeError(`tornadio: packet data is circular or nested deeper than ${MAX_ENCODE_DEPTH}`);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const replaced = extractBinaries(item, found, depth + 1);
      if (copy === null && replaced !== item) copy = value.slice(0, index);
      if (copy !== null) copy.push(replaced);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.toJSON === 'function') {
    // JSON.stringify will serialize what toJSON returns, so that is where binaries hide (socket.io-parser looks there too).
    const json: unknown = (record.toJSON as () => unknown)();
    const replaced = extractBinaries(json, found, depth + 1);
    return replaced === json ? value : replaced;
  }
  if (record._placeholder === true) found.lookalike = true;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | null = null;
  for (let index = 0; index < keys.length; index++) {
    const item = record[keys[index]];
    const replaced = extractBinaries(item, found, depth + 1);
    if (copy === null && replaced !== item) {
      // Without a prototype, a key named `__proto__` is an ordinary property, as it is in JSON.
      copy = Object.create(null) as Record<string, unknown>;
      for (let before = 0; before < index; before++) copy[keys[before]] = record[keys[before]];
    }
    if (copy !== null) copy[keys[index]] = replaced;
  }
  return copy ?? value;
}

function checkNamespace(nsp: string): void {
  if (nsp.charCodeAt(0) !== SLASH) throw new TypeError(`tornadio: namespace ${JSON.stringify(nsp)} does not start with "/"`);
  for (let index = 1; index < nsp.length; index++) {
    const code = nsp.charCodeAt(index);
    // A comma would end the namespace early on the wire; a control character could be the polling separator.
    if (code === COMMA || code < FIRST_PRINTABLE) throw new TypeError(`tornadio: namespace ${JSON.stringify(nsp)} has a comma or a control character`);
  }
}

/**
 * The text of a packet and its binary attachments, in order. EVENT and ACK
 * (or their BINARY_ forms) go out in the binary form exactly when the data
 * holds a Buffer, ArrayBuffer or ArrayBufferView; other types never carry
 * attachments. Throws a TypeError for what the wire cannot carry.
 */
export function encodeSocketPacket(packet: SocketPacket): { text: string; attachments: Buffer[] } {
  let { type, data } = packet;
  const attachments: Buffer[] = [];
  const isEvent = type === SocketPacketType.EVENT || type === SocketPacketType.BINARY_EVENT;
  if (isEvent || type === SocketPacketType.ACK || type === SocketPacketType.BINARY_ACK) {
    const found: Extraction = { attachments, lookalike: false };
    data = extractBinaries(data, found, 0);
    if (attachments.length > 0 && found.lookalike) {
      // The receiver could not tell it from a real placeholder: the client would swap in an attachment.
      throw new TypeError('tornadio: binary packet data holds an object with "_placeholder": true');
    }
    if (attachments.length > 0) type = isEvent ? SocketPacketType.BINARY_EVENT : SocketPacketType.BINARY_ACK;
    else type = isEvent ? SocketPacketType.EVENT : SocketPacketType.ACK;
  }
  let text = String(type);
  if (attachments.length > 0) text += `${attachments.length}-`;
  if (packet.nsp !== '/') {
    checkNamespace(packet.nsp);
    text += `${packet.nsp},`;
  }
  if (packet.id !== undefined) {
    if (!Number.isSafeInteger(packet.id) || packet.id < 0) throw new TypeError(`tornadio: ack id ${String(packet.id)} is not a non-negative safe integer`);
    text += String(packet.id);
  }
  // socket.io-parser leaves out null data as well as absent data.
  if (data !== undefined && data !== null) {
    const json = JSON.stringify(data);
    if (json === undefined) throw new TypeError('tornadio: packet data has no JSON representation');
    text += json;
  }
  return { text, attachments };
}

/**
 * The text of the EVENT `["message", text]` that `send(text)` makes, exactly
 * as encodeSocketPacket writes it, without the walk for binaries (a string
 * holds none): the hot path of every echo and chat line.
 */
export function encodeMessageEvent(nsp: string, text: string): string {
  if (nsp === '/') return `2["message",${JSON.stringify(text)}]`;
  checkNamespace(nsp);
  return `2${nsp},["message",${JSON.stringify(text)}]`;
}

// ---- decoding ----

/** Where an attachment goes: `holder[key]`. */
interface Slot {
  holder: Container;
  key: string | number;
}

interface PendingBinary {
  packet: SocketPacket;
  slots: Slot[];
  attachments: Buffer[];
}

interface ParsedText {
  packet: SocketPacket;
  attachments: number;
}

/**
 * What a client may send with each type. Stricter than socket.io-parser in
 * three ways: an EVENT must have data (the parser passes a bare `2`, which
 * socket.io then treats as an event with no name), its name must be a string
 * (the parser also takes a number, which no typed client sends), and an ACK
 * must have an id and data (socket.io drops one without an id).
 */
function checkPayload(packet: SocketPacket): void {
  const { type, data } = packet;
  switch (type) {
    case SocketPacketType.CONNECT:
      if (data !== undefined && !isPlainObject(data)) throw new SocketDecodeError('CONNECT data must be an object');
      if (packet.id !== undefined) throw new SocketDecodeError('CONNECT carries no ack id');
      return;
    case SocketPacketType.DISCONNECT:
      if (data !== undefined) throw new SocketDecodeError('DISCONNECT carries no data');
      if (packet.id !== undefined) throw new SocketDecodeError('DISCONNECT carries no ack id');
      return;
    case SocketPacketType.EVENT:
    case SocketPacketType.BINARY_EVENT:
      if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'string') throw new SocketDecodeError('EVENT data must be [name, ...args] with a string name');
      if (RESERVED_EVENTS.has(data[0])) throw new SocketDecodeError(`"${data[0]}" is a reserved event name`);
      return;
    case SocketPacketType.ACK:
    case SocketPacketType.BINARY_ACK:
      if (!Array.isArray(data)) throw new SocketDecodeError('ACK data must be an array');
      if (packet.id === undefined) throw new SocketDecodeError('ACK without an ack id');
      return;
    default:
      // Unreachable: #parse refuses CONNECT_ERROR before it gets here.
      throw new SocketDecodeError(`a client does not send packet type ${String(type)}`);
  }
}

/**
 * Finds the placeholders of a binary packet's data, checking that they
 * number the `count` attachments exactly once each, before any attachment
 * has arrived. Walks with its own stack: the JSON came from the client and
 * may be nested deeper than the call stack allows.
 */
function findSlots(data: unknown[], count: number): Slot[] {
  const slots = new Array<Slot | undefined>(count);
  let filled = 0;
  const pending: Container[] = [data];
  const visit = (holder: Container, key: string | number, child: unknown): void => {
    if (typeof child !== 'object' || child === null) return;
    if (!Array.isArray(child) && (child as Record<string, unknown>)._placeholder === true) {
      const num = (child as Record<string, unknown>).num;
      if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num >= count) {
        throw new SocketDecodeError(`placeholder num ${JSON.stringify(num) ?? 'undefined'} is not one of the ${count} attachments`);
      }
      if (slots[num] !== undefined) throw new SocketDecodeError(`attachment ${num} is referenced twice`);
      slots[num] = { holder, key };
      filled++;
      return;
    }
    pending.push(child as Container);
  };
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    if (Array.isArray(container)) {
      for (let index = 0; index < container.length; index++) visit(container, index, container[index]);
    } else {
      for (const key of Object.keys(container)) visit(container, key, container[key]);
    }
  }
  if (filled !== count) throw new SocketDecodeError(`${count - filled} of ${count} attachments have no placeholder`);
  return slots as Slot[];
}

/**
 * Reads a client's packets, one Engine.IO message at a time. A binary packet
 * is held until its attachments have arrived, then returned with every
 * placeholder replaced by its Buffer, and with the type EVENT or ACK, as
 * socket.io-parser returns it: the binary form is a detail of the wire.
 *
 * After a throw the decoder holds what it held before the refused chunk;
 * the session closes on any error anyway, and `reset()` clears it.
 */
export class SocketPacketDecoder {
  #pending: PendingBinary | null = null;
  readonly #maxAttachments: number;

  constructor({ maxAttachments }: { maxAttachments: number }) {
    this.#maxAttachments = maxAttachments;
  }

  /** Whether a binary packet is waiting for more attachments. */
  get awaitingAttachments(): boolean {
    return this.#pending !== null;
  }

  /** Forgets a half-received binary packet (when its transport goes away). */
  reset(): void {
    this.#pending = null;
  }

  /** Returns the packet this chunk completes, or null while attachments are awaited. */
  add(chunk: string | Buffer): SocketPacket | null {
    if (typeof chunk !== 'string') return this.#addAttachment(chunk);
    if (this.#pending) throw new SocketDecodeError('a text packet while binary attachments were awaited');
    const { packet, attachments } = this.#parse(chunk);
    if (attachments === 0) return packet;
    this.#pending = { packet, slots: findSlots(packet.data as unknown[], attachments), attachments: [] };
    return null;
  }

  #addAttachment(chunk: Buffer): SocketPacket | null {
    const pending = this.#pending;
    if (!pending) throw new SocketDecodeError('a binary attachment with no packet waiting for it');
    pending.attachments.push(chunk);
    if (pending.attachments.length < pending.slots.length) return null;
    this.#pending = null;
    // The data is the decoder's own JSON.parse result, so it is filled in place.
    for (let num = 0; num < pending.slots.length; num++) {
      const { holder, key } = pending.slots[num];
      (holder as Record<string | number, unknown>)[key] = pending.attachments[num];
    }
    return pending.packet;
  }

  #parse(text: string): ParsedText {
    if (text.length === 0) throw new SocketDecodeError('empty packet');
    const typeCode = text.charCodeAt(0) - CHAR_0;
    if (!(typeCode >= 0 && typeCode <= 6)) throw new SocketDecodeError(`unknown packet type ${JSON.stringify(text.charAt(0))}`);
    if (typeCode === SocketPacketType.CONNECT_ERROR) {
      // socket.io-parser decodes it, then socket.io's server closes the connection: refusing here ends the same way.
      throw new SocketDecodeError('a client does not send CONNECT_ERROR');
    }
    const isBinaryType = typeCode === SocketPacketType.BINARY_EVENT || typeCode === SocketPacketType.BINARY_ACK;
    let cursor = 1;
    let attachments = 0;
    if (isBinaryType) {
      for (let code = text.charCodeAt(cursor); code >= CHAR_0 && code <= CHAR_9; code = text.charCodeAt(++cursor)) {
        attachments = attachments * 10 + (code - CHAR_0);
        // Checked while reading, so a thousand digits cost no more than three.
        if (attachments > this.#maxAttachments) throw new SocketDecodeError(`more than ${this.#maxAttachments} attachments`);
      }
      if (cursor === 1 || text.charCodeAt(cursor) !== DASH) throw new SocketDecodeError('binary packet without an attachment count');
      // socket.io-parser 4.2.7 refuses 0 too: there is nothing to wait for, and no binary to carry.
      if (attachments === 0) throw new SocketDecodeError('binary packet with no attachments');
      cursor++;
    }

    const headerEnd = cursor;
    let nsp = '/';
    if (text.charCodeAt(cursor) === SLASH) {
      // Up to the comma, or to the end: `40/admin` is how socket.io's own test suite connects.
      const comma = text.indexOf(',', cursor);
      const end = comma === -1 ? text.length : comma;
      nsp = text.substring(cursor, end);
      cursor = comma === -1 ? end : comma + 1;
    }

    let id: number | undefined;
    const idStart = cursor;
    for (let code = text.charCodeAt(cursor); code >= CHAR_0 && code <= CHAR_9; code = text.charCodeAt(++cursor)) {
      if (cursor - idStart === MAX_ID_DIGITS) throw new SocketDecodeError('ack id is not a safe integer');
    }
    if (cursor > idStart) {
      id = Number(text.substring(idStart, cursor));
      if (!Number.isSafeInteger(id)) throw new SocketDecodeError('ack id is not a safe integer');
    }

    let data: unknown;
    if (cursor < text.length) {
      // Every payload a client may send is an array or an object: anything else here is a malformed header.
      const code = text.charCodeAt(cursor);
      if (code !== OPEN_BRACKET && code !== OPEN_BRACE) throw new SocketDecodeError(headerFault(text, cursor, isBinaryType, cursor === headerEnd));
      try {
        data = JSON.parse(text.substring(cursor));
      } catch (error) {
        // Trailing garbage after the JSON lands here too: JSON.parse reads the whole rest.
        throw new SocketDecodeError(`invalid JSON payload: ${(error as Error).message}`);
      }
    }

    const type = (isBinaryType ? (typeCode === SocketPacketType.BINARY_EVENT ? SocketPacketType.EVENT : SocketPacketType.ACK) : typeCode) as SocketPacketType;
    const packet: SocketPacket = { type, nsp };
    if (data !== undefined) packet.data = data;
    if (id !== undefined) packet.id = id;
    checkPayload(packet);
    return { packet, attachments };
  }
}

/** Why the header ended in a character that can start neither an ack id nor the JSON data. */
function headerFault(text: string, at: number, isBinaryType: boolean, whereNamespaceStarts: boolean): string {
  const found = JSON.stringify(text.charAt(at));
  if (text.charCodeAt(at) === DASH && !isBinaryType) return 'an attachment count on a packet that is not binary';
  if (whereNamespaceStarts) return `a namespace must start with "/" (found ${found} where a namespace, an ack id or the data starts)`;
  return `found ${found} at offset ${at} where the ack id or the data starts`;
}
