import { STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveClientFile } from './client-file';
import { SocketConnection, type ConnectionClass } from './connection';
import { RequestError, respondError } from './errors';
import { describeRequest } from './http/request-info';
import { OriginPolicy } from './http/origin';
import { describeError, type Logger } from './logger';
import { encodeOutgoing } from './protocol/codec';
import { generateSessionId } from './protocol/session-id';
import { SocketIoPathMatcher, splitUrl, truncate, type SocketIoPath } from './protocol/url';
import { ConnectionView } from './session/connection-view';
import { FlushScheduler } from './session/flush-scheduler';
import { HeartbeatClock } from './session/heartbeat-clock';
import { Session, type SessionHost, type SessionOptions } from './session/session';
import type { SessionSink } from './session/sink';
import { SessionStore } from './session/store';
import {
  TRANSPORT_NAMES,
  resolveRouterSettings,
  secondsToMs,
  type ResolvedRouterSettings,
  type RouterSettings,
  type TransportName,
} from './settings';
import { HtmlfileTransport } from './transports/htmlfile';
import { PollDeadlines } from './transports/poll-deadlines';
import { JsonpPollingTransport } from './transports/jsonp-polling';
import type { HttpTransport, TransportContext, UpgradeTransport } from './transports/transport';
import { createWebSocketServer, WebSocketTransport } from './transports/websocket';
import { XhrMultipartTransport } from './transports/xhr-multipart';
import { XhrPollingTransport } from './transports/xhr-polling';

/** A plain request handler, as an `Application` route or a fallback. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `router.route()` gives an `Application`: the path pattern and the router serving it. */
export type SocketRoute = readonly [RegExp, SocketRouter];

/** Counters for a dashboard; `router.stats` returns a fresh snapshot. */
export interface RouterStats {
  /** Open connections, in all and by transport. */
  connections: number;
  connectionsByTransport: Record<TransportName, number>;
  sessionsCreated: number;
  sessionsClosed: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Transports that keep a connection open and so need heartbeats to notice a dead peer. */
const HEARTBEAT_TRANSPORTS: ReadonlySet<TransportName> = new Set(['websocket', 'flashsocket', 'xhr-multipart', 'htmlfile']);

/**
 * Serves one `SocketConnection` class under one resource: dispatches HTTP
 * requests and upgrades to the six transports, owns the sessions, and
 * broadcasts. Tornadio's `get_router()` returns one of these.
 */
export class SocketRouter implements SessionHost, TransportContext {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly origins: OriginPolicy;
  readonly pollDeadlines: PollDeadlines;
  readonly #connectionClass: ConnectionClass;
  readonly #paths: SocketIoPathMatcher;
  readonly #store: SessionStore;
  /** Open sessions by id (a closed one may linger in the store to hand out its last frames). */
  readonly #open = new Map<string, Session>();
  readonly #connections = new ConnectionView(this.#open);
  readonly #httpTransports = new Map<TransportName, HttpTransport>();
  readonly #upgradeTransports = new Map<TransportName, UpgradeTransport>();
  readonly #flushes = new FlushScheduler();
  readonly #streamingSessionOptions: SessionOptions;
  readonly #pollingSessionOptions: SessionOptions;
  readonly #counters = { sessionsCreated: 0, sessionsClosed: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  #closed = false;

  constructor(connectionClass: ConnectionClass, settings?: RouterSettings) {
    if (typeof connectionClass !== 'function') {
      throw new TypeError('tornadio: getRouter() needs a SocketConnection subclass as its first argument');
    }
    this.settings = resolveRouterSettings(settings);
    this.logger = this.settings.logger;
    this.origins = new OriginPolicy(this.settings.origins);
    this.pollDeadlines = new PollDeadlines(secondsToMs(this.settings.xhrPollingTimeout));
    this.#connectionClass = connectionClass;
    this.#paths = new SocketIoPathMatcher(this.settings.resource, this.settings.extraRe, this.settings.extraSep);
    this.#store = new SessionStore(secondsToMs(this.settings.sessionExpiry), secondsToMs(this.settings.sessionCheckInterval));
    const limits = { maxQueuedMessages: this.settings.maxQueuedMessages, maxQueuedBytes: this.settings.maxQueuedBytes };
    // Shared by every session of a kind: one object, not one per session.
    this.#streamingSessionOptions = { ...limits, heartbeats: new HeartbeatClock(secondsToMs(this.settings.heartbeatInterval)) };
    this.#pollingSessionOptions = { ...limits, heartbeats: null };
    this.#createTransports();
  }

