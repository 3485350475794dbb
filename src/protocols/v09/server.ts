import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ConnectionClass } from '../../connection';
import { RequestError } from '../../errors';
import type { RelayedRequest } from '../../cluster/relay';
import { fixedHeaders, ResponseAnswer, type HttpAnswer } from '../../http/answer';
import { readBody, wholeBody, type BodyCallback } from '../../http/body';
import { serveClientFile } from '../../http/client-file';
import type { LaneClaim, LaneHead } from '../../http/lane/lane';
import { corsHeaders, OriginPolicy, withCors } from '../../http/origin';
import { answerPreflight } from '../../http/preflight';
import { answerRefusal } from '../../http/refusal';
import { describeRequest, type RequestHead } from '../../http/request-info';
import { scriptStringLiteral } from '../../http/script-escape';
import { splitUrl } from '../../http/url';
import { SESSION_ID_PATTERN } from '../../hub/session-id';
import type { RegisteredSession } from '../../hub/session-registry';
import type { SessionHub } from '../../hub/session-hub';
import type { Logger } from '../../logger';
import { DeadlineClock } from '../../session/deadline-clock';
import { FlushScheduler } from '../../session/flush-scheduler';
import { HeartbeatClock } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import { acceptWebSocket, type ServerWebSocket } from '../../websocket/rfc6455';
import type { ClaimedRequest, ProtocolEnvironment, ProtocolServer } from '../registry';
import { PacketDecodeError } from './codec';
import { EndpointEncoder } from './endpoint';
import { jsonpPollFormat, PollOutlet, StreamOutlet, WebSocketOutlet, XHR_POLL_FORMAT, type Outlet } from './outlets';
import { CLIENT_FILES, parseV09Path, V09_TRANSPORTS, type V09Path, type V09TransportName } from './paths';
import { V09Session, type V09Host } from './session';

/** The 0.9.16 browser client, vendored with its MIT notice. */
const CLIENT_DIRECTORY = join(__dirname, '../../../vendor/socket.io-client-0.9');

