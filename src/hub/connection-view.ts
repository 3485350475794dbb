import type { SocketConnection } from '../connection';
import type { LocalNamespace } from './local-namespace';

/**
 * `router.connections`: the open connections of a namespace by id, as a
 * read-only map over the namespace's own map of members, so the hub keeps
 * one map, not two.
 */
export class ConnectionView implements ReadonlyMap<string, SocketConnection> {
  constructor(private readonly members: LocalNamespace) {}

  get size(): number {
    return this.members.size;
  }

  get(id: string): SocketConnection | undefined {
    return this.members.get(id)?.connection;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  *entries(): MapIterator<[string, SocketConnection]> {
    for (const member of this.members.members()) yield [member.id, member.connection];
  }

  keys(): MapIterator<string> {
    return this.members.ids();
  }

  *values(): MapIterator<SocketConnection> {
    for (const member of this.members.members()) yield member.connection;
  }

  [Symbol.iterator](): MapIterator<[string, SocketConnection]> {
    return this.entries();
  }

  forEach(callback: (connection: SocketConnection, id: string, map: ReadonlyMap<string, SocketConnection>) => void, thisArg?: unknown): void {
    for (const member of this.members.members()) callback.call(thisArg, member.connection, member.id, this);
  }
}
