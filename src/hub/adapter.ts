import type { OutgoingPacket } from './packet';
import type { ProtocolName } from './member';

/** Which connections of a namespace a broadcast or bulk operation reaches. */
export interface BroadcastOptions {
  /** Members of any of these rooms; every connection when empty. */
  readonly rooms: ReadonlySet<string>;
  /** Leave out members of any of these rooms (a connection's own id excludes it). */
  readonly except: ReadonlySet<string>;
}

/** What `fetchConnections()` resolves to: a plain description, the same on every node. */
export interface ConnectionSummary {
  id: string;
  namespace: string;
  rooms: string[];
  protocol: ProtocolName;
  transport: string;
  nodeId: string;
}

/**
 * Rooms of one namespace and delivery to them. The in-memory adapter serves
 * one process; a cluster adapter implements the same interface over Redis,
 * and nothing above it learns which one runs.
 */
export interface Adapter {
  /** Adds a connection to rooms. */
  addAll(id: string, rooms: Iterable<string>): void;
  /** Removes a connection from one room. */
  del(id: string, room: string): void;
  /** Removes a connection from every room (it closed). */
  delAll(id: string): void;
  /** The rooms of a local connection, its own id included; undefined for an unknown id. */
  socketRooms(id: string): ReadonlySet<string> | undefined;
  /** Ids of the local connections the options select. */
  sockets(options: BroadcastOptions): Set<string>;
  /** Sends a packet to every connection the options select. */
  broadcast(packet: OutgoingPacket, options: BroadcastOptions): void;
  /** Makes the selected connections join rooms. */
  addSockets(options: BroadcastOptions, rooms: readonly string[]): void;
  /** Makes the selected connections leave rooms. */
  delSockets(options: BroadcastOptions, rooms: readonly string[]): void;
  /** Ends the selected connections from the server side. */
  disconnectSockets(options: BroadcastOptions): void;
  /** Describes the selected connections. */
  fetchSockets(options: BroadcastOptions): Promise<ConnectionSummary[]>;
}
