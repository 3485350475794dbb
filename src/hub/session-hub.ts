import { RequestError } from '../errors';
import { HubNamespace, inMemoryAdapter, type AdapterFactory } from './hub-namespace';
import { PROTOCOL_NAMES, type Member } from './member';
import { SessionIdIssuer } from './session-id';
import { SessionRegistry, type RegisteredSession } from './session-registry';
import { TrafficCounters, type RouterStats } from './stats';

export interface SessionHubOptions {
  /** Most transport sessions open at once; null for no limit. */
  maxSessions: number | null;
  /** A session with nothing attached for this long is expired. */
  expiryMs: number;
  checkIntervalMs: number;
  /** This process's name in a cluster (and in `fetchConnections`). */
  nodeId: string;
  createAdapter?: AdapterFactory;
  /** Issues session and connection ids (in a cluster, tagged with the node). */
  sessionIds?: SessionIdIssuer;
}

/**
 * The one owner of a router's live sessions, whatever protocol opened them:
 * the transport sessions by id (with capacity and expiry), the namespaces
 * with their members and rooms, and the counters behind `router.stats`.
 * Protocols create sessions and report their members' lives here; the router
 * and connections broadcast through the namespaces.
 */
export class SessionHub {
  readonly counters = new TrafficCounters();
  readonly nodeId: string;
  readonly #registry: SessionRegistry;
  readonly #namespaces = new Map<string, HubNamespace>();
  readonly #maxSessions: number | null;
  readonly #createAdapter: AdapterFactory;
  readonly #sessionIds: SessionIdIssuer;
  #closed = false;

  constructor(options: SessionHubOptions) {
    this.#registry = new SessionRegistry(options.expiryMs, options.checkIntervalMs);
    this.#maxSessions = options.maxSessions;
    this.nodeId = options.nodeId;
    this.#createAdapter = options.createAdapter ?? inMemoryAdapter;
    this.#sessionIds = options.sessionIds ?? new SessionIdIssuer(null);
    this.namespace('/');
  }

  /** Live transport sessions (a closed one may linger to hand out its last frames). */
  get sessionCount(): number {
    return this.#registry.size;
  }

  /**
   * A fresh id for a transport session or a connection. Every protocol takes
   * its ids from here: in a cluster the id names this node, which is how
   * another node knows where to forward a request for it.
   */
  newSessionId(): string {
    return this.#sessionIds.next();
  }

  /** Throws TOO_MANY_SESSIONS (or SHUTTING_DOWN) when a new session cannot be taken. Cheap: call it before an upgrade. */
  checkCapacity(): void {
    if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'server is shutting down');
    if (this.#maxSessions !== null && this.#registry.size >= this.#maxSessions) {
      throw new RequestError('TOO_MANY_SESSIONS', `${this.#maxSessions} sessions are open already`);
    }
  }

  /** Registers a new transport session, after checking capacity. */
  register(session: RegisteredSession): void {
    this.checkCapacity();
    this.#registry.add(session);
    this.counters.sessionsCreated++;
  }

  find<S extends RegisteredSession>(id: string, isKind: (session: RegisteredSession) => session is S): S | undefined {
    const session = this.#registry.get(id);
    return session && isKind(session) ? session : undefined;
  }

  /** A live transport session as plain data, for diagnostics: its transport and whether a request or socket is attached. */
  describe(id: string): { id: string; transport: string; attached: boolean } | undefined {
    const session = this.#registry.get(id);
    return session && { id: session.id, transport: session.transport, attached: session.hasSink };
  }

  /**
   * The session has nothing left to deliver: forget it. Counted closed here,
   * as it was counted created at register(): a transport session, whatever
   * number of namespaces it joined (none, on an Engine.IO session that never
   * sent CONNECT).
   */
  release(session: RegisteredSession): void {
    if (this.#registry.delete(session)) this.counters.sessionsClosed++;
  }

  /** A namespace, created on first use. */
  namespace(name: string): HubNamespace {
    let space = this.#namespaces.get(name);
    if (!space) this.#namespaces.set(name, (space = new HubNamespace(name, this.nodeId, this.#createAdapter)));
    return space;
  }

  /** A member closed after having opened: out of its namespace and rooms. */
  memberClosed(member: Member): void {
    this.namespace(member.namespace).left(member);
  }

  get stats(): RouterStats {
    const connectionsByTransport: Record<string, number> = {};
    // Every generation is listed, at zero too, so a dashboard's series never vanish.
    const connectionsByProtocol = Object.fromEntries(PROTOCOL_NAMES.map((name) => [name, 0])) as RouterStats['connectionsByProtocol'];
    let connections = 0;
    let connectionsAwaitingRecovery = 0;
    for (const space of this.#namespaces.values()) {
      connectionsAwaitingRecovery += space.local.waitingCount;
      for (const member of space.local.members()) {
        connections++;
        connectionsByTransport[member.transport] = (connectionsByTransport[member.transport] ?? 0) + 1;
        connectionsByProtocol[member.protocol]++;
      }
    }
    return { connections, connectionsByTransport, connectionsByProtocol, connectionsAwaitingRecovery, ...this.counters };
  }

  /** Ends every session at once (each `onClose` runs once). Idempotent. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#registry.values()]) session.abort(reason);
  }
}
