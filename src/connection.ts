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
  /**
   * True for a v4 connection brought back by connection state recovery
   * (setting `recovery`): same id, its rooms already joined, its missed
   * packets sent right after `onOpen`. False or absent otherwise.
   */
  recovered?: boolean;
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
  /**
   * Encodes and queues a packet for this client; throws a TypeError for a
   * value the protocol cannot carry. `ack` is called with the client's
   * acknowledgement, where the protocol has them (false is returned where it
   * has none: 0.6).
   */
  sendPacket(packet: OutgoingPacket, ack?: AckCallback): boolean;
  /** Logs a user callback's failure against this connection (it stays open). */
  reportError(what: string, error: unknown): void;
  close(): void;
}

/** Called with the arguments of an acknowledgement. */
export type AckCallback = (...args: unknown[]) => void;

/** A handler registered with `on`: the event's arguments, then the ack function when the client asked for one. */
export type EventHandler = (...args: never[]) => unknown;

/**
 * A handler that takes anything: checked bivariantly (it is a method's
 * type), so untyped code may register `(a: number) => …` as Socket.IO lets it.
 */
export type AnyEventHandler = { handle(...args: unknown[]): unknown }['handle'];

/**
 * Event name → the handler's signature (the ack function last, when there
 * is one), as socket.io's typed events. Written as an interface or a type.
 */
export type EventsMap = object;

/** The events of a connection whose subclass names none (every name, every argument list). */
export type DefaultEventsMap = { [event: string]: AnyEventHandler };

type EventNames<Map extends EventsMap> = keyof Map & string;
/** The parameters of an event's handler (unknown[] for a key that is no function). */
type EventArgs<Map extends EventsMap, E extends EventNames<Map>> = Map[E] extends (...args: infer A) => unknown ? A : unknown[];
type AllButLast<T extends unknown[]> = T extends [...infer Head, unknown] ? Head : T;
type Last<T extends unknown[]> = T extends [...unknown[], infer L] ? L : unknown;
type FirstArgument<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : unknown;
/** The ack arguments of an event whose last parameter is its ack function. */
type AckArguments<F> = F extends (...args: infer A) => unknown ? A : unknown[];
/** What `emitWithAck` resolves to: the ack function's first argument. */
export type AckResult<Map extends EventsMap, E extends EventNames<Map>> = FirstArgument<Last<EventArgs<Map, E>>>;

/** What `timeout(ms)` returns: `emit` and `emitWithAck` with a deadline on the acknowledgement. */
export interface TimedEmitter<Emit extends EventsMap = DefaultEventsMap> {
  /** The last argument, a callback, gets an Error first if no ack came in time, else null and the ack arguments. */
  emit<E extends EventNames<Emit>>(
    event: E,
    ...args: [...AllButLast<EventArgs<Emit, E>>, (error: Error | null, ...ack: AckArguments<Last<EventArgs<Emit, E>>>) => void]
  ): true;
  emitWithAck<E extends EventNames<Emit>>(event: E, ...args: AllButLast<EventArgs<Emit, E>>): Promise<AckResult<Emit, E>>;
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
 * tornadio's own door into a connection, for protocol code only (not
 * exported from the package): the `message` event runs `onMessage` and the
 * `on('message')` handlers, which `onEvent` does not.
 */
export const connectionInternals: {
  runHandlers(connection: SocketConnection, event: string, args: unknown[], ack?: AckCallback): void;
} = { runHandlers: () => undefined };

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
export class SocketConnection<Listen extends EventsMap = DefaultEventsMap, Emit extends EventsMap = DefaultEventsMap> {
  // Private so a subclass's own fields can never collide with tornadio's.
  readonly #session: SessionControl;
  #broadcast: Broadcast | null = null;
  #handlers: Map<string, EventHandler[]> | null = null;

