import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionClass } from '../../connection';
import { engineIoRefusal, refusalFor, RequestError } from '../../errors';
import { readBody } from '../../http/body';
import { answerPreflight } from '../../http/preflight';
import { CLIENT_V4_PATH, serveClientFile } from '../../http/client-file';
import { OriginPolicy } from '../../http/origin';
import { describeRequest } from '../../http/request-info';
import type { SessionHub } from '../../hub/session-hub';
import type { RegisteredSession } from '../../hub/session-registry';
import type { Logger } from '../../logger';
import { DeadlineClock } from '../../session/deadline-clock';
import { HeartbeatClock } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import type { ClaimedRequest, ProtocolEnvironment, ProtocolServer } from '../registry';
import { engineCorsHeaders } from './cors';
import { decodePollingPayload, EngineDecodeError, encodeForPolling } from './engine-codec';
import { EngineSession, type EngineHost, type EngineTransport } from './engine-session';
import { NamespaceEncoder } from './socket';

const RESOLVED = Promise.resolve();

/** Most packets one POST may carry: a client batches what it sent in one tick, never thousands. */
const MAX_PACKETS_PER_POST = 1024;

const isEngineSession = (session: RegisteredSession): session is EngineSession => session instanceof EngineSession;

/** An Engine.IO request: `/<resource>/?EIO=4&transport=…[&sid=…]`, its query read once. */
class EngineRequest implements ClaimedRequest {
  constructor(
    private readonly server: EioServer,
    readonly req: IncomingMessage,
    readonly query: URLSearchParams,
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
 * Engine.IO 4 / Socket.IO 5 inside one router: the handshake, polling and
 * websocket transports, the upgrade between them, and the namespaces the
 * client joins over one session.
 */
export class EioServer implements ProtocolServer, EngineHost {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly #origins: OriginPolicy;
  readonly #path: string;
  readonly #namespaces: ReadonlyMap<string, ConnectionClass>;
  readonly #encoders = new Map<string, NamespaceEncoder>();
  readonly #handshakeTails = new Map<EngineTransport, string>();
  readonly pings: HeartbeatClock;
  readonly pongDeadlines: DeadlineClock;
  readonly connectDeadlines: DeadlineClock;
  /** The v4 browser bundle at `/<resource>/socket.io.min.js`, as socket.io serves it. */
  readonly #clientBundle: ClaimedRequest;
  #webSocketServer: WebSocketServer | null = null;

  constructor(environment: ProtocolEnvironment) {
    this.settings = environment.settings;
    this.logger = environment.settings.logger;
    this.hub = environment.hub;
    this.#origins = new OriginPolicy(this.settings.origins);
    this.#path = `/${this.settings.resource}`;
    this.#namespaces = new Map([['/', environment.connectionClass], ...Object.entries(this.settings.namespaces)]);
    this.pings = new HeartbeatClock(this.settings.ms.pingInterval);
    this.pongDeadlines = new DeadlineClock(this.settings.ms.pingTimeout);
    this.connectDeadlines = new DeadlineClock(this.settings.ms.connectTimeout);
    this.#clientBundle = {
      serve: (res) => {
        if (this.settings.serveClient) return serveClientFile(res.req, res, CLIENT_V4_PATH);
        this.#refuse(res, new RequestError('NOT_FOUND', 'the client file is not served'), {});
      },
      upgrade: () => {
        throw new RequestError('NOT_FOUND', 'no websocket here');
      },
    };
  }

  claim(req: IncomingMessage, pathname: string, search: string): ClaimedRequest | null {
    if (pathname === `${this.#path}/socket.io.min.js`) return this.#clientBundle;
    // The path is the resource itself; the query says it is Engine.IO.
    if (pathname !== `${this.#path}/` && pathname !== this.#path) return null;
    const query = new URLSearchParams(search);
    if (!query.has('EIO')) return null;
    return new EngineRequest(this, req, query, search);
  }

  connectionClassFor(namespace: string): ConnectionClass | undefined {
    return this.#namespaces.get(namespace);
  }

  handshakeTail(transport: EngineTransport): string {
    const cached = this.#handshakeTails.get(transport);
    if (cached) return cached;
    const { settings } = this;
    const upgrades = transport === 'polling' && settings.enabledProtocols.has('websocket') ? ['websocket'] : [];
    const json = JSON.stringify({ upgrades, pingInterval: settings.ms.pingInterval, pingTimeout: settings.ms.pingTimeout, maxPayload: settings.maxPayload });
    const tail = json.substring(1);
    this.#handshakeTails.set(transport, tail);
    return tail;
  }

  encoderFor(namespace: string): NamespaceEncoder {
    let encoder = this.#encoders.get(namespace);
    if (!encoder) this.#encoders.set(namespace, (encoder = new NamespaceEncoder(namespace)));
    return encoder;
  }

  // ---- HTTP: handshake and polling ----

  serve(request: EngineRequest, res: ServerResponse): void {
    const { req, query } = request;
    const headers = engineCorsHeaders(this.settings.cors, req);
    try {
      if (req.method === 'OPTIONS') return answerPreflight(req, res, headers);
      this.#checkCommon(request);
      const transport = query.get('transport');
      if (transport !== 'polling') throw new RequestError(transport === 'websocket' ? 'BAD_REQUEST' : 'UNKNOWN_TRANSPORT', `transport ${String(transport)} over plain HTTP`);
      if (!this.settings.enabledProtocols.has('xhr-polling')) throw new RequestError('UNKNOWN_TRANSPORT', 'polling is not enabled');
      const sid = query.get('sid');
      if (sid === null) return this.#handshake(request, res, headers);
      const session = this.hub.find(sid, isEngineSession);
      if (!session) throw new RequestError('UNKNOWN_SESSION', `no Engine.IO session ${sid}`);
      // After an upgrade the session answers only on its websocket.
      if (session.transport !== 'polling') throw new RequestError('BAD_REQUEST', `session ${sid} has upgraded to websocket`);
      if (req.method === 'GET') return session.attachPoll(res, headers);
      if (req.method === 'POST') return this.#post(session, req, res, headers);
      throw new RequestError('BAD_REQUEST', `method ${String(req.method)}`);
    } catch (error) {
      this.#refuse(res, error, headers);
    }
  }

  #checkCommon(request: EngineRequest): void {
    const version = request.query.get('EIO');
    if (version !== '4') throw new RequestError('UNSUPPORTED_PROTOCOL', `EIO=${String(version)}`);
    const origin = request.req.headers.origin;
    if (!this.#origins.allows(typeof origin === 'string' ? origin : undefined)) {
      throw new RequestError('FORBIDDEN_ORIGIN', `origin ${String(origin)} is not allowed`);
    }
  }

  #handshake(request: EngineRequest, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
    if (request.req.method !== 'GET') throw new RequestError('METHOD_NOT_ALLOWED', 'a handshake is a GET');
    const session = new EngineSession(this, 'polling', describeRequest(request.req, request.search, this.settings.trustProxy));
    this.hub.register(session);
    const body = encodeForPolling(session.openPacket());
    res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  }

