import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionClass } from '../../connection';
import { RequestError } from '../../errors';
import { CLIENT_06_PATH, CLIENT_V4_PATH, serveClientFile } from '../../http/client-file';
import { OriginPolicy } from '../../http/origin';
import type { LaneClaim, LaneHead } from '../../http/lane/lane';
import { refuseRequest, refuseUpgrade } from '../../http/refusal';
import { describeRequest, type RequestHead } from '../../http/request-info';
import type { RegisteredSession } from '../../hub/session-registry';
import type { SessionHub } from '../../hub/session-hub';
import type { Logger } from '../../logger';
import { DeadlineClock } from '../../session/deadline-clock';
import { FlushScheduler } from '../../session/flush-scheduler';
import { HeartbeatClock } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import type { ClaimedRequest, ProtocolEnvironment, ProtocolServer } from '../registry';
import { AnnotatedFraming } from './annotated/framing';
import { V06_FRAMING, type Framing } from './framing';
import { SocketIoPathMatcher, type SocketIoPath } from './paths';
import { Session, type SessionHost, type SessionOptions } from './session';
import type { SessionSink } from './sink';
import type { TransportName } from './transport-names';
import type { HttpTransport, TransportContext, TransportRequest, UpgradeRequest, UpgradeTransport } from './transports/transport';
import { LongPollTransport } from './transports/polling';
import type { V06_TRANSPORTS } from './index';

/** Transports that keep a connection open and so need heartbeats to notice a dead peer. */
const HEARTBEAT_TRANSPORTS: ReadonlySet<TransportName> = new Set(['websocket', 'flashsocket', 'xhr-multipart', 'htmlfile']);

const isV06Session = (session: RegisteredSession): session is Session => session instanceof Session;

/** A request in 0.6's shape: what the transports read, and how the router has it served. */
class V06Request implements ClaimedRequest, TransportRequest {
  constructor(
    private readonly server: V06Server,
    readonly req: IncomingMessage,
    readonly path: SocketIoPath,
    readonly search: string,
  ) {}

  serve(res: ServerResponse): void {
    this.server.serve(this, res);
  }

  upgrade(socket: Duplex, head: Buffer): void {
    this.server.upgrade(this, socket, head);
  }
}

/**
 * Socket.IO 0.6 inside one router: reads 0.6 paths, hands each request to
 * its transport, opens sessions in the hub, and runs what every 0.6 session
 * shares (heartbeat clock, poll deadlines, flush scheduling).
 */
export class V06Server implements ProtocolServer, TransportContext, SessionHost {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly origins: OriginPolicy;
  readonly pollDeadlines: DeadlineClock;
  /** `~m~`, or the seed fork's annotated framing whose realms reach the router's namespaces. */
  readonly framing: Framing;
  readonly #connectionClass: ConnectionClass;
  readonly #paths: SocketIoPathMatcher;
  readonly #httpTransports = new Map<TransportName, HttpTransport>();
  readonly #upgradeTransports = new Map<TransportName, UpgradeTransport>();
  readonly #flushes = new FlushScheduler();
  readonly #streamingSessionOptions: SessionOptions;
  readonly #pollingSessionOptions: SessionOptions;

  constructor(environment: ProtocolEnvironment, transports: typeof V06_TRANSPORTS) {
    const { settings } = environment;
    this.settings = settings;
    this.logger = settings.logger;
    this.hub = environment.hub;
    this.#connectionClass = environment.connectionClass;
    this.framing = settings.framing === 'annotated' ? this.#annotatedFraming(settings) : V06_FRAMING;
    this.origins = new OriginPolicy(settings.origins);
    this.pollDeadlines = new DeadlineClock(settings.ms.xhrPollingTimeout);
    this.#paths = new SocketIoPathMatcher(settings.resource, settings.extraRe, settings.extraSep);
    const limits = { maxQueuedMessages: settings.maxQueuedMessages, maxQueuedBytes: settings.maxQueuedBytes };
    // Shared by every session of a kind: one object, not one per session.
    this.#streamingSessionOptions = { ...limits, heartbeats: new HeartbeatClock(settings.ms.heartbeatInterval) };
    this.#pollingSessionOptions = { ...limits, heartbeats: null };
    for (const transport of transports) {
      if (!settings.enabledProtocols.has(transport.name)) continue;
      if (transport.kind === 'http') this.#httpTransports.set(transport.name, transport.create(this));
      else this.#upgradeTransports.set(transport.name, transport.create(this));
    }
  }

