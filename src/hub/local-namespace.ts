import type { Member } from './member';
import { BroadcastEncodings, type OutgoingPacket } from './packet';

/**
 * The live connections of one namespace in this process, by id, and the
 * fan-out that hands each a broadcast. An adapter decides who gets a packet;
 * this delivers it, encoding it once per protocol.
 */
export class LocalNamespace {
  readonly #members = new Map<string, Member>();

  constructor(readonly name: string) {}

  get size(): number {
    return this.#members.size;
  }

  get(id: string): Member | undefined {
    return this.#members.get(id);
  }

  has(id: string): boolean {
    return this.#members.has(id);
  }

  add(member: Member): void {
    this.#members.set(member.id, member);
  }

  delete(member: Member): boolean {
    if (this.#members.get(member.id) !== member) return false;
    return this.#members.delete(member.id);
  }

  ids(): MapIterator<string> {
    return this.#members.keys();
  }

  members(): MapIterator<Member> {
    return this.#members.values();
  }

  /** Delivers to these ids (unknown ones are skipped: a member that closed meanwhile). */
  deliver(packet: OutgoingPacket, ids: Iterable<string>): void {
    const encodings = new BroadcastEncodings(packet);
    for (const id of ids) this.#members.get(id)?.receiveBroadcast(encodings);
  }

  /** Delivers to every member but those in `skip`: the common "everyone" broadcast, without building an id list. */
  deliverToAll(packet: OutgoingPacket, skip: ReadonlySet<string> | null): void {
    const encodings = new BroadcastEncodings(packet);
    for (const member of this.#members.values()) {
      if (!skip?.has(member.id)) member.receiveBroadcast(encodings);
    }
  }
}
