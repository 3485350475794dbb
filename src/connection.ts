import type { IncomingHttpHeaders } from 'node:http';
import type { TransportName } from './settings';

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
  transport: TransportName;
  request: RequestInfo;
  /** The path part captured by the router's `extraRe`, or null. */
  extra: string | null;
}

/** `onOpen` may refuse a connection by returning false, or a promise of false. */
export type OpenResult = boolean | void | Promise<boolean | void>;

/** What a connection needs from the session behind it; internal to tornadio. */
export interface SessionControl {
  readonly id: string;
  readonly transport: TransportName;
  readonly isClosed: boolean;
  sendMessage(message: unknown): void;
  broadcastMessage(message: unknown): void;
  close(): void;
}

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
export abstract class SocketConnection {
  // Private so a subclass's own fields can never collide with tornadio's.
  readonly #session: SessionControl;

  constructor(session: SessionControl) {
    this.#session = session;
  }

  /** Called once when the client connects. Return false (or a promise of false) to refuse it. */
  onOpen(_info: ConnectionInfo): OpenResult {
    return undefined;
  }

  /** Called for every message the client sends; JSON messages arrive parsed. */
  abstract onMessage(message: IncomingMessage): void | Promise<void>;

  /** Called exactly once when the connection ends, whoever ended it. */
  onClose(): void | Promise<void> {
    return undefined;
  }

  /**
   * Sends to this client: a string as is, an object as JSON, an array as one
   * message per element. Throws a TypeError for a value JSON cannot encode.
   */
  send(message: unknown): void {
    this.#session.sendMessage(message);
  }

  /** Sends to every other connection of the same router, as Socket.IO-node 0.6's `client.broadcast` did. */
  broadcast(message: unknown): void {
    this.#session.broadcastMessage(message);
  }

  /** Ends the connection from the server side. Safe to call more than once. */
  close(): void {
    this.#session.close();
  }

  get sessionId(): string {
    return this.#session.id;
  }

  /** The transport this connection came over. */
  get transport(): TransportName {
    return this.#session.transport;
  }

  get isClosed(): boolean {
    return this.#session.isClosed;
  }
}

/** A `SocketConnection` subclass the router can instantiate. */
export type ConnectionClass<T extends SocketConnection = SocketConnection> = new (session: SessionControl) => T;
