import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionClass } from '../../connection';
import { engineIoRefusal, engineIoUpgradeRefusal, refusalFor, RequestError } from '../../errors';
import type { RelayedRequest } from '../../cluster/relay';
import { ResponseAnswer, type HttpAnswer } from '../../http/answer';
import { readBodyBytes, wholeBodyBytes, type BodyBytesCallback } from '../../http/body';
import type { LaneAnswer, LaneClaim, LaneHead } from '../../http/lane/lane';
import { preflightHeaders } from '../../http/preflight';
import { CLIENT_V2_PATH, CLIENT_V4_PATH, serveClientFile } from '../../http/client-file';
import { OriginPolicy } from '../../http/origin';
import { refuseSocket, refuseUpgrade } from '../../http/refusal';
import { describeRequest, type RequestHead } from '../../http/request-info';
import type { SessionHub } from '../../hub/session-hub';
import type { RegisteredSession } from '../../hub/session-registry';
import type { Logger } from '../../logger';
import { DeadlineClock } from '../../session/deadline-clock';
import { FlushScheduler } from '../../session/flush-scheduler';
import { HeartbeatClock } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import { acceptWebSocket, type ServerWebSocket } from '../../websocket/rfc6455';
import type { ClaimedRequest, ProtocolEnvironment, ProtocolServer } from '../registry';
import { EngineCors, type EngineAnswerHeaders } from './cors';
import { queryOf, splitUrl, type QueryLookup } from '../../http/url';
import { EIO4_DIALECT, type EngineDialect } from './dialect';
import { EngineDecodeError } from './engine-codec';
import { EngineSession, type EngineHost, type EngineTransport } from './engine-session';
import { RecoveryStore } from './recovery';
import { NamespaceEncoder, StampingEncoder } from './socket';
import { EIO3_DIALECT } from './v3/dialect';
import { jsonpIndexOf } from './v3/jsonp';


/** Most packets one POST may carry: a client batches what it sent in one tick, never thousands. */
const MAX_PACKETS_PER_POST = 1024;

const isEngineSession = (session: RegisteredSession): session is EngineSession => session instanceof EngineSession;

/**
 * An Engine.IO request: `/<resource>/?EIO=4&transport=…[&sid=…]`, its query
 * read once; read by node:http (served with `serve`) or by the HTTP lane
 * (served with `serveBody`, its body already read).
 */
class EngineRequest implements ClaimedRequest, LaneClaim {
  constructor(
    private readonly server: EioServer,
    readonly req: RequestHead,
    readonly query: QueryLookup,
    readonly search: string,
  ) {}

  serve(res: ServerResponse): void {
    this.server.serve(this, (limit, done) => readBodyBytes(res.req, limit, done), new ResponseAnswer(res));
  }

  get bodyLimit(): number {
    return this.server.settings.maxPayload;
  }

  serveBody(body: Buffer | null, answer: LaneAnswer): void {
    this.server.serve(this, (limit, done) => wholeBodyBytes(body, limit, done), answer);
  }

  upgrade(socket: Duplex, head: Buffer): void {
    try {
      this.server.upgrade(this, socket, head);
    } catch (error) {
      // Refused here rather than by the router, so the client reads engine.io's own words.
      refuseUpgrade(socket, error, this.server.logger, engineIoUpgradeRefusal);
    }
  }
}

/**
 * Engine.IO 4 / Socket.IO 5 inside one router: the handshake, polling and
 * websocket transports, the upgrade between them, and the namespaces the
 * client joins over one session.
 */
export class EioServer implements ProtocolServer, EngineHost {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly #origins: OriginPolicy;
  readonly #cors: EngineCors;
  readonly #path: string;
  readonly #pathWithSlash: string;
  readonly #namespaces: ReadonlyMap<string, ConnectionClass>;
  readonly #encoders = new Map<string, NamespaceEncoder>();
  readonly #stampers = new Map<string, StampingEncoder>();
  readonly recovery: RecoveryStore | null;
  readonly #handshakeTails = new Map<EngineDialect, Partial<Record<EngineTransport, string>>>();
  readonly flushes = new FlushScheduler();
  readonly pings: HeartbeatClock;
  readonly pongDeadlines: DeadlineClock;
  readonly connectDeadlines: DeadlineClock;
  readonly silenceDeadlines: DeadlineClock;
  /** The v4 browser bundle at `/<resource>/socket.io.min.js`, as socket.io serves it, and the 2.x one beside it. */
  readonly #clientBundles: ReadonlyMap<string, ClaimedRequest>;

