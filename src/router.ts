import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionClass, SocketConnection } from './connection';
import { RequestError } from './errors';
import { RedisCluster, type ClusterHealth, type ClusterStats } from './cluster/redis-cluster';
import { RELAY_UPGRADE, type RelayedRequest } from './cluster/relay';
import type { HttpAnswer } from './http/answer';
import { attachRouter } from './http/attach';
import type { LaneClaim, LaneHead } from './http/lane/lane';
import { answerRefusal, refuseRequest, refuseUpgrade } from './http/refusal';
import { resourcePattern, splitUrl, truncate } from './http/url';
import type { ConnectionSummary } from './hub/adapter';
import { BroadcastOperator } from './hub/broadcast-operator';
import { SessionHub } from './hub/session-hub';
import type { RouterStats } from './hub/stats';
import type { Logger } from './logger';
import { PROTOCOLS, type ClaimedRequest, type ProtocolServer } from './protocols/registry';
import { resolveRouterSettings, type ResolvedRouterSettings, type RouterSettings } from './settings';

export type { RequestHandler } from './http/attach';

/** What `router.route()` gives an `Application`: the path pattern and the router serving it. */
export type SocketRoute = readonly [RegExp, SocketRouter];

/** Which connections `fetchConnections` describes. */
export interface FetchConnectionsOptions {
  /** Default '/'. */
  namespace?: string;
  /** Only members of this room. */
  room?: string;
}

/** A protocol server with its protocol's name. */
interface NamedProtocol {
  readonly name: string;
  readonly server: ProtocolServer;
}

/** A request whose session another node owns: that node's address, the protocol that named the session, the URL read once. */
interface OwnerRoute {
  readonly address: string;
  readonly protocol: NamedProtocol;
  readonly pathname: string;
  readonly search: string;
}

/**
 * Serves one `SocketConnection` class under one resource. It asks the
 * protocol registry who claims each request, and leaves the sessions to its
 * `SessionHub`; broadcasts and room operations go through the hub's
 * namespaces. Tornadio's `get_router()` returns one of these.
 */
export class SocketRouter {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly #hub: SessionHub;
  readonly #protocols: readonly ProtocolServer[];
  /** The same servers with their protocols' names, for what is relayed between nodes by name. */
  readonly #namedProtocols: readonly NamedProtocol[];
  readonly #routePattern: RegExp;
  /** Every transport of every protocol at zero, so `stats` always lists them all. */
  readonly #noConnections: Record<string, number>;
  /** This router's node of a cluster; null when it runs alone. */
  readonly #cluster: RedisCluster | null;
  #closing: Promise<void> | null = null;
  #closed = false;

