import type { Adapter, BroadcastOptions } from './adapter';
import { ConnectionView } from './connection-view';
import { InMemoryAdapter } from './in-memory-adapter';
import { LocalNamespace } from './local-namespace';
import type { Member } from './member';
import type { OutgoingPacket } from './packet';

/** Builds a namespace's adapter; the cluster issue passes one that speaks Redis. */
export type AdapterFactory = (local: LocalNamespace, nodeId: string) => Adapter;

export const inMemoryAdapter: AdapterFactory = (local, nodeId) => new InMemoryAdapter(local, nodeId);

/**
 * One namespace of a router: its live members in this process and the
 * adapter that keeps its rooms. A member's life here: rooms it joins (from
 * `onOpen` on), `entered` once `onOpen` accepts (it receives broadcasts),
 * `left` when it closes or is refused (out of every room).
 */
export class HubNamespace {
  readonly local: LocalNamespace;
  readonly adapter: Adapter;
  readonly connections: ConnectionView;

  constructor(
    readonly name: string,
    nodeId: string,
    createAdapter: AdapterFactory,
  ) {
    this.local = new LocalNamespace(name);
    this.adapter = createAdapter(this.local, nodeId);
    this.connections = new ConnectionView(this.local);
  }

  /** `onOpen` accepted: broadcasts reach the member from now on. */
  entered(member: Member): void {
    this.local.add(member);
  }

  /** The member closed or was refused: out of the namespace and every room (rooms left empty go too). */
  left(member: Member): void {
    this.local.delete(member);
    this.adapter.delAll(member.id);
  }

  broadcast(packet: OutgoingPacket, options: BroadcastOptions): void {
    this.adapter.broadcast(packet, options);
  }
}
