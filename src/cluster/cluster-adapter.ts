import type { Adapter, BroadcastOptions, ConnectionSummary } from '../hub/adapter';
import { InMemoryAdapter } from '../hub/in-memory-adapter';
import type { LocalNamespace } from '../hub/local-namespace';
import type { OutgoingPacket } from '../hub/packet';
import type { ClusterOperation, WireSelection } from './wire';

/** What a cluster adapter needs from the node it runs on: a way to reach the other nodes. */
export interface ClusterPeers {
  /** Has every other node apply an operation to its own members of a namespace. */
  publish(namespace: string, selection: WireSelection, operation: ClusterOperation): void;
  /** Asks every other node for the summaries of its selected connections. */
  fetchRemote(namespace: string, selection: WireSelection): Promise<ConnectionSummary[]>;
}

function wireSelection(options: BroadcastOptions): WireSelection {
  return { rooms: [...options.rooms], except: [...options.except] };
}

function optionsOf(selection: WireSelection): BroadcastOptions {
  return { rooms: new Set(selection.rooms), except: new Set(selection.except) };
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

  constructor(
    private readonly space: LocalNamespace,
    nodeId: string,
    private readonly peers: ClusterPeers,
  ) {
    this.#local = new InMemoryAdapter(space, nodeId);
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
    this.peers.publish(this.space.name, wireSelection(options), { kind: 'broadcast', packet });
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

  /** Another node's operation, applied to this node's members only (never published again). */
  applyRemote(selection: WireSelection, operation: ClusterOperation): void {
    const options = optionsOf(selection);
    switch (operation.kind) {
      case 'broadcast':
        return this.#local.broadcast(operation.packet, options);
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
