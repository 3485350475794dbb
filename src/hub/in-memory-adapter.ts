import type { Adapter, BroadcastOptions, ConnectionSummary } from './adapter';
import type { LocalNamespace } from './local-namespace';
import type { OutgoingPacket } from './packet';

/**
 * Rooms of one namespace in this process: room → member ids, and id → rooms,
 * kept in step. A member's own room (its id) is implicit until it joins a
 * room of its own choosing: thousands of connections that never join
 * anything cost no room entries at all.
 */
export class InMemoryAdapter implements Adapter {
  readonly #rooms = new Map<string, Set<string>>();
  readonly #roomsOf = new Map<string, Set<string>>();

  constructor(
    private readonly local: LocalNamespace,
    private readonly nodeId: string,
  ) {}

  addAll(id: string, rooms: Iterable<string>): void {
    let own = this.#roomsOf.get(id);
    for (const room of rooms) {
      if (room === id || own?.has(room)) continue;
      if (!own) this.#roomsOf.set(id, (own = new Set([id])));
      own.add(room);
      let members = this.#rooms.get(room);
      if (!members) this.#rooms.set(room, (members = new Set()));
      members.add(id);
    }
  }

  del(id: string, room: string): void {
    // A member never leaves its own room while it lives.
    if (room === id) return;
    this.#roomsOf.get(id)?.delete(room);
    this.#leave(id, room);
  }

  delAll(id: string): void {
    const own = this.#roomsOf.get(id);
    if (!own) return;
    for (const room of own) if (room !== id) this.#leave(id, room);
    this.#roomsOf.delete(id);
  }

  #leave(id: string, room: string): void {
    const members = this.#rooms.get(room);
    if (!members) return;
    members.delete(id);
    // An empty room must not stay behind: rooms come and go with their members.
    if (members.size === 0) this.#rooms.delete(room);
  }

  socketRooms(id: string): ReadonlySet<string> | undefined {
    return this.#roomsOf.get(id) ?? (this.local.has(id) ? new Set([id]) : undefined);
  }

  /** Members of a room; a live member's id is a room holding just it. */
  #membersOf(room: string): Iterable<string> {
    const members = this.#rooms.get(room);
    const own = this.local.reaches(room);
    if (!members) return own ? [room] : [];
    // Others may have joined a room named by a connection's id: that connection is still in it.
    return own ? [room, ...members] : members;
  }

  /** Room count and membership count, for leak checks: both return to 0 once everyone left. */
  get size(): { rooms: number; members: number } {
    return { rooms: this.#rooms.size, members: this.#roomsOf.size };
  }

  sockets(options: BroadcastOptions): Set<string> {
    return this.#select(options, false);
  }

  /** Ids of the live members the options select; for a broadcast, also those awaiting recovery. */
  #select(options: BroadcastOptions, withWaiting: boolean): Set<string> {
    const skip = this.#excluded(options.except);
    const ids = new Set<string>();
    if (options.rooms.size === 0) {
      for (const id of this.local.ids()) if (!skip?.has(id)) ids.add(id);
      return ids;
    }
    for (const room of options.rooms) {
      for (const id of this.#membersOf(room)) if (!skip?.has(id) && (withWaiting ? this.local.reaches(id) : this.local.has(id))) ids.add(id);
    }
    return ids;
  }

  broadcast(packet: OutgoingPacket, options: BroadcastOptions): void {
    if (options.rooms.size === 0) {
      this.local.deliverToAll(packet, this.#excluded(options.except));
      return;
    }
    this.local.deliver(packet, this.#select(options, true));
  }

  addSockets(options: BroadcastOptions, rooms: readonly string[]): void {
    for (const id of this.sockets(options)) this.addAll(id, rooms);
  }

  delSockets(options: BroadcastOptions, rooms: readonly string[]): void {
    for (const id of this.sockets(options)) for (const room of rooms) this.del(id, room);
  }

  disconnectSockets(options: BroadcastOptions): void {
    for (const id of this.sockets(options)) this.local.get(id)?.close();
  }

  fetchSockets(options: BroadcastOptions): Promise<ConnectionSummary[]> {
    const summaries: ConnectionSummary[] = [];
    for (const id of this.sockets(options)) {
      const member = this.local.get(id);
      if (!member) continue;
      summaries.push({
        id,
        namespace: this.local.name,
        rooms: [...(this.#roomsOf.get(id) ?? [id])],
        protocol: member.protocol,
        transport: member.transport,
        nodeId: this.nodeId,
      });
    }
    return Promise.resolve(summaries);
  }

  /**
   * The ids in any of the except rooms; null when there are none (the usual
   * case costs nothing). A name that is no room is taken as an id: a
   * connection excludes itself with its own id, whether or not it joined.
   */
  #excluded(except: ReadonlySet<string>): ReadonlySet<string> | null {
    if (except.size === 0) return null;
    if (except.size === 1) {
      const [room] = except;
      const members = this.#rooms.get(room);
      // The name itself stays excluded: it may be the id of a connection whose own room others joined.
      return members ? new Set([room, ...members]) : except;
    }
    const ids = new Set<string>();
    for (const room of except) {
      ids.add(room);
      for (const id of this.#rooms.get(room) ?? []) ids.add(id);
    }
    return ids;
  }
}