  #annotatedFraming(settings: ResolvedRouterSettings): Framing {
    const classes = new Map<string, ConnectionClass>(Object.entries(settings.namespaces));
    return new AnnotatedFraming({
      hub: this.hub,
      logger: this.logger,
      // `/` is the session's own connection; a realm reaches any other namespace of the router.
      connectionClassFor: (namespace) => (namespace === '/' ? undefined : classes.get(namespace)),
    });
  }

  claim(req: IncomingMessage, pathname: string, search: string): ClaimedRequest | null {
    const path = this.#paths.parse(pathname);
    return path ? new V06Request(this, req, path, search) : null;
  }

  /**
   * On the HTTP lane: the websocket and flashsocket upgrades, and the GETs
   * and POSTs of xhr-polling and jsonp-polling. The streams (xhr-multipart,
   * htmlfile), preflights and the client file are left to node:http.
   */
  claimLane(head: LaneHead, pathname: string, search: string): LaneClaim | null {
    const path = this.#paths.parse(pathname);
    if (!path || path.target === 'socket.io.js') return null;
    if (head.upgrade) return this.#upgradeTransports.has(path.target) ? this.#laneUpgrade(head, path, search) : null;
    const { method } = head;
    const transport = this.#httpTransports.get(path.target);
    if ((method !== 'GET' && method !== 'POST') || !(transport instanceof LongPollTransport)) return null;
    return {
      bodyLimit: this.settings.maxBodySize,
      serveBody: (body, answer) => transport.serveOnLane({ req: head, path, search }, method, body, answer),
    };
  }

  #laneUpgrade(head: LaneHead, path: SocketIoPath, search: string): LaneClaim {
    return {
      bodyLimit: 0,
      upgrade: (socket, rest) => {
        try {
          this.upgrade({ req: head, path, search }, socket, rest);
        } catch (error) {
          refuseUpgrade(socket, error, this.logger);
        }
      },
    };
  }

  sessionIdOf(_req: IncomingMessage, pathname: string): string | null {
    const path = this.#paths.parse(pathname);
    // A 0.6 websocket never names a session: the server sends the id as the first frame.
    if (!path || path.target === 'socket.io.js' || this.#upgradeTransports.has(path.target)) return null;
    return path.segments[0] || null;
  }

  /** Serves a claimed HTTP request; never throws. */
  serve(request: V06Request, res: ServerResponse): void {
    const { path } = request;
    try {
      if (path.target === 'socket.io.js') {
        if (!this.settings.serveClient) throw new RequestError('NOT_FOUND', 'the client file is not served');
        // The shipped 0.6 client speaks `~m~`: handing it out from an annotated router gives pages a client that cannot connect.
        if (this.framing.name === 'annotated' && this.settings.clientBundle === '0.6') {
          throw new RequestError('NOT_FOUND', "the 0.6 client speaks ~m~, not this router's annotated framing: serve the seed fork's client yourself");
        }
        serveClientFile(request.req, res, this.settings.clientBundle === 'v4' ? CLIENT_V4_PATH : CLIENT_06_PATH);
        return;
      }
      const transport = this.#httpTransports.get(path.target);
      if (!transport) {
        if (this.#upgradeTransports.has(path.target)) throw new RequestError('BAD_REQUEST', `${path.target} needs a WebSocket upgrade`);
        throw new RequestError('TRANSPORT_DISABLED', `transport ${path.target} is not enabled`);
      }
      transport.handleRequest(request, res);
    } catch (error) {
      refuseRequest(res, error, this.logger);
    }
  }

  /** Serves a claimed upgrade; throws a RequestError to refuse it. */
  upgrade(request: UpgradeRequest, socket: Duplex, head: Buffer): void {
    const { path } = request;
    const transport = path.target === 'socket.io.js' ? undefined : this.#upgradeTransports.get(path.target);
    if (!transport) throw new RequestError('TRANSPORT_DISABLED', `no websocket transport ${path.target} here`);
    const origin = request.req.headers.origin;
    if (!this.origins.allows(typeof origin === 'string' ? origin : undefined)) {
      throw new RequestError('FORBIDDEN_ORIGIN', `origin ${String(origin)} is not allowed`);
    }
    // Before the handshake: a full server answers 503, not an opened-then-closed socket.
    this.hub.checkCapacity();
    transport.handleUpgrade(request, socket, head);
  }

  // ---- TransportContext ----

  openSession(
    transport: TransportName,
    req: RequestHead,
    path: SocketIoPath,
    search: string,
    createSink: (session: Session) => SessionSink,
  ): void {
    const session = new Session(
      this.hub.newSessionId(),
      transport,
      this.#connectionClass,
      this,
      HEARTBEAT_TRANSPORTS.has(transport) ? this.#streamingSessionOptions : this.#pollingSessionOptions,
    );
    this.hub.register(session);
    session.attach(createSink(session));
    void session.open({
      sessionId: session.id,
      transport,
      protocol: '0.6',
      namespace: '/',
      auth: {},
      request: describeRequest(req, search, this.settings.trustProxy),
      extra: path.extra,
    });
  }

  findSession(id: string, transport: TransportName): Session | undefined {
    const session = this.hub.find(id, isV06Session);
    return session && session.transport === transport ? session : undefined;
  }

  countBytes(direction: 'in' | 'out', bytes: number): void {
    if (direction === 'in') this.hub.counters.bytesIn += bytes;
    else this.hub.counters.bytesOut += bytes;
  }

  // ---- SessionHost ----

  scheduleFlush(session: Session): void {
    this.#flushes.schedule(session);
  }
}
