import { EventEmitter } from 'node:events';
import type { JsonValue } from '../connection';
import { decodePayload, encodeFrame, encodeOutgoing, interpretMessage } from '../protocols/v06/codec';
import { ClientError } from './errors';
import { createHttpTarget } from './http-request';
import { resolveClientOptions, type ClientTransportName, type ResolvedClientOptions, type SocketIoClientOptions } from './options';
import type { ClientTransport, TransportHost } from './transport';
import { WebSocketTransport } from './websocket';
import { XhrPollingTransport } from './xhr-polling';

/** A message from the server: a string as sent, or a `~j~` JSON message parsed. */
export type ServerMessage = string | JsonValue;

/**
 * What `send()` takes, by the server's rules: a string as is, an object as
 * `~j~` JSON, an array as one message per element, numbers and booleans as
 * text, null and undefined as an empty message.
 */
export type OutgoingMessage = string | number | boolean | null | undefined | object;

/**
 * Why the connection ended: `'client'` (`close()`), `'server'` (the server
 * closed it), `'timeout'` (no data for `heartbeatTimeout` / `pollTimeout`),
 * `'error'` (a network failure, emitted as `'error'` first).
 */
export type DisconnectReason = 'client' | 'server' | 'timeout' | 'error';

/** The events of a `SocketIoClient` and their arguments. */
export interface SocketIoClientEvents {
  /** The session id arrived; `connect()` resolves right after. */
  connect: [];
  message: [message: ServerMessage];
  /** Once per connection that emitted `connect`. */
  disconnect: [reason: DisconnectReason];
  /**
   * A malformed payload or JSON message from the server (the connection goes
   * on), or a network failure (a `disconnect` follows). Emitted only while
   * someone listens: an unheard protocol error never throws.
   */
  error: [error: ClientError];
}

type State = 'new' | 'connecting' | 'open' | 'closed';

/**
 * A Socket.IO 0.6 client for Node over `websocket` or `xhr-polling`. One
 * instance is one session: after a disconnect, make a new one.
 *
 * Attach `message` listeners before `connect()`: what the server sends with
 * the session id is emitted right after `connect`, before the promise resolves
 * its awaiter.
 */
export class SocketIoClient extends EventEmitter<SocketIoClientEvents> {
  readonly transportName: ClientTransportName;
  readonly #options: ResolvedClientOptions;
  readonly #transport: ClientTransport;
  #state: State = 'new';
  #sessionId: string | null = null;
  /** Frames sent but not yet written; written together at the end of the tick. */
  #pending = '';
  #flushScheduled = false;
  #connectTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #connecting: Promise<string> | null = null;
  #resolve: ((sessionId: string) => void) | null = null;
  #reject: ((error: ClientError) => void) | null = null;

