import type { Adapter, BroadcastOptions, ConnectionSummary } from '../hub/adapter';
import { InMemoryAdapter } from '../hub/in-memory-adapter';
import type { LocalNamespace } from '../hub/local-namespace';
import type { OutgoingPacket } from '../hub/packet';
import type { ClusterOperation, WireSelection } from './wire';

/** What a cluster adapter needs from the node it runs on: a way to reach the other nodes. */
export interface ClusterPeers {
  /** Has every other node apply an operation to its own members of a namespace; returns the operation's `seq`. */
  publish(namespace: string, selection: WireSelection, operation: ClusterOperation): number;
  /** Asks every other node for the summaries of its selected connections. */
  fetchRemote(namespace: string, selection: WireSelection): Promise<ConnectionSummary[]>;
}

function wireSelection(options: BroadcastOptions): WireSelection {
  return { rooms: [...options.rooms], except: [...options.except] };
}

function optionsOf(selection: WireSelection): BroadcastOptions {
  return { rooms: new Set(selection.rooms), except: new Set(selection.except) };
}

/** A broadcast this node applied, with the node it came from and that node's `seq` for it. */
interface BroadcastRecord {
  readonly packet: OutgoingPacket;
  readonly options: BroadcastOptions;
  readonly origin: string;
  readonly seq: number;
}

/** Whether a broadcast reaches a connection that is in `rooms` (its own id among them). */
function selects(options: BroadcastOptions, rooms: ReadonlySet<string>): boolean {
  for (const room of options.except) if (rooms.has(room)) return false;
  if (options.rooms.size === 0) return true;
  for (const room of options.rooms) if (rooms.has(room)) return true;
  return false;
}

/**
 * The broadcasts of a namespace while a connection moves here from another
 * node (connection state recovery). That node hands over what its dropped
 * connection collected up to the moment it answers; what it applies after
 * that, and what this node applies before the connection has joined its
 * rooms here, would reach neither. The window records it all; `close` keeps
 * what the old node had not applied when it answered (its count of each
 * node's operations, `applied`) and what selects the connection.
 */
export interface BroadcastWindow {
  /** Stops recording; null when more than the window's limit came meanwhile (the client then starts afresh, as after maxMissed). */
  close(id: string, rooms: readonly string[], applied: Readonly<Record<string, number>>): OutgoingPacket[] | null;
}

/**
 * The cluster's adapter for one namespace: rooms stay where their members
 * are (each node knows its own connections' rooms, as in socket.io's Redis
 * adapter), and every operation is done here and published for the other
 * nodes to do to theirs. A broadcast travels as the packet, so each node
 * encodes it once per protocol of its own clients.
 */
export class ClusterAdapter implements Adapter {
  readonly #local: InMemoryAdapter;
  /** The open recovery windows, each with what it has recorded; null when none is open (nearly always). */
  #windows: Map<BroadcastRecord[], number> | null = null;

  constructor(
    private readonly space: LocalNamespace,
    private readonly nodeId: string,
    private readonly peers: ClusterPeers,
  ) {
    this.#local = new InMemoryAdapter(space, nodeId);
  }

  /** Records broadcasts, at most `limit` of them, until closed (see BroadcastWindow). */
  openWindow(limit: number): BroadcastWindow {
    const records: BroadcastRecord[] = [];
    (this.#windows ??= new Map()).set(records, limit);
    return {
      close: (id, rooms, applied) => {
        this.#windows?.delete(records);
        if (this.#windows?.size === 0) this.#windows = null;
        if (records.length > limit) return null;
        const member = new Set(rooms).add(id);
        return records.filter((record) => record.seq > (applied[record.origin] ?? 0) && selects(record.options, member)).map((record) => record.packet);
      },
    };
  }

  #record(packet: OutgoingPacket, options: BroadcastOptions, origin: string, seq: number): void {
    if (this.#windows === null) return;
    // One past the limit marks the window as overflowed; nothing more is kept.
    for (const [records, limit] of this.#windows) if (records.length <= limit) records.push({ packet, options, origin, seq });
  }

  /** Room and membership counts of this node, for leak checks. */
  get size(): { rooms: number; members: number } {
    return this.#local.size;
  }

  addAll(id: string, rooms: Iterable<string>): void {
    this.#local.addAll(id, rooms);
  }

  del(id: string, room: string): void {
    this.#local.del(id, room);
  }

  delAll(id: string): void {
    this.#local.delAll(id);
  }

  socketRooms(id: string): ReadonlySet<string> | undefined {
    return this.#local.socketRooms(id);
  }

  sockets(options: BroadcastOptions): Set<string> {
    return this.#local.sockets(options);
  }

  broadcast(packet: OutgoingPacket, options: BroadcastOptions): void {
    this.#local.broadcast(packet, options);
    const seq = this.peers.publish(this.space.name, wireSelection(options), { kind: 'broadcast', packet });
    this.#record(packet, options, this.nodeId, seq);
  }

  addSockets(options: BroadcastOptions, rooms: readonly string[]): void {
    this.#local.addSockets(options, rooms);
    this.peers.publish(this.space.name, wireSelection(options), { kind: 'join', rooms });
  }

  delSockets(options: BroadcastOptions, rooms: readonly string[]): void {
    this.#local.delSockets(options, rooms);
    this.peers.publish(this.space.name, wireSelection(options), { kind: 'leave', rooms });
  }

  disconnectSockets(options: BroadcastOptions): void {
    this.#local.disconnectSockets(options);
    this.peers.publish(this.space.name, wireSelection(options), { kind: 'disconnect' });
  }

  async fetchSockets(options: BroadcastOptions): Promise<ConnectionSummary[]> {
    const [here, elsewhere] = await Promise.all([this.#local.fetchSockets(options), this.peers.fetchRemote(this.space.name, wireSelection(options))]);
    return [...here, ...elsewhere];
  }

  /** Another node's operation (its `seq` there), applied to this node's members only (never published again). */
  applyRemote(selection: WireSelection, operation: ClusterOperation, origin: string, seq: number): void {
    const options = optionsOf(selection);
    switch (operation.kind) {
      case 'broadcast':
        this.#local.broadcast(operation.packet, options);
        return this.#record(operation.packet, options, origin, seq);
      case 'join':
        return this.#local.addSockets(options, operation.rooms);
      case 'leave':
        return this.#local.delSockets(options, operation.rooms);
      case 'disconnect':
        return this.#local.disconnectSockets(options);
    }
  }

  /** Another node asks for this node's selected connections. */
  fetchLocal(selection: WireSelection): Promise<ConnectionSummary[]> {
    return this.#local.fetchSockets(optionsOf(selection));
  }
}