  constructor(environment: ProtocolEnvironment) {
    this.settings = environment.settings;
    this.logger = environment.settings.logger;
    this.hub = environment.hub;
    this.#origins = new OriginPolicy(this.settings.origins);
    this.#cors = new EngineCors(this.settings.cors);
    this.#path = `/${this.settings.resource}`;
    this.#pathWithSlash = `${this.#path}/`;
    this.#namespaces = new Map([['/', environment.connectionClass], ...Object.entries(this.settings.namespaces)]);
    this.recovery = this.settings.recovery && new RecoveryStore(this.settings.recovery, this.logger, environment.recoveryPeers);
    this.pings = new HeartbeatClock(this.settings.ms.pingInterval);
    this.pongDeadlines = new DeadlineClock(this.settings.ms.pingTimeout);
    this.connectDeadlines = new DeadlineClock(this.settings.ms.connectTimeout);
    this.silenceDeadlines = new DeadlineClock(this.settings.ms.pingInterval + this.settings.ms.pingTimeout);
    this.#clientBundles = new Map([
      [`${this.#path}/socket.io.min.js`, this.#clientFile(CLIENT_V4_PATH, this.settings.serveClient)],
      // A 2.x page could not connect with allowEIO3 off: no bundle for it either.
      [`${this.#path}/socket.io-2.js`, this.#clientFile(CLIENT_V2_PATH, this.settings.serveClient && this.settings.allowEIO3)],
    ]);
  }