  constructor(
    readonly url: string,
    options: SocketIoClientOptions = {},
  ) {
    super();
    const resolved = resolveClientOptions(url, options);
    this.#options = resolved;
    this.transportName = resolved.transport;
    const host: TransportHost = { onPayload: this.#onPayload, onEnd: this.#onEnd };
    if (resolved.transport === 'websocket') {
      const wsUrl = `${resolved.secure ? 'wss' : 'ws'}://${resolved.urlHost}:${resolved.port}/${resolved.resource}/websocket`;
      this.#transport = new WebSocketTransport(wsUrl, resolved.headers, resolved.agent, host);
    } else {
      const target = createHttpTarget(resolved.secure, resolved.hostname, resolved.urlHost, resolved.port, resolved.headers, resolved.agent);
      this.#transport = new XhrPollingTransport(target, resolved.resource, resolved.pollTimeout, host);
    }
  }

  /** The session id the server gave; null before `connect` and after the connection ended. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** True between `connect` and `disconnect`. */
  get connected(): boolean {
    return this.#state === 'open';
  }

  /**
   * Opens the connection. Resolves with the session id once the server sent
   * it; rejects with a `ClientError` (`HTTP_STATUS`, `CONNECTION_REFUSED`,
   * `TIMEOUT`, `CLOSED`...) otherwise. Calling it again returns the same promise.
   */
  connect(): Promise<string> {
    if (this.#state === 'closed') return Promise.reject(new ClientError('CLOSED', 'this client is closed; create a new one to connect again'));
    if (this.#connecting) return this.#connecting;
    this.#state = 'connecting';
    this.#connecting = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const { connectTimeout } = this.#options;
    if (connectTimeout > 0) this.#connectTimer = setTimeout(this.#onConnectTimeout, connectTimeout);
    this.#transport.open();
    return this.#connecting;
  }

  /**
   * Sends a message (an array: one message per element). Before the session
   * id arrives, messages wait and go out on connect. Returns false, sending
   * nothing, once the client is closed. Throws a TypeError for a value JSON
   * cannot encode.
   */
  send(message: OutgoingMessage): boolean {
    if (this.#state === 'closed') return false;
    const frames = encodeOutgoing(message);
    for (let i = 0; i < frames.length; i++) this.#pending += frames[i];
    this.#scheduleFlush();
    return true;
  }

  /**
   * Ends the connection: what `send()` queued is still written, then the
   * transport closes. Emits `disconnect('client')` if connected; a pending
   * `connect()` rejects. Idempotent.
   */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'open' && this.#pending.length > 0) this.#flush();
    // An Error costs a stack trace: made only when a connect() is there to reject.
    this.#end('client', this.#reject ? new ClientError('CLOSED', `${this.transportName} connect to ${this.url}: closed by the client before the session id came`) : null);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#state !== 'open') return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#state !== 'open' || this.#pending.length === 0) return;
    const payload = this.#pending;
    this.#pending = '';
    this.#transport.write(payload);
  };

  readonly #onPayload = (payload: string): void => {
    if (this.#state === 'closed') return;
    this.#idleTimer?.refresh();
    if (payload.length === 0) {
      if (this.#state === 'connecting') this.#end('error', new ClientError('PROTOCOL', `${this.url}: the handshake was answered without a session id`));
      return;
    }
    const { messages, error } = decodePayload(payload);
    for (let i = 0; i < messages.length; i++) {
      // A listener may have closed the client meanwhile.
      if (this.#isClosed()) return;
      this.#onMessageText(messages[i]);
    }
    if (error === undefined || this.#isClosed()) return;
    const problem = new ClientError('PROTOCOL', `malformed payload from ${this.url} (${error}): ${JSON.stringify(payload.slice(0, 100))}`);
    if (this.#state === 'connecting') this.#end('error', problem);
    else this.#emitError(problem);
  };

  #onMessageText(text: string): void {
    if (this.#state === 'connecting') return this.#onSessionId(text);
    const message = interpretMessage(text);
    switch (message.kind) {
      case 'heartbeat':
        // Echo it, as the browser client does: the server closes a connection whose heartbeats go unanswered.
        this.#pending += encodeFrame(text);
        this.#scheduleFlush();
        return;
      case 'text':
        this.emit('message', message.text);
        return;
      case 'json':
        this.emit('message', message.value as JsonValue);
        return;
      case 'invalid':
        this.#emitError(new ClientError('PROTOCOL', `message from ${this.url} dropped: ${message.reason}`));
        return;
    }
  }

  #onSessionId(id: string): void {
    if (id.length === 0) {
      this.#end('error', new ClientError('PROTOCOL', `${this.url}: the server sent an empty session id`));
      return;
    }
    this.#sessionId = id;
    this.#state = 'open';
    this.#clearConnectTimer();
    const { transport, heartbeatTimeout, pollTimeout } = this.#options;
    this.#idleTimer = setTimeout(this.#onIdle, transport === 'websocket' ? heartbeatTimeout : pollTimeout);
    this.#transport.setSessionId(id);
    if (this.#pending.length > 0) this.#scheduleFlush();
    const resolve = this.#resolve;
    this.#resolve = this.#reject = null;
    this.emit('connect');
    resolve?.(id);
  }

  readonly #onEnd = (reason: 'server' | 'error', error: ClientError): void => {
    if (this.#state === 'closed') return;
    if (this.#state === 'open' && reason === 'error') this.#emitError(error);
    this.#end(reason, error);
  };

  readonly #onConnectTimeout = (): void => {
    this.#connectTimer = null;
    if (this.#state !== 'connecting') return;
    this.#end('timeout', new ClientError('TIMEOUT', `${this.transportName} connect to ${this.url}: no session id within ${this.#options.connectTimeout} ms`));
  };

  readonly #onIdle = (): void => {
    if (this.#state === 'open') this.#end('timeout', null);
  };

  /**
   * The one way out: stops the transport and timers, then rejects a pending
   * `connect()` with `error`, or emits `disconnect` once if connected.
   */
  #end(reason: DisconnectReason, error: ClientError | null): void {
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#sessionId = null;
    this.#pending = '';
    this.#clearConnectTimer();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#transport.close();
    const reject = this.#reject;
    this.#resolve = this.#reject = null;
    if (reject) reject(error ?? new ClientError('CLOSED', `${this.transportName} connect to ${this.url}: closed before the session id came`));
    if (wasOpen) this.emit('disconnect', reason);
  }

  /** Re-reads the state (TypeScript narrows a field as if listeners could not change it). */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
  }

  #emitError(error: ClientError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