  static {
    connectionInternals.runHandlers = (connection, event, args, ack) => connection.callHandlers(event, args, ack);
  }

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
   * Sends an event. A function as the last argument is an ack callback,
   * called with the client's ack arguments. A 0.6 client, which has no
   * events, gets the JSON message `{"name": event, "args": [...]}`.
   */
  emit<E extends EventNames<Emit>>(event: E, ...sent: EventArgs<Emit, E>): true {
    const args: unknown[] = [...sent];
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckCallback) : undefined;
    this.#session.sendPacket({ type: 'event', name: event, args }, ack);
    return true;
  }

  /** A promise of the client's first ack argument; rejects at once on a client that cannot acknowledge (0.6). */
  emitWithAck<E extends EventNames<Emit>>(event: E, ...sent: AllButLast<EventArgs<Emit, E>>): Promise<AckResult<Emit, E>> {
    const args: unknown[] = [...sent];
    return new Promise((resolve, reject) => {
      const acked = this.#session.sendPacket({ type: 'event', name: event, args }, (first: unknown) => resolve(first as AckResult<Emit, E>));
      if (!acked) reject(new Error(`a ${this.#session.protocol} client cannot acknowledge`));
    });
  }

  /** `emit`/`emitWithAck` whose acknowledgement must come within `ms` milliseconds. */
  timeout(ms: number): TimedEmitter<Emit> {
    const session = this.#session;
    const withDeadline = (callback: (error: Error | null, ...rest: unknown[]) => void): AckCallback => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        callback(new Error('operation has timed out'));
      }, ms);
      return (...rest: unknown[]) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        callback(null, ...rest);
      };
    };
    const timed = {
      emit: (event: string, ...sent: unknown[]): true => {
        const args = [...sent];
        const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as (error: Error | null, ...rest: unknown[]) => void) : null;
        if (!callback) {
          session.sendPacket({ type: 'event', name: event, args });
          return true;
        }
        const ack = withDeadline(callback);
        // A client that cannot acknowledge times out, as a silent one would.
        session.sendPacket({ type: 'event', name: event, args }, ack);
        return true;
      },
      emitWithAck: (event: string, ...args: unknown[]): Promise<unknown> =>
        new Promise((resolve, reject) => {
          const ack = withDeadline((error, first) => (error ? reject(error) : resolve(first)));
          session.sendPacket({ type: 'event', name: event, args }, ack);
        }),
    };
    // The typed signatures are checked where they are called; the bodies above work on plain values.
    return timed as unknown as TimedEmitter<Emit>;
  }

  /**
   * Registers a handler for a client event. It gets the event's arguments
   * and, when the client asked for an acknowledgement, an ack function last.
   */
  on<E extends EventNames<Listen>>(event: E, handler: Listen[E]): this {
    this.#handlers ??= new Map();
    const list = this.#handlers.get(event);
    if (list) list.push(handler as EventHandler);
    else this.#handlers.set(event, [handler as EventHandler]);
    return this;
  }

  /** Removes a handler registered with `on` (or every handler of the event, without one). */
  off<E extends EventNames<Listen>>(event: E, handler?: Listen[E]): this {
    const list = this.#handlers?.get(event);
    if (!list) return this;
    const kept = handler ? list.filter((candidate) => candidate !== handler) : [];
    if (kept.length > 0) this.#handlers?.set(event, kept);
    else this.#handlers?.delete(event);
    return this;
  }

  /**
   * Called for every client event but `message`; the default calls the
   * handlers registered with `on`. Override it to route events yourself
   * (Tornadio2's `on_event`). An event with no handler is ignored.
   */
  onEvent(event: string, args: unknown[], ack?: AckCallback): void | Promise<void> {
    this.callHandlers(event, args, ack);
  }

  /** Runs the `on` handlers of an event; a throw or rejection is logged and the connection stays open. */
  protected callHandlers(event: string, args: unknown[], ack?: AckCallback): void {
    const list = this.#handlers?.get(event);
    if (!list) return;
    const callArgs = (ack ? [...args, ack] : args) as never[];
    for (const handler of list) {
      try {
        const result = handler(...callArgs);
        if (result instanceof Promise) result.catch((error: unknown) => this.#session.reportError(`handler for "${event}"`, error));
      } catch (error) {
        this.#session.reportError(`handler for "${event}"`, error);
      }
    }
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