  #post(session: EngineSession, req: IncomingMessage, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
    readBody(req, this.settings.maxPayload, (error, body) => {
      if (error) {
        const tooLarge = error.code === 'BODY_TOO_LARGE';
        if (tooLarge) session.fail('POST body over maxPayload');
        // Stop reading the rest of an oversized body: answer with Connection: close, then drop the connection.
        this.#refuse(res, error, tooLarge ? { ...headers, Connection: 'close' } : headers);
        if (tooLarge) res.once('finish', () => req.destroy());
        return;
      }
      this.hub.counters.bytesIn += Buffer.byteLength(body);
      try {
        session.receive(decodePollingPayload(body, MAX_PACKETS_PER_POST));
      } catch (failure) {
        if (failure instanceof EngineDecodeError) session.fail(failure.message);
        else throw failure;
        this.#refuse(res, new RequestError('BAD_REQUEST', failure.message), headers);
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html', 'Content-Length': 2, 'Cache-Control': 'no-store' });
      res.end('ok');
    });
  }

  #refuse(res: ServerResponse, error: unknown, headers: Readonly<Record<string, string>>): void {
    const refusal = refusalFor(error);
    if (refusal.internal) this.logger.error(`[engine.io] request failed: ${String(error)}`);
    else this.logger.warn(`[engine.io] refused: ${refusal.body.trimEnd()}`);
    if (res.headersSent) return void res.end();
    const { status, body } = engineIoRefusal(refusal);
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  // ---- websocket ----

  upgrade(request: EngineRequest, socket: Duplex, head: Buffer): void {
    this.#checkCommon(request);
    if (request.query.get('transport') !== 'websocket') throw new RequestError('UNKNOWN_TRANSPORT', 'an upgrade needs transport=websocket');
    if (!this.settings.enabledProtocols.has('websocket')) throw new RequestError('TRANSPORT_DISABLED', 'websocket is not enabled');
    const sid = request.query.get('sid');
    let existing: EngineSession | undefined;
    if (sid !== null) {
      existing = this.hub.find(sid, isEngineSession);
      if (!existing) throw new RequestError('UNKNOWN_SESSION', `no Engine.IO session ${sid}`);
      if (existing.transport !== 'polling') throw new RequestError('BAD_REQUEST', `session ${sid} has a websocket already`);
    } else {
      this.hub.checkCapacity();
    }
    // Hold writes until this tick's work is done, so the 101 and the open packet leave in one write.
    socket.cork();
    this.#wsServer().handleUpgrade(request.req, socket, head, (ws: WebSocket) => {
      if (existing) {
        existing.base64Only = request.query.get('b64') === '1';
        existing.probe(ws, socket);
        return;
      }
      const session = new EngineSession(this, 'websocket', describeRequest(request.req, request.search, this.settings.trustProxy));
      try {
        this.hub.register(session);
      } catch {
        ws.close(1013);
        return;
      }
      session.base64Only = request.query.get('b64') === '1';
      session.attachWebSocket(ws, socket);
      session.send([session.openPacket()]);
    });
    // Queued after the session's flush, which the open packet scheduled.
    void RESOLVED.then(() => socket.uncork());
  }

  #wsServer(): WebSocketServer {
    this.#webSocketServer ??= new WebSocketServer({ noServer: true, maxPayload: this.settings.maxPayload, perMessageDeflate: false, clientTracking: false });
    return this.#webSocketServer;
  }

  close(): void {
    this.#webSocketServer?.close();
  }
}

