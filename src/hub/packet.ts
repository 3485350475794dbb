/**
 * What the server sends, before any protocol has encoded it: a plain message
 * (`send`) or a named event (`emit`). Broadcasts travel in this form so that
 * each protocol encodes one once, however many of its clients receive it.
 */
export type OutgoingPacket =
  | { readonly type: 'message'; readonly data: unknown }
  | { readonly type: 'event'; readonly name: string; readonly args: readonly unknown[] };

/** Turns packets into one protocol's wire form. */
export interface PacketEncoder<Encoded> {
  encode(packet: OutgoingPacket): Encoded;
}

/**
 * One broadcast's wire forms, made on demand and once per protocol: 2,000
 * websocket clients of one protocol cost one encoding, not 2,000.
 */
export class BroadcastEncodings {
  // Nearly every broadcast reaches one protocol: keep that one out of a Map.
  #firstEncoder: PacketEncoder<unknown> | null = null;
  #firstEncoded: unknown = undefined;
  #others: Map<PacketEncoder<unknown>, unknown> | null = null;

  constructor(readonly packet: OutgoingPacket) {}

  encodedBy<Encoded>(encoder: PacketEncoder<Encoded>): Encoded {
    if (this.#firstEncoder === encoder) return this.#firstEncoded as Encoded;
    if (this.#firstEncoder === null) {
      this.#firstEncoder = encoder;
      this.#firstEncoded = encoder.encode(this.packet);
      return this.#firstEncoded as Encoded;
    }
    this.#others ??= new Map();
    if (!this.#others.has(encoder)) this.#others.set(encoder, encoder.encode(this.packet));
    return this.#others.get(encoder) as Encoded;
  }
}
