import type { IncomingHttpHeaders } from 'node:http';
import type { ConnectionSummary } from './hub/adapter';
import { BroadcastOperator } from './hub/broadcast-operator';
import type { HubNamespace } from './hub/hub-namespace';
import type { ProtocolName } from './hub/member';
import type { OutgoingPacket } from './hub/packet';

/** A value JSON can carry; what a `~j~` message arrives as. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What `onMessage` receives: a string as the client sent it, or parsed JSON. */
export type IncomingMessage = string | JsonValue;

/** What the HTTP request that opened a connection looked like. */
export interface RequestInfo {
  /** The peer's address (the first `X-Forwarded-For` hop when the router trusts a proxy). */
  remoteAddress: string;
  headers: IncomingHttpHeaders;
  /** The query string, parsed; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  cookies: Record<string, string>;
  /** The request path and query as received. */
  url: string;
  /** True over TLS. */
  secure: boolean;
}

/** Handed to `onOpen`: who connected, how, and from where. */
export interface ConnectionInfo {
  sessionId: string;
  /** The transport it came over: one of the 0.6 transport names today. */
  transport: string;
  /** The client generation: '0.6' for Socket.IO 0.6 clients. */
  protocol: ProtocolName;
  /** '/' for 0.6 clients, which have no namespaces. */
  namespace: string;
  /** What the client sent to authenticate (v4's CONNECT payload); {} where it sent none. */
  auth: Record<string, unknown>;
  request: RequestInfo;
  /** The path part captured by the router's `extraRe`, or null. */
  extra: string | null;
}

/** `onOpen` may refuse a connection by returning false, or a promise of false. */
export type OpenResult = boolean | void | Promise<boolean | void>;

/** What a connection needs from the session behind it; internal to tornadio. */
export interface SessionControl {
  readonly id: string;
  readonly transport: string;
  readonly protocol: ProtocolName;
  readonly namespace: string;
  readonly isClosed: boolean;
  /** The namespace the connection is in: its rooms and broadcasts. */
  readonly space: HubNamespace;
  /** Encodes and queues a packet for this client; throws a TypeError for a value the protocol cannot carry. */
  sendPacket(packet: OutgoingPacket): void;
  close(): void;
}

/**
 * `connection.broadcast`: called, it sends a message to every other
 * connection of the namespace (Socket.IO-node 0.6's `client.broadcast`); its
 * members are Socket.IO v4's `socket.broadcast` operator.
 */
export interface Broadcast {
  (message: unknown): void;
  emit(event: string, ...args: unknown[]): true;
  send(message: unknown): BroadcastOperator;
  to(room: string | readonly string[]): BroadcastOperator;
  in(room: string | readonly string[]): BroadcastOperator;
  except(room: string | readonly string[]): BroadcastOperator;
}

const NO_ROOMS: ReadonlySet<string> = new Set();

/**
 * One client connection, whatever transport carries it. Subclass it and
 * override `onMessage` (and, if you like, `onOpen` and `onClose`); tornadio
 * creates one instance per session.
 *
 * ```ts
 * class Echo extends SocketConnection {
 *   onMessage(message: IncomingMessage) { this.send(message); }
 * }
 * ```
 */
export class SocketConnection {
  // Private so a subclass's own fields can never collide with tornadio's.
  readonly #session: SessionControl;
  #broadcast: Broadcast | null = null;

  constructor(session: SessionControl) {
    this.#session = session;
  }

  /** Called once when the client connects. Return false (or a promise of false) to refuse it. */
  onOpen(_info: ConnectionInfo): OpenResult {
    return undefined;
  }

  /** Called for every message the client sends; JSON messages arrive parsed. The default ignores them. */
  onMessage(_message: IncomingMessage): void | Promise<void> {
    return undefined;
  }

  /** Called exactly once when the connection ends, whoever ended it. */
  onClose(): void | Promise<void> {
    return undefined;
  }

  /**
   * Sends to this client: a string as is, an object as JSON, an array as one
   * message per element. Throws a TypeError for a value JSON cannot encode.
   */
  send(message: unknown): void {
    this.#session.sendPacket({ type: 'message', data: message });
  }

  /**
   * Sends an event. A 0.6 client, which has no events, gets the JSON message
   * `{"name": event, "args": [...]}`.
   */
  emit(event: string, ...args: unknown[]): true {
    this.#session.sendPacket({ type: 'event', name: event, args });
    return true;
  }

  /** Every other connection of the namespace: `broadcast(msg)`, or `broadcast.emit/to/except(...)`. */
  get broadcast(): Broadcast {
    if (!this.#broadcast) {
      const others = this.#others();
      this.#broadcast = Object.assign((message: unknown): void => void others.send(message), {
        emit: (event: string, ...args: unknown[]): true => others.emit(event, ...args),
        send: (message: unknown): BroadcastOperator => others.send(message),
        to: (room: string | readonly string[]): BroadcastOperator => others.to(room),
        in: (room: string | readonly string[]): BroadcastOperator => others.to(room),
        except: (room: string | readonly string[]): BroadcastOperator => others.except(room),
      });
    }
    return this.#broadcast;
  }

  /** Members of `room` but this connection (Socket.IO v4's `socket.to`). */
  to(room: string | readonly string[]): BroadcastOperator {
    return this.#others().to(room);
  }

  /** The same as `to`. */
  in(room: string | readonly string[]): BroadcastOperator {
    return this.to(room);
  }

  /** Every other connection of the namespace but members of `room`. */
  except(room: string | readonly string[]): BroadcastOperator {
    return this.#others().except(room);
  }

  #others(): BroadcastOperator {
    return new BroadcastOperator(this.#session.space).except(this.#session.id);
  }

  /** Joins a room (or several). Joining again is harmless; a closed connection joins nothing. */
  join(room: string | readonly string[]): void {
    if (this.#session.isClosed) return;
    this.#session.space.adapter.addAll(this.#session.id, typeof room === 'string' ? [room] : room);
  }

  /** Leaves a room. Every room is left by itself when the connection closes. */
  leave(room: string): void {
    this.#session.space.adapter.del(this.#session.id, room);
  }

  /** The rooms this connection is in, its own id among them (as in Socket.IO v4). */
  get rooms(): ReadonlySet<string> {
    const session = this.#session;
    return session.space.adapter.socketRooms(session.id) ?? (session.isClosed ? NO_ROOMS : new Set([session.id]));
  }

  /** Ends the connection from the server side. Safe to call more than once. */
  close(): void {
    this.#session.close();
  }

  /** The same as `close()` (Socket.IO's name). */
  disconnect(): this {
    this.#session.close();
    return this;
  }

  /** The connection id: the session id on 0.6, and this connection's own room. */
  get id(): string {
    return this.#session.id;
  }

  get sessionId(): string {
    return this.#session.id;
  }

  get namespace(): string {
    return this.#session.namespace;
  }

  get protocol(): ProtocolName {
    return this.#session.protocol;
  }

  /** The transport this connection came over. */
  get transport(): string {
    return this.#session.transport;
  }

  get isClosed(): boolean {
    return this.#session.isClosed;
  }
}

/** A `SocketConnection` subclass the router can instantiate. */
export type ConnectionClass<T extends SocketConnection = SocketConnection> = new (session: SessionControl) => T;

export type { BroadcastOperator, ConnectionSummary };