const HANDSHAKE_HEADERS = fixedHeaders({ 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' });
const JSONP_HANDSHAKE_HEADERS = fixedHeaders({ 'Content-Type': 'application/javascript; charset=UTF-8', 'Cache-Control': 'no-store' });

/** `io.j` grows by one per handshake or jsonp transport a page makes: six digits is far past any real page. */
const JSONP_INDEX = /^\d{1,6}$/;

const isV09Session = (session: RegisteredSession): session is V09Session => session instanceof V09Session;

/** A request in 0.9's shape, read once, and how the router has it served. */
class V09Request implements ClaimedRequest {
  constructor(
    private readonly server: V09Server,
    readonly req: IncomingMessage,
    readonly path: V09Path,
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
 * Socket.IO 0.7-0.9 (Tornadio2's protocol) inside one router: the
 * handshake, five transports at `/<resource>/1/<transport>/<sid>`, and the
 * endpoints a client connects over one session.
 */
export class V09Server implements ProtocolServer, V09Host {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly heartbeats: HeartbeatClock;
  readonly closeDeadlines: DeadlineClock;
  readonly #pollDeadlines: DeadlineClock;
  readonly #flushes = new FlushScheduler();
  readonly #origins: OriginPolicy;
  readonly #prefix: string;
  readonly #namespaces: ReadonlyMap<string, ConnectionClass>;
  readonly #encoders = new Map<string, EndpointEncoder>();
  readonly #enabled: ReadonlySet<V09TransportName>;
  /** `:heartbeatTimeout:closeTimeout:transports`, the same after every session id. */
  readonly #handshakeTail: string;

  constructor(environment: ProtocolEnvironment) {
    const { settings } = environment;
    this.settings = settings;
    this.logger = settings.logger;
    this.hub = environment.hub;
    this.heartbeats = new HeartbeatClock(settings.ms.heartbeatInterval);
    this.closeDeadlines = new DeadlineClock(settings.ms.closeTimeout);
    this.#pollDeadlines = new DeadlineClock(settings.ms.xhrPollingTimeout);
    this.#origins = new OriginPolicy(settings.origins);
    this.#prefix = `/${settings.resource}/`;
    this.#namespaces = new Map([['/', environment.connectionClass], ...Object.entries(settings.namespaces)]);
    this.#enabled = new Set(V09_TRANSPORTS.filter((name) => settings.enabledProtocols.has(name)));
    // The client reads whole seconds (it multiplies by 1000).
    this.#handshakeTail = `:${Math.ceil(settings.heartbeatTimeout)}:${Math.ceil(settings.closeTimeout)}:${[...this.#enabled].join(',')}`;
  }

  claim(req: IncomingMessage, pathname: string, search: string): ClaimedRequest | null {
    const path = parseV09Path(pathname, this.#prefix);
    return path ? new V09Request(this, req, path, search) : null;
  }

  sessionIdOf(_req: IncomingMessage, pathname: string): string | null {
    const path = parseV09Path(pathname, this.#prefix);
    return path?.kind === 'transport' ? path.sessionId : null;
  }

  // ---- V09Host ----

  connectionClassFor(namespace: string): ConnectionClass | undefined {
    return this.#namespaces.get(namespace);
  }

  encoderFor(namespace: string): EndpointEncoder {
    let encoder = this.#encoders.get(namespace);
    if (!encoder) this.#encoders.set(namespace, (encoder = new EndpointEncoder(namespace === '/' ? '' : namespace)));
    return encoder;
  }

  scheduleFlush(session: V09Session): void {
    this.#flushes.schedule(session);
  }

  // ---- HTTP ----

  /** Serves a claimed HTTP request; never throws (refusals are answered with their status). */
  serve(request: V09Request, res: ServerResponse): void {
    const { req, path } = request;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const headers = corsHeaders(origin);
    const answer = new ResponseAnswer(res);
    try {
      if (path.kind === 'client') {
        if (!this.settings.serveClient) throw new RequestError('NOT_FOUND', 'the client file is not served');
        return serveClientFile(req, res, join(CLIENT_DIRECTORY, CLIENT_FILES[path.file]));
      }
      this.#checkOrigin(origin);
      if (req.method === 'OPTIONS') return answerPreflight(req, res, headers);
      if (path.version !== '1') throw new RequestError('UNSUPPORTED_PROTOCOL', `Socket.IO protocol version ${path.version}`);
      if (path.kind === 'malformed') throw new RequestError('BAD_URL', 'a 0.9 path is /<resource>/1/ or /<resource>/1/<transport>/<session id>');
      if (path.kind === 'handshake') return this.#handshake(req, request.search, answer, headers);
      if (path.transport === '') return this.#syncDisconnect(path.sessionId, request.search, answer, headers);
      const transport = this.#httpTransport(path.transport);
      const session = this.#session(path.sessionId);
      if (req.method === 'GET' && transport === 'htmlfile') return session.attach(this.#streamOutlet(session, res, headers), transport);
      this.#servePoll(transport, session, req.method, request.search, (limit, done) => readBody(req, limit, done), answer, headers);
    } catch (error) {
      if (error instanceof RequestError && error.code === 'METHOD_NOT_ALLOWED') res.setHeader('Allow', 'GET, POST, OPTIONS');
      this.#refuse(answer, error, headers);
    }
  }

  /** In a cluster: a poll or a post of xhr-polling or jsonp-polling can come over the relay (see cluster/relay.ts). */
  relayBodyLimit(req: IncomingMessage, pathname: string): number | null {
    if (req.method !== 'GET' && req.method !== 'POST') return null;
    const path = parseV09Path(pathname, this.#prefix);
    if (path?.kind !== 'transport' || (path.transport !== 'xhr-polling' && path.transport !== 'jsonp-polling')) return null;
    return this.settings.maxBodySize;
  }

  /** A poll or a post another node relayed: served as it would be here, from what the relay carries. */
  serveRelayed(request: RelayedRequest, answer: HttpAnswer): void {
    const { pathname, search } = splitUrl(request.url);
    this.#serveWholePoll(parseV09Path(pathname, this.#prefix), request.method, search, request.origin, request.body, answer);
  }

  /**
   * On the HTTP lane: the handshake, the long-polls and posts of xhr-polling
   * and jsonp-polling, and the disconnect on unload. The htmlfile stream,
   * preflights and the client files are left to node:http (a connection the
   * lane hands over stays node:http's, so the handshake's own connection,
   * which a client polls on next, is the lane's too).
   */
  claimLane(head: LaneHead, pathname: string, search: string): LaneClaim | null {
    if (head.upgrade || (head.method !== 'GET' && head.method !== 'POST')) return null;
    const path = parseV09Path(pathname, this.#prefix);
    if (path === null || path.kind === 'client' || path.kind === 'malformed' || path.version !== '1') return null;
    if (path.kind === 'transport' && path.transport !== '' && path.transport !== 'xhr-polling' && path.transport !== 'jsonp-polling') return null;
    return {
      bodyLimit: this.settings.maxBodySize,
      serveBody: (body, answer) => this.#serveOnLane(head, path, search, body, answer),
    };
  }

  #serveOnLane(head: LaneHead, path: V09Path, search: string, body: Buffer | null, answer: HttpAnswer): void {
    const { origin } = head.headers;
    if (path.kind === 'transport' && path.transport !== '') return this.#serveWholePoll(path, head.method, search, origin, body, answer);
    const headers = corsHeaders(origin);
    try {
      this.#checkOrigin(origin);
      if (path.kind === 'handshake') return this.#handshake(head, search, answer, headers);
      if (path.kind === 'transport') this.#syncDisconnect(path.sessionId, search, answer, headers);
    } catch (error) {
      this.#refuse(answer, error, headers);
    }
  }

  /** A poll or a post whose body is already read whole (relayed, or read by the lane); never throws. */
  #serveWholePoll(path: V09Path | null, method: string, search: string, origin: string | undefined, body: Buffer | null, answer: HttpAnswer): void {
    const headers = corsHeaders(origin);
    try {
      this.#checkOrigin(origin);
      if (path?.kind !== 'transport' || path.version !== '1') throw new RequestError('BAD_REQUEST', 'a relayed 0.9 request names a transport and a session');
      const transport = this.#httpTransport(path.transport);
      if (transport === 'htmlfile') throw new RequestError('BAD_REQUEST', 'htmlfile streams are not relayed');
      const readWholeBody = (limit: number, done: BodyCallback): void => wholeBody(body, limit, done);
      this.#servePoll(transport, this.#session(path.sessionId), method, search, readWholeBody, answer, headers);
    } catch (error) {
      this.#refuse(answer, error, headers);
    }
  }

  /** A long-poll GET or a POST of xhr-polling or jsonp-polling (an htmlfile POST too). */
  #servePoll(
    transport: V09TransportName,
    session: V09Session,
    method: string | undefined,
    search: string,
    readPostBody: (limit: number, done: BodyCallback) => void,
    answer: HttpAnswer,
    headers: Readonly<Record<string, string>>,
  ): void {
    if (method === 'GET') return session.attach(this.#pollOutlet(transport, session, search, answer, headers), transport);
    if (method === 'POST') return this.#post(transport, session, readPostBody, answer, headers);
    throw new RequestError('METHOD_NOT_ALLOWED', `method ${String(method)} is not allowed`);
  }

  #httpTransport(name: string): V09TransportName {
    if (name === 'websocket' || name === 'flashsocket') throw new RequestError('BAD_REQUEST', `${name} needs a WebSocket upgrade`);
    if (!(V09_TRANSPORTS as readonly string[]).includes(name)) throw new RequestError('UNKNOWN_TRANSPORT', `no 0.9 transport ${JSON.stringify(name.substring(0, 40))}`);
    if (!this.#enabled.has(name as V09TransportName)) throw new RequestError('TRANSPORT_DISABLED', `transport ${name} is not enabled`);
    return name as V09TransportName;
  }

  /** Every request but a client file: an origin the settings do not allow is refused. */
  #checkOrigin(origin: string | undefined): void {
    if (!this.#origins.allows(origin)) throw new RequestError('FORBIDDEN_ORIGIN', `origin ${String(origin)} is not allowed`);
  }

  /** The live session for an id; an id we did not issue is refused before any lookup. */
  #session(id: string): V09Session {
    const session = SESSION_ID_PATTERN.test(id) ? this.hub.find(id, isV09Session) : undefined;
    if (!session) throw new RequestError('UNKNOWN_SESSION', 'no 0.9 session with this id');
    return session;
  }

  /** `sid:heartbeatTimeout:closeTimeout:transports`, bare or (`jsonp=N`) as a call of `io.j[N]`. */
  #handshake(req: RequestHead, search: string, answer: HttpAnswer, headers: Readonly<Record<string, string>>): void {
    if (req.method !== 'GET' && req.method !== 'POST') throw new RequestError('METHOD_NOT_ALLOWED', 'a handshake is a GET');
    const jsonp = new URLSearchParams(search).get('jsonp');
    if (jsonp !== null && !JSONP_INDEX.test(jsonp)) throw new RequestError('BAD_URL', 'jsonp index must be a small decimal number');
    const session = new V09Session(this, describeRequest(req, search, this.settings.trustProxy));
    try {
      this.hub.register(session);
    } catch (error) {
      session.abort('refused at the handshake');
      throw error;
    }
    const handshake = `${session.id}${this.#handshakeTail}`;
    if (jsonp === null) answer.send(200, withCors(headers, HANDSHAKE_HEADERS), handshake);
    else answer.send(200, withCors(headers, JSONP_HANDSHAKE_HEADERS), `io.j[${jsonp}](${scriptStringLiteral(handshake)});`);
  }

  /** `GET /<resource>/1//<sid>/?disconnect=1`: the client's "sync disconnect on unload". */
  #syncDisconnect(sessionId: string, search: string, answer: HttpAnswer, headers: Readonly<Record<string, string>>): void {
    if (!new URLSearchParams(search).has('disconnect')) throw new RequestError('BAD_URL', 'a 0.9 path names its transport');
    this.#session(sessionId).abort('the client disconnected on unload');
    answer.send(200, { ...headers, 'Content-Type': 'text/plain; charset=UTF-8' }, '');
  }

  #streamOutlet(session: V09Session, res: ServerResponse, headers: Readonly<Record<string, string>>): Outlet {
    const countBytes = (bytes: number): void => void (this.hub.counters.bytesOut += bytes);
    const overflow = (): void => session.fail('htmlfile stream buffer over its limit');
    return new StreamOutlet(res, headers, countBytes, this.settings.maxQueuedBytes, overflow, (outlet) => session.detach(outlet));
  }

  #pollOutlet(transport: V09TransportName, session: V09Session, search: string, answer: HttpAnswer, headers: Readonly<Record<string, string>>): Outlet {
    let format = XHR_POLL_FORMAT;
    if (transport === 'jsonp-polling') {
      const index = new URLSearchParams(search).get('i') ?? '';
      if (!JSONP_INDEX.test(index)) throw new RequestError('BAD_URL', 'jsonp index must be a small decimal number');
      format = jsonpPollFormat(Number(index));
    }
    const countBytes = (bytes: number): void => void (this.hub.counters.bytesOut += bytes);
    return new PollOutlet(answer, format, headers, this.#pollDeadlines, countBytes, (outlet) => session.detach(outlet));
  }

  /** A POST carries packets: the body itself (xhr), or the JSON string in the form field `d` (jsonp's hidden form). */
  #post(
    transport: V09TransportName,
    session: V09Session,
    readPostBody: (limit: number, done: BodyCallback) => void,
    answer: HttpAnswer,
    headers: Readonly<Record<string, string>>,
  ): void {
    readPostBody(this.settings.maxBodySize, (error, body) => {
      // An oversized body: the answer closes the client's connection, the rest of the body unread.
      if (error) return this.#refuse(answer, error, headers, error.code === 'BODY_TOO_LARGE');
      this.hub.counters.bytesIn += Buffer.byteLength(body);
      try {
        session.receive(transport === 'jsonp-polling' ? formPayload(body) : body, transport);
      } catch (failure) {
        if (failure instanceof PacketDecodeError) session.fail(failure.message);
        return this.#refuse(answer, failure instanceof PacketDecodeError ? new RequestError('BAD_REQUEST', failure.message) : failure, headers);
      }
      answer.send(200, { ...headers, 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' }, '1');
    });
  }

  #refuse(answer: HttpAnswer, error: unknown, headers: Readonly<Record<string, string>>, refusesBody = false): void {
    answerRefusal(answer, error, this.logger, '[0.9]', headers, refusesBody);
  }

  // ---- websocket and flashsocket ----

  /** Serves a claimed upgrade; throws a RequestError to refuse it. */
  upgrade(request: V09Request, socket: Duplex, head: Buffer): void {
    const { path, req } = request;
    if (path.kind !== 'transport') throw new RequestError('BAD_REQUEST', 'a 0.9 websocket goes to /<resource>/1/websocket/<session id>');
    if (path.version !== '1') throw new RequestError('UNSUPPORTED_PROTOCOL', `Socket.IO protocol version ${path.version}`);
    if (path.transport !== 'websocket' && path.transport !== 'flashsocket') throw new RequestError('UNKNOWN_TRANSPORT', `no 0.9 websocket transport ${JSON.stringify(path.transport.substring(0, 40))}`);
    if (!this.#enabled.has(path.transport)) throw new RequestError('TRANSPORT_DISABLED', `transport ${path.transport} is not enabled`);
    const origin = req.headers.origin;
    this.#checkOrigin(typeof origin === 'string' ? origin : undefined);
    const session = this.#session(path.sessionId);
    const transport = path.transport;
    const ws = acceptWebSocket(req, socket, head, this.settings.maxMessageSize);
    if (!ws) return;
    try {
      this.#accept(ws, session, transport);
    } finally {
      ws.completeHandshake();
    }
  }

  #accept(ws: ServerWebSocket, session: V09Session, transport: V09TransportName): void {
    const outlet = new WebSocketOutlet(ws, (bytes) => void (this.hub.counters.bytesOut += bytes), this.settings.maxQueuedBytes, () =>
      session.fail('websocket send buffer over its limit'),
    );
    ws.listen({
      onWebSocketMessage: (_ws, data) => {
        this.hub.counters.bytesIn += data.length;
        try {
          session.receive(data.toString('utf8'));
        } catch (failure) {
          if (!(failure instanceof PacketDecodeError)) throw failure;
          session.fail(failure.message);
        }
      },
      onWebSocketError: (_ws, reason, code) => this.logger.warn(`[0.9 ${session.id}] ${transport}: ${reason} (closing with ${code})`),
      // A 0.9 client whose socket drops handshakes anew: the session is over.
      onWebSocketClose: () => session.lost(outlet, `${transport} closed`),
    });
    session.attach(outlet, transport);
  }
}

/** jsonp-polling's form posts `d=<JSON string of the payload>`; anything else is malformed. */
function formPayload(body: string): string {
  const field = new URLSearchParams(body).get('d');
  if (field === null) throw new PacketDecodeError('a jsonp-polling POST carries the form field "d"');
  let payload: unknown;
  try {
    payload = JSON.parse(field);
  } catch {
    throw new PacketDecodeError('the form field "d" is not JSON');
  }
  if (typeof payload !== 'string') throw new PacketDecodeError('the form field "d" is not a JSON string');
  return payload;
}