  constructor(connectionClass: ConnectionClass, settings?: RouterSettings) {
    if (typeof connectionClass !== 'function') {
      throw new TypeError('tornadio: getRouter() needs a SocketConnection subclass as its first argument');
    }
    this.settings = resolveRouterSettings(settings);
    this.logger = this.settings.logger;
    const { cluster, ms } = this.settings;
    this.#cluster = cluster
      ? new RedisCluster({
          settings: cluster,
          resource: this.settings.resource,
          logger: this.logger,
          // The longest a forwarded request may rightly stay silent: a held long-poll, and a margin.
          forwardIdleTimeoutMs: Math.max(ms.xhrPollingTimeout, ms.pingInterval + ms.pingTimeout) + 10_000,
          relayPath: `/${this.settings.resource}/`,
          maxRelayedBodyBytes: Math.max(this.settings.maxBodySize, this.settings.maxPayload),
        })
      : null;
    this.#hub = new SessionHub({
      maxSessions: this.settings.maxSessions,
      expiryMs: ms.sessionExpiry,
      checkIntervalMs: ms.sessionCheckInterval,
      nodeId: this.#cluster?.nodeId ?? randomBytes(6).toString('hex'),
      createAdapter: this.#cluster?.createAdapter,
      sessionIds: this.#cluster?.sessionIds,
    });
    this.#cluster?.reportStatsFrom(() => this.stats);
    const environment = { settings: this.settings, connectionClass, hub: this.#hub, recoveryPeers: this.#cluster };
    this.#protocols = PROTOCOLS.map((protocol) => protocol.create(environment));
    this.#namedProtocols = PROTOCOLS.map((protocol, index) => ({ name: protocol.name, server: this.#protocols[index] }));
    this.#noConnections = Object.fromEntries(PROTOCOLS.flatMap((protocol) => protocol.transports.map(({ name }) => [name, 0])));
    this.#routePattern = resourcePattern(this.settings.resource, this.settings.extraSep);
  }

  /**
   * Settles when the router is ready to hand out sessions: at once alone; in
   * a cluster once the other nodes can find this one (at most 2 s without
   * Redis). `SocketServer` waits for it before it listens; with `attach()`,
   * await it before the server listens.
   */
  get ready(): Promise<void> {
    return this.#cluster ? this.#cluster.joined() : Promise.resolve();
  }

  /** The route to put in an `Application`. */
  route(): SocketRoute {
    return [this.#routePattern, this];
  }

  /** Whether a request path falls under this router's resource. */
  owns(url: string | undefined): boolean {
    return this.#routePattern.test(splitUrl(url ?? '').pathname);
  }

  /** Open connections of the `/` namespace by id (the session id on 0.6). */
  get connections(): ReadonlyMap<string, SocketConnection> {
    return this.#hub.namespace('/').connections;
  }

  /** This node's counters: a fresh snapshot on every read. */
  get stats(): RouterStats {
    const stats = this.#hub.stats;
    return { ...stats, connectionsByTransport: { ...this.#noConnections, ...stats.connectionsByTransport } };
  }

  /**
   * A live transport session by id (a 0.6 session id or an Engine.IO sid),
   * for diagnostics: its transport, and whether a request or socket is
   * attached to it right now.
   */
  session(id: string): { id: string; transport: string; attached: boolean } | undefined {
    return this.#hub.describe(id);
  }

  /**
   * Every node's counters: `{ connections, nodes: [{ nodeId, ...stats }] }`,
   * the total over the nodes that answered within `cluster.requestTimeout`;
   * one that did not is listed as `{ nodeId, error }`. Alone, this node only.
   */
  clusterStats(): Promise<ClusterStats> {
    if (this.#cluster) return this.#cluster.clusterStats();
    const stats = this.stats;
    return Promise.resolve({ connections: stats.connections, nodes: [{ nodeId: this.nodeId, ...stats }] });
  }

  /** This node's view of its cluster (Redis state, messages held and dropped, forwards, live nodes); null alone. */
  get clusterHealth(): ClusterHealth | null {
    return this.#cluster?.health ?? null;
  }

  /** This process's id among the nodes of a cluster (a random one without a cluster). */
  get nodeId(): string {
    return this.#hub.nodeId;
  }

  // ---- broadcast ----

  /**
   * Sends a message to every open connection of `/`, or all but `except` (one
   * connection or a list). Encoded once per protocol, whatever the count.
   */
  broadcast(message: unknown, except?: SocketConnection | readonly SocketConnection[] | null): void {
    let everyone = this.of('/');
    if (except) everyone = everyone.except(Array.isArray(except) ? except.map((connection) => connection.id) : (except as SocketConnection).id);
    everyone.send(message);
  }

  /** Sends a message to every connection of `/`. */
  send(message: unknown): this {
    this.of('/').send(message);
    return this;
  }

  /** Sends an event to every connection of `/`. */
  emit(event: string, ...args: unknown[]): true {
    return this.of('/').emit(event, ...args);
  }

  /** Members of `room` in `/`. */
  to(room: string | readonly string[]): BroadcastOperator {
    return this.of('/').to(room);
  }

  /** The same as `to`. */
  in(room: string | readonly string[]): BroadcastOperator {
    return this.to(room);
  }

  /** Every connection of `/` but members of `room`. */
  except(room: string | readonly string[]): BroadcastOperator {
    return this.of('/').except(room);
  }

  /** Every connection of a namespace, to narrow with `to`/`except`. */
  of(namespace: string): BroadcastOperator {
    return new BroadcastOperator(this.#hub.namespace(namespace));
  }

  /** Plain descriptions of the open connections of a namespace (default `/`), or of one room. */
  fetchConnections(options: FetchConnectionsOptions = {}): Promise<ConnectionSummary[]> {
    const everyone = this.of(options.namespace ?? '/');
    return (options.room === undefined ? everyone : everyone.to(options.room)).fetchConnections();
  }

  // ---- HTTP ----

  /** Serves one request under this router's resource. Never throws: faults are answered with a status. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    try {
      const owner = this.#ownerElsewhere(req);
      if (owner instanceof Promise) {
        owner.then((route) => this.#serveRequest(req, res, route), (error: unknown) => refuseRequest(res, error, this.logger));
        return;
      }
      this.#serveRequest(req, res, owner);
    } catch (error) {
      refuseRequest(res, error, this.logger);
    }
  }

  #serveRequest(req: IncomingMessage, res: ServerResponse, owner: OwnerRoute | null): void {
    try {
      if (owner !== null) return this.#sendToOwner(req, res, owner);
      this.#claim(req).serve(res);
    } catch (error) {
      refuseRequest(res, error, this.logger);
    }
  }

  /** A request for a session another node owns: a poll or a post goes over the relay, anything else as HTTP. */
  #sendToOwner(req: IncomingMessage, res: ServerResponse, { address, protocol, pathname, search }: OwnerRoute): void {
    const cluster = this.#cluster!;
    const bodyLimit = protocol.server.relayBodyLimit?.(req, pathname, search) ?? null;
    if (bodyLimit !== null) return cluster.relayRequest(protocol.name, req, res, address, bodyLimit);
    cluster.forwardRequest(req, res, address);
  }

  /** A request another node relayed to this one, the owner of its session. */
  readonly #serveRelayed = (request: RelayedRequest, answer: HttpAnswer): void => {
    try {
      if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'server is shutting down');
      const protocol = this.#namedProtocols.find(({ name }) => name === request.protocol)?.server;
      if (!protocol?.serveRelayed) throw new RequestError('BAD_REQUEST', `protocol ${truncate(request.protocol)} takes no relayed requests`);
      protocol.serveRelayed(request, answer);
    } catch (error) {
      answerRefusal(answer, error, this.logger, 'relayed request');
    }
  };

  /**
   * What serves a request on the HTTP lane: the protocol that takes it there,
   * or null to leave it to node:http. A cluster node leaves every request to
   * node:http, since one may have to be forwarded to its session's owner.
   */
  laneClaim(head: LaneHead, pathname: string, search: string): LaneClaim | null {
    if (this.#cluster || this.#closed || head.url.length > this.settings.maxUrlLength) return null;
    for (const protocol of this.#protocols) {
      const claim = protocol.claimLane?.(head, pathname, search);
      if (claim) return claim;
    }
    return null;
  }

  /** Serves one upgrade request; returns false when the path is not this router's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.owns(req.url)) return false;
    if (this.#cluster && req.headers.upgrade?.toLowerCase() === RELAY_UPGRADE) {
      this.#cluster.acceptRelay(socket, head, this.#serveRelayed);
      return true;
    }
    try {
      const owner = this.#ownerElsewhere(req);
      if (owner instanceof Promise) {
        owner.then((route) => this.#serveUpgrade(req, socket, head, route), (error: unknown) => refuseUpgrade(socket, error, this.logger));
        return true;
      }
      this.#serveUpgrade(req, socket, head, owner);
    } catch (error) {
      refuseUpgrade(socket, error, this.logger);
    }
    return true;
  }

  #serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: OwnerRoute | null): void {
    try {
      if (owner !== null) return this.#cluster!.forwardUpgrade(req, socket, head, owner.address);
      this.#claim(req).upgrade(socket, head);
    } catch (error) {
      refuseUpgrade(socket, error, this.logger);
    }
  }

  /**
   * In a cluster, where the node owning the session a request names is, when
   * that is another node; null when this node serves the request (and
   * refuses it, if it must, as it would alone); a promise of either while the
   * cluster reads who owns an id of a node it has not heard of.
   */
  #ownerElsewhere(req: IncomingMessage): OwnerRoute | null | Promise<OwnerRoute | null> {
    const cluster = this.#cluster;
    if (!cluster || this.#closed) return null;
    const url = req.url ?? '';
    if (url.length > this.settings.maxUrlLength) return null;
    const { pathname, search } = splitUrl(url);
    for (const protocol of this.#namedProtocols) {
      const sessionId = protocol.server.sessionIdOf?.(req, pathname, search);
      if (!sessionId) continue;
      const routeTo = (address: string | null): OwnerRoute | null => (address === null ? null : { address, protocol, pathname, search });
      const address = cluster.ownerAddressOf(req, sessionId);
      return address instanceof Promise ? address.then(routeTo) : routeTo(address);
    }
    return null;
  }

  /** The protocol that claims a request; throws the refusal when none can. */
  #claim(req: IncomingMessage): ClaimedRequest {
    if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'server is shutting down');
    const url = req.url ?? '';
    if (url.length > this.settings.maxUrlLength) {
      throw new RequestError('URL_TOO_LONG', `URL of ${url.length} characters exceeds ${this.settings.maxUrlLength}`);
    }
    const { pathname, search } = splitUrl(url);
    for (const protocol of this.#protocols) {
      const claimed = protocol.claim(req, pathname, search);
      if (claimed) return claimed;
    }
    throw new RequestError('UNKNOWN_TRANSPORT', `no known transport in path ${truncate(pathname)}`);
  }

  // ---- lifecycle ----

  /**
   * Closes every session (each `onClose` runs once) and stops every timer;
   * in a cluster, then leaves it (out of the node directory, off Redis).
   * Resolves when all is done. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#hub.close('server shutting down');
    for (const protocol of this.#protocols) protocol.close?.();
    this.#closing = this.#cluster ? this.#cluster.close() : Promise.resolve();
    return this.#closing;
  }

  /**
   * Serves this router's requests and upgrades on an existing `http.Server`
   * (or `https.Server`, or one an Express app listens on); every other
   * request goes to the handlers that were there before, untouched.
   */
  attach(server: HttpServer): this {
    attachRouter(this, server);
    return this;
  }
}

/** Tornadio's `get_router(handler, settings)`: a router serving `connectionClass`. */
export function getRouter(connectionClass: ConnectionClass, settings?: RouterSettings): SocketRouter {
  return new SocketRouter(connectionClass, settings);
}
