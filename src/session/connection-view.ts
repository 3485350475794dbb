import type { SocketConnection } from '../connection';
import type { Session } from './session';

/**
 * `router.connections`: the open sessions' connections by session id, as a
 * read-only map over the router's own map of sessions, so the router keeps
 * one map, not two.
 */
export class ConnectionView implements ReadonlyMap<string, SocketConnection> {
  constructor(private readonly sessions: ReadonlyMap<string, Session>) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): SocketConnection | undefined {
    return this.sessions.get(id)?.connection;
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  *entries(): MapIterator<[string, SocketConnection]> {
    for (const [id, session] of this.sessions) yield [id, session.connection];
  }

  keys(): MapIterator<string> {
    return this.sessions.keys();
  }

  *values(): MapIterator<SocketConnection> {
    for (const session of this.sessions.values()) yield session.connection;
  }

  [Symbol.iterator](): MapIterator<[string, SocketConnection]> {
    return this.entries();
  }

  forEach(callback: (connection: SocketConnection, id: string, map: ReadonlyMap<string, SocketConnection>) => void, thisArg?: unknown): void {
    for (const [id, session] of this.sessions) callback.call(thisArg, session.connection, id, this);
  }
}