  #clientFile(path: string, served: boolean): ClaimedRequest {
    return {
      serve: (res) => {
        if (served) return serveClientFile(res.req, res, path);
        this.#refuse(new ResponseAnswer(res), new RequestError('NOT_FOUND', 'the client file is not served'), this.#cors.headersFor(undefined));
      },
      upgrade: () => {
        throw new RequestError('NOT_FOUND', 'no websocket here');
      },
    };
  }

  claim(req: IncomingMessage, pathname: string, search: string): ClaimedRequest | null {
    return this.#clientBundles.get(pathname) ?? this.#engineRequest(req, pathname, search);
  }

  /** On the HTTP lane: every Engine.IO request (the client bundles are left to node:http). */
  claimLane(head: LaneHead, pathname: string, search: string): LaneClaim | null {
    return this.#engineRequest(head, pathname, search);
  }

  /** The resource itself, with or without its trailing slash: the one path of every Engine.IO request. */
  #isEnginePath(pathname: string): boolean {
    return pathname === this.#path || pathname === this.#pathWithSlash;
  }

  #engineRequest(req: RequestHead, pathname: string, search: string): EngineRequest | null {
    // The path is the resource itself; the query says it is Engine.IO.
    if (!this.#isEnginePath(pathname)) return null;
    const query = queryOf(search);
    if (!query.has('EIO')) return null;
    return new EngineRequest(this, req, query, search);
  }

  sessionIdOf(_req: IncomingMessage, pathname: string, search: string): string | null {
    if (!this.#isEnginePath(pathname)) return null;
    // Every Engine.IO version names its session the same way: `sid` in the query.
    return queryOf(search).get('sid');
  }

  connectionClassFor(namespace: string): ConnectionClass | undefined {
    return this.#namespaces.get(namespace);
  }

  handshakeTail(dialect: EngineDialect, transport: EngineTransport): string {
    // Keyed by the dialect object and the transport: no key string is built per session.
    let tails = this.#handshakeTails.get(dialect);
    if (!tails) this.#handshakeTails.set(dialect, (tails = {}));
    const cached = tails[transport];
    if (cached !== undefined) return cached;
    const { settings } = this;
    const upgrades = transport === 'polling' && settings.enabledProtocols.has('websocket') ? ['websocket'] : [];
    return (tails[transport] = dialect.handshakeTail(settings, upgrades));
  }

  encoderFor(namespace: string): NamespaceEncoder {
    let encoder = this.#encoders.get(namespace);
    if (!encoder) this.#encoders.set(namespace, (encoder = new NamespaceEncoder(namespace)));
    return encoder;
  }

  // ---- HTTP: handshake and polling ----

  /** A plain HTTP request: a preflight, a handshake, a poll or a post. `readBody` reads its body. */
  serve(request: EngineRequest, readBody: (limit: number, done: BodyBytesCallback) => void, answer: HttpAnswer): void {
    const { req, query } = request;
    const { origin } = req.headers;
    const headers = this.#cors.headersFor(origin);
    try {
      if (req.method === 'OPTIONS') return answer.send(204, preflightHeaders(req.headers, headers.cors), '');
      const dialect = this.#checkCommon(query, origin);
      const sid = this.#pollingSid(query);
      if (sid === null) return this.#handshake(request, dialect, answer, headers);
      this.#servePoll(this.#findSession(sid, dialect), req.method, req.headers['content-type'], readBody, answer, headers);
    } catch (error) {
      this.#refuse(answer, error, headers);
    }
  }

  /** In a cluster: a poll or a post of one of our sessions can come over the relay (see cluster/relay.ts). */
  relayBodyLimit(req: IncomingMessage, pathname: string, search: string): number | null {
    if (req.method !== 'GET' && req.method !== 'POST') return null;
    if (!this.#isEnginePath(pathname)) return null;
    const query = queryOf(search);
    return query.get('transport') === 'polling' && query.has('sid') ? this.settings.maxPayload : null;
  }

  /** A poll or a post another node relayed: served as it would be here, from what the relay carries. */
  serveRelayed(request: RelayedRequest, answer: HttpAnswer): void {
    const query = queryOf(splitUrl(request.url).search);
    const headers = this.#cors.headersFor(request.origin);
    try {
      const dialect = this.#checkCommon(query, request.origin);
      const sid = this.#pollingSid(query);
      if (sid === null) throw new RequestError('BAD_REQUEST', 'a relayed request names no session');
      const readBody = (limit: number, done: BodyBytesCallback): void => wholeBodyBytes(request.body, limit, done);
      this.#servePoll(this.#findSession(sid, dialect), request.method, request.contentType, readBody, answer, headers);
    } catch (error) {
      this.#refuse(answer, error, headers);
    }
  }

  /** The session id of a polling request (null: a handshake); throws for a request that is no poll. */
  #pollingSid(query: QueryLookup): string | null {
    const transport = query.get('transport');
    if (transport !== 'polling') throw new RequestError(transport === 'websocket' ? 'BAD_REQUEST' : 'UNKNOWN_TRANSPORT', `transport ${String(transport)} over plain HTTP`);
    if (!this.settings.enabledProtocols.has('xhr-polling')) throw new RequestError('UNKNOWN_TRANSPORT', 'polling is not enabled');
    return query.get('sid');
  }

  #servePoll(
    session: EngineSession,
    method: string | undefined,
    contentType: string | undefined,
    readBody: (limit: number, done: BodyBytesCallback) => void,
    answer: HttpAnswer,
    headers: EngineAnswerHeaders,
  ): void {
    // After an upgrade the session answers only on its websocket.
    if (session.transport !== 'polling') throw new RequestError('BAD_REQUEST', `session ${session.id} has upgraded to websocket`);
    if (method === 'GET') return session.attachPoll(answer, headers);
    if (method !== 'POST') throw new RequestError('BAD_REQUEST', `method ${String(method)}`);
    readBody(this.settings.maxPayload, (error, bytes) => {
      if (error) {
        const tooLarge = error.code === 'BODY_TOO_LARGE';
        if (tooLarge) session.fail('POST body over maxPayload');
        // An oversized body: the answer closes the client's connection, the rest of the body unread.
        this.#refuse(answer, error, headers, tooLarge);
        return;
      }
      this.hub.counters.bytesIn += bytes.length;
      const { dialect } = session;
      try {
        session.receive(dialect.decodePostBody(dialect.postBody(bytes, contentType, session.jsonpIndex !== null), MAX_PACKETS_PER_POST));
      } catch (failure) {
        if (failure instanceof RequestError) return this.#refuse(answer, failure, headers);
        if (failure instanceof EngineDecodeError) session.fail(failure.message);
        else throw failure;
        this.#refuse(answer, new RequestError('BAD_REQUEST', failure.message), headers);
        return;
      }
      // What the packets made the server send answers the held poll before the post is answered, as socket.io
      // does: the client reads the answer first and its next post can follow the 'ok' at once.
      session.flush();
      answer.send(200, headers.ok, 'ok');
    });
  }

  /** The request's Engine.IO version, if this router speaks it, after the origin check. */
  #checkCommon(query: QueryLookup, origin: string | undefined): EngineDialect {
    const version = query.get('EIO');
    const dialect = version === '4' ? EIO4_DIALECT : version === '3' ? EIO3_DIALECT : null;
    if (dialect === null) throw new RequestError('UNSUPPORTED_PROTOCOL', `EIO=${String(version).substring(0, 20)}`);
    if (dialect === EIO3_DIALECT && !this.settings.allowEIO3) throw new RequestError('UNSUPPORTED_PROTOCOL', 'EIO=3 (socket.io-client 2.x) is turned off by allowEIO3: false');
    if (!this.#origins.allows(origin)) throw new RequestError('FORBIDDEN_ORIGIN', `origin ${String(origin)} is not allowed`);
    return dialect;
  }

  #findSession(sid: string, dialect: EngineDialect): EngineSession {
    const session = this.hub.find(sid, isEngineSession);
    if (!session) throw new RequestError('UNKNOWN_SESSION', `no Engine.IO session ${sid}`);
    if (session.dialect !== dialect) throw new RequestError('BAD_REQUEST', `session ${sid} speaks ${session.dialect.protocol}`);
    return session;
  }

  #handshake(request: EngineRequest, dialect: EngineDialect, answer: HttpAnswer, headers: EngineAnswerHeaders): void {
    if (request.req.method !== 'GET') throw new RequestError('METHOD_NOT_ALLOWED', 'a handshake is a GET');
    // Only v3 reads `j` here: JSONP is read before the session exists, so a bad index opens nothing.
    const jsonpIndex = dialect === EIO3_DIALECT ? jsonpIndexOf(request.query) : null;
    const session = new EngineSession(this, dialect, 'polling', describeRequest(request.req, request.search, this.settings.trustProxy));
    this.hub.register(session);
    session.jsonpIndex = jsonpIndex;
    // The client cannot read a binary poll answer (engine.io-client in Node, JSONP, forceBase64); it says so once, here.
    session.base64Only = request.query.get('b64') === '1';
    session.start();
    session.answerHandshake(answer, headers);
  }

  #refuse(answer: HttpAnswer, error: unknown, headers: EngineAnswerHeaders, refusesBody = false): void {
    const refusal = refusalFor(error);
    if (refusal.internal) this.logger.error(`[engine.io] request failed: ${String(error)}`);
    else this.logger.warn(`[engine.io] refused: ${refusal.body.trimEnd()}`);
    const { status, body } = engineIoRefusal(refusal);
    answer.send(status, headers.refusal, body, refusesBody);
  }

  // ---- websocket ----

  upgrade(request: EngineRequest, socket: Duplex, head: Buffer): void {
    const dialect = this.#checkCommon(request.query, request.req.headers.origin);
    if (request.query.get('transport') !== 'websocket') throw new RequestError('UNKNOWN_TRANSPORT', 'an upgrade needs transport=websocket');
    if (!this.settings.enabledProtocols.has('websocket')) throw new RequestError('TRANSPORT_DISABLED', 'websocket is not enabled');
    const sid = request.query.get('sid');
    let existing: EngineSession | undefined;
    if (sid !== null) {
      existing = this.#findSession(sid, dialect);
      if (existing.transport !== 'polling') throw new RequestError('BAD_REQUEST', `session ${sid} has a websocket already`);
    } else {
      this.hub.checkCapacity();
    }
    const ws = acceptWebSocket(request.req, socket, head, this.settings.maxPayload);
    if (!ws) return;
    try {
      // The open packet takes the 101 along in one write.
      this.#openWebSocket(ws, request, dialect, existing);
    } finally {
      ws.completeHandshake();
    }
  }

  #openWebSocket(ws: ServerWebSocket, request: EngineRequest, dialect: EngineDialect, existing: EngineSession | undefined): void {
    const base64Only = request.query.get('b64') === '1';
    if (existing) {
      existing.base64Only = base64Only;
      existing.probe(ws);
      return;
    }
    const session = new EngineSession(this, dialect, 'websocket', describeRequest(request.req, request.search, this.settings.trustProxy));
    try {
      this.hub.register(session);
    } catch (error) {
      refuseSocket(ws, error, this.logger, '[engine.io] websocket');
      return;
    }
    session.base64Only = base64Only;
    session.attachWebSocket(ws);
    session.start();
    // Now rather than in this tick's flush: the open packet (and, for a v3 client, what `/`'s onOpen sent) joins the 101.
    session.flush();
  }

  stamperFor(namespace: string): StampingEncoder {
    let stamper = this.#stampers.get(namespace);
    if (!stamper) this.#stampers.set(namespace, (stamper = new StampingEncoder(namespace)));
    return stamper;
  }

  close(): void {
    this.recovery?.close();
  }
}