  #createTransports(): void {
    const enabled = this.settings.enabledProtocols;
    const wsServer = enabled.has('websocket') || enabled.has('flashsocket') ? createWebSocketServer(this.settings.maxMessageSize) : null;
    for (const name of TRANSPORT_NAMES) {
      if (!enabled.has(name)) continue;
      switch (name) {
        case 'websocket':
        case 'flashsocket':
          this.#upgradeTransports.set(name, new WebSocketTransport(name, this, wsServer ?? undefined));
          break;
        case 'xhr-polling':
          this.#httpTransports.set(name, new XhrPollingTransport(name, this));
          break;
        case 'jsonp-polling':
          this.#httpTransports.set(name, new JsonpPollingTransport(name, this));
          break;
        case 'xhr-multipart':
          this.#httpTransports.set(name, new XhrMultipartTransport(name, this));
          break;
        case 'htmlfile':
          this.#httpTransports.set(name, new HtmlfileTransport(name, this));
          break;
      }
    }
  }

  /** The route to put in an `Application`. */
  route(): SocketRoute {
    return [this.#paths.routePattern, this];
  }

  /** Open connections by session id. */
  get connections(): ReadonlyMap<string, SocketConnection> {
    return this.#connections;
  }

  get stats(): RouterStats {
    const connectionsByTransport = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, 0])) as Record<TransportName, number>;
    for (const session of this.#open.values()) connectionsByTransport[session.transport]++;
    return { connections: this.#open.size, connectionsByTransport, ...this.#counters };
  }

  /** Whether a request path falls under this router's resource. */
  owns(url: string | undefined): boolean {
    return this.#paths.owns(splitUrl(url ?? '').pathname);
  }

  /**
   * Sends a message to every open connection, or all but `except` (one
   * connection or a list). The frame is encoded once, whatever the count.
   */
  broadcast(message: unknown, except?: SocketConnection | readonly SocketConnection[] | null): void {
    const frames = encodeOutgoing(message);
    const skip = except ? new Set<SocketConnection>(except instanceof SocketConnection ? [except] : except) : null;
    for (const session of this.#open.values()) {
      if (!skip?.has(session.connection)) session.receiveBroadcast(frames);
    }
  }

  // ---- HTTP ----

  /** Serves one request under this router's resource. Never throws: faults are answered with a status. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'server is shutting down');
      const request = this.#parse(req);
      if (request.path.target === 'socket.io.js') {
        if (!this.settings.serveClient) throw new RequestError('NOT_FOUND', 'the client file is not served');
        serveClientFile(req, res);
        return;
      }
      const transport = this.#httpTransports.get(request.path.target);
      if (!transport) {
        if (this.#upgradeTransports.has(request.path.target)) {
          throw new RequestError('BAD_REQUEST', `${request.path.target} needs a WebSocket upgrade`);
        }
        throw new RequestError('TRANSPORT_DISABLED', `transport ${request.path.target} is not enabled`);
      }
      transport.handleRequest(request, res);
    } catch (error) {
      this.#refuseRequest(res, error);
    }
  }

  /** Serves one upgrade request; returns false when the path is not this router's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.owns(req.url)) return false;
    try {
      if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'server is shutting down');
      const request = this.#parse(req);
      const transport = request.path.target === 'socket.io.js' ? undefined : this.#upgradeTransports.get(request.path.target);
      if (!transport) throw new RequestError('TRANSPORT_DISABLED', `no websocket transport at ${truncate(req.url ?? '')}`);
      const origin = req.headers.origin;
      if (!this.origins.allows(typeof origin === 'string' ? origin : undefined)) {
        throw new RequestError('FORBIDDEN_ORIGIN', `origin ${String(origin)} is not allowed`);
      }
      this.#checkCapacity();
      transport.handleUpgrade(request, socket, head);
    } catch (error) {
      refuseUpgrade(socket, error, this.logger);
    }
    return true;
  }

  #parse(req: IncomingMessage): { req: IncomingMessage; path: SocketIoPath; search: string } {
    const url = req.url ?? '';
    if (url.length > this.settings.maxUrlLength) {
      throw new RequestError('URL_TOO_LONG', `URL of ${url.length} characters exceeds ${this.settings.maxUrlLength}`);
    }
    const { pathname, search } = splitUrl(url);
    return { req, path: this.#paths.parse(pathname), search };
  }

  #refuseRequest(res: ServerResponse, error: unknown): void {
    if (error instanceof RequestError) {
      this.logger.warn(`${error.code}: ${error.message}`);
      respondError(res, error.code, error.message);
    } else {
      this.logger.error(`request failed: ${describeError(error)}`);
      respondError(res, 'BAD_REQUEST', 'request could not be handled');
    }
  }

  // ---- TransportContext ----

  openSession(
    transport: TransportName,
    req: IncomingMessage,
    path: SocketIoPath,
    search: string,
    createSink: (session: Session) => SessionSink,
  ): void {
    this.#checkCapacity();
    const session = new Session(
      generateSessionId(),
      transport,
      this.#connectionClass,
      this,
      HEARTBEAT_TRANSPORTS.has(transport) ? this.#streamingSessionOptions : this.#pollingSessionOptions,
    );
    this.#store.add(session);
    this.#counters.sessionsCreated++;
    session.attach(createSink(session));
    const info = {
      sessionId: session.id,
      transport,
      request: describeRequest(req, search, this.settings.trustProxy),
      extra: path.extra,
    };
    void session.open(info);
  }

  /** Refuses a new session when `maxSessions` are open already. */
  #checkCapacity(): void {
    const { maxSessions } = this.settings;
    if (maxSessions !== null && this.#store.size >= maxSessions) {
      throw new RequestError('TOO_MANY_SESSIONS', `${maxSessions} sessions are open already`);
    }
  }

  findSession(id: string, transport: TransportName): Session | undefined {
    const session = this.#store.get(id);
    return session && session.transport === transport ? session : undefined;
  }

  countBytes(direction: 'in' | 'out', bytes: number): void {
    if (direction === 'in') this.#counters.bytesIn += bytes;
    else this.#counters.bytesOut += bytes;
  }

  // ---- SessionHost ----

  sessionOpened(session: Session): void {
    this.#open.set(session.id, session);
  }

  sessionClosed(session: Session): void {
    if (this.#open.delete(session.id)) this.#counters.sessionsClosed++;
  }

  releaseSession(session: Session): void {
    this.#store.delete(session);
  }

  broadcastFrames(frames: string[], except: Session | null): void {
    for (const session of this.#open.values()) {
      if (session !== except) session.receiveBroadcast(frames);
    }
  }

  scheduleFlush(session: Session): void {
    this.#flushes.schedule(session);
  }

  countOut(messages: number): void {
    this.#counters.messagesOut += messages;
  }

  countIn(messages: number): void {
    this.#counters.messagesIn += messages;
  }

  // ---- lifecycle ----

  /** Closes every session (each `onClose` runs once) and stops every timer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#store.values()]) session.abort('server shutting down');
    for (const transport of this.#upgradeTransports.values()) transport.close();
  }

  /**
   * Serves this router's requests and upgrades on an existing `http.Server`
   * (or `https.Server`, or one an Express app listens on); every other
   * request goes to the handlers that were there before, untouched.
   */
  attach(server: HttpServer): this {
    const previousRequest = server.listeners('request') as RequestHandler[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.owns(req.url)) {
        this.handleRequest(req, res);
        return;
      }
      if (previousRequest.length === 0) {
        respondError(res, 'NOT_FOUND', 'no handler for this path');
        return;
      }
      for (const handler of previousRequest) handler.call(server, req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.handleUpgrade(req, socket, head) && server.listenerCount('upgrade') === 1) {
        refuseUpgrade(socket, new RequestError('NOT_FOUND', 'no upgrade handler for this path'), this.logger);
      }
    });
    server.on('close', () => this.close());
    return this;
  }
}

/** Answers a refused upgrade with a plain HTTP status on the raw socket, then closes it. */
export function refuseUpgrade(socket: Duplex, error: unknown, logger: Logger): void {
  const status = error instanceof RequestError ? error.status : 400;
  const message = error instanceof RequestError ? `${error.code}: ${error.message}` : 'upgrade could not be handled';
  logger.warn(`upgrade refused: ${message}`);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** Tornadio's `get_router(handler, settings)`: a router serving `connectionClass`. */
export function getRouter(connectionClass: ConnectionClass, settings?: RouterSettings): SocketRouter {
  return new SocketRouter(connectionClass, settings);
}
