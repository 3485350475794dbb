import type { OutgoingPacket } from '../hub/packet';

/**
 * What nodes tell each other over Redis, as JSON. Packets travel before any
 * protocol has encoded them (each node encodes a broadcast once per protocol
 * of its own clients); binary arguments (v4 `emit` with a Buffer) travel as
 * tagged base64, since JSON alone would turn a Buffer into an array of numbers.
 */

/** A selection as it travels: the rooms and except rooms of a BroadcastOptions, as lists. */
export interface WireSelection {
  readonly rooms: readonly string[];
  readonly except: readonly string[];
}

/** An operation every other node applies to its own members of a namespace. */
export type ClusterOperation =
  | { readonly kind: 'broadcast'; readonly packet: OutgoingPacket }
  | { readonly kind: 'join'; readonly rooms: readonly string[] }
  | { readonly kind: 'leave'; readonly rooms: readonly string[] }
  | { readonly kind: 'disconnect' };

export interface OperationMessage {
  readonly from: string;
  /** The sending node's count of its operations: each node applies another's in this order (Redis keeps a publisher's order). */
  readonly seq: number;
  readonly namespace: string;
  readonly selection: WireSelection;
  readonly operation: ClusterOperation;
}

/**
 * A question every other node answers (who is connected, its stats), or
 * that only the node owning a dropped connection answers (hand over its
 * recovery state: `pid` names that node).
 */
export type ClusterQuestion =
  | { readonly kind: 'fetch'; readonly namespace: string; readonly selection: WireSelection }
  | { readonly kind: 'stats' }
  | { readonly kind: 'recover'; readonly namespace: string; readonly pid: string; readonly offset: string };

export interface QuestionMessage {
  readonly id: string;
  readonly from: string;
  readonly question: ClusterQuestion;
}

export interface AnswerMessage {
  readonly id: string;
  readonly from: string;
  readonly answer: unknown;
}

const BINARY_TAG = '\u0000tornadio:binary';

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toBase64(value: ArrayBuffer | ArrayBufferView): string {
  const bytes = value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return bytes.toString('base64');
}

/** JSON with binary values kept as binary. */
export function encodeWire(message: OperationMessage | QuestionMessage | AnswerMessage): string {
  return JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `this[key]` is the value before its toJSON ran (a Buffer's toJSON makes an array of numbers).
    const original = key === '' ? value : this[key];
    return isBinary(original) ? { [BINARY_TAG]: toBase64(original) } : value;
  });
}

/** The inverse of `encodeWire`; throws a SyntaxError on text that is not JSON. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const tagged = (value as Record<string, unknown>)[BINARY_TAG];
      if (typeof tagged === 'string') return Buffer.from(tagged, 'base64');
    }
    return value;
  });
}
