import type { Member } from './member';
import { BroadcastEncodings, type OutgoingPacket } from './packet';

/** A connection that dropped and may come back (connection state recovery): it keeps its rooms and collects what it misses. */
export interface WaitingMember {
  receiveBroadcast(encodings: BroadcastEncodings): void;
}

/**
 * The live connections of one namespace in this process, by id, and the
 * fan-out that hands each a broadcast. An adapter decides who gets a packet;
 * this delivers it, encoding it once per protocol.
 */
export class LocalNamespace {
  readonly #members = new Map<string, Member>();
  /** Dropped connections awaiting recovery, by id: broadcasts reach them, nothing else sees them. */
  readonly #waiting = new Map<string, WaitingMember>();

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

  /** A dropped connection starts (or stops) collecting what it misses. */
  wait(id: string, waiting: WaitingMember): void {
    this.#waiting.set(id, waiting);
  }

  stopWaiting(id: string, waiting: WaitingMember): void {
    if (this.#waiting.get(id) === waiting) this.#waiting.delete(id);
  }

  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** Whether a broadcast to this id reaches someone: a live member or one awaiting recovery. */
  reaches(id: string): boolean {
    return this.#members.has(id) || this.#waiting.has(id);
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
    for (const id of ids) (this.#members.get(id) ?? this.#waiting.get(id))?.receiveBroadcast(encodings);
  }

  /** Delivers to every member but those in `skip`: the common "everyone" broadcast, without building an id list. */
  deliverToAll(packet: OutgoingPacket, skip: ReadonlySet<string> | null): void {
    const encodings = new BroadcastEncodings(packet);
    for (const member of this.#members.values()) {
      if (!skip?.has(member.id)) member.receiveBroadcast(encodings);
    }
    if (this.#waiting.size === 0) return;
    for (const [id, waiting] of this.#waiting) if (!skip?.has(id)) waiting.receiveBroadcast(encodings);
  }
}
