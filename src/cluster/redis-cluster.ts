import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionSummary } from '../hub/adapter';
import type { AdapterFactory } from '../hub/hub-namespace';
import type { OutgoingPacket } from '../hub/packet';
import { nodeTagOf, SessionIdIssuer, tagOfSessionId } from '../hub/session-id';
import type { RouterStats } from '../hub/stats';
import { describeError, type Logger } from '../logger';
import type { ResolvedClusterSettings } from '../settings';
import { ClusterAdapter, type ClusterPeers } from './cluster-adapter';
import { Forwarder, FORWARDED_HEADER, type ForwardCounters } from './forwarder';
import { NodeRelay, type RelayedRequestHandler } from './relay';
import { NodeDirectory } from './node-directory';
import { QuestionBook } from './questions';
import { RedisLink, type RedisLinkStats } from './redis-link';
import { decodeWire, encodeWire, type AnswerMessage, type ClusterOperation, type OperationMessage, type QuestionMessage, type WireSelection } from './wire';

/** One node's line in `clusterStats()`: its stats, or why it could not give them. */
export type NodeStats = ({ nodeId: string } & RouterStats) | { nodeId: string; error: string };

/** What `router.clusterStats()` resolves to; `connections` counts the nodes that answered. */
export interface ClusterStats {
  connections: number;
  nodes: NodeStats[];
}

/** This node's view of the cluster, for health checks and tests. */
export interface ClusterHealth {
  nodeId: string;
  redis: RedisLinkStats;
  forwarded: ForwardCounters;
  /** Every live node this node knows of, itself included. */
  nodes: string[];
}

/** What the owner of a dropped connection hands over, as plain data (binary kept as binary on the wire); null when it cannot. */
export type RecoveryHandOver = (namespace: string, pid: string, offset: string) => unknown;

/**
 * The owner's answer to a recovery question, and the broadcasts that
 * reached neither node meanwhile (see BroadcastWindow): what a protocol's
 * recovery store (eio/recovery.ts) gets back from `takeRecovery`.
 */
export interface RemoteRecoveryAnswer {
  /** The handed-over state as it came over the wire (checked by the asker), or null. */
  readonly state: unknown;
  /** Once the connection has joined its rooms here: the late broadcasts for it; null when more than maxMissed came. Call it once. */
  lateBroadcasts(id: string, rooms: readonly string[]): OutgoingPacket[] | null;
}

/** Most cluster questions one node may have waiting at once. */
const MAX_WAITING_QUESTIONS = 1000;

export interface RedisClusterOptions {
  settings: ResolvedClusterSettings;
  /** The router's resource: routers under different resources are different clusters. */
  resource: string;
  logger: Logger;
  /** How long a forwarded request may stay silent: the longest a long-poll is held, and some. */
  forwardIdleTimeoutMs: number;
  /** The path relay links open on: the router's resource. */
  relayPath: string;
  /** The largest body a relayed request may carry (the protocols' largest POST). */
  maxRelayedBodyBytes: number;
}

/**
 * A router's node in a cluster whose nodes share one Redis server: it
 * publishes and applies cross-node operations (through each namespace's
 * ClusterAdapter), asks and answers questions, keeps the node directory, and
 * forwards requests for sessions that another node owns. The router sees
 * only the adapter factory, the id issuer, `ownerAddressOf`, `forward*`,
 * `clusterStats` and `close`.
 */
export class RedisCluster implements ClusterPeers {
  readonly nodeId: string;
  readonly sessionIds: SessionIdIssuer;
  readonly #logger: Logger;
  readonly #link: RedisLink;
  readonly #directory: NodeDirectory;
  readonly #questions: QuestionBook;
  readonly #forwarder: Forwarder;
  readonly #relay: NodeRelay;
  readonly #adapters = new Map<string, ClusterAdapter>();
  readonly #channels: { operations: string; questions: string; answers: (nodeId: string) => string };
  #localStats: () => RouterStats = () => {
    throw new Error('cluster stats asked before the router was ready');
  };
  #closing: Promise<void> | null = null;
  #handOver: RecoveryHandOver = () => null;
  /** How many operations this node has published: the `seq` of the last. */
  #published = 0;
  /** For each other node, the `seq` of its last operation applied here. */
  readonly #applied = new Map<string, number>();

  constructor(options: RedisClusterOptions) {
    const { settings, logger } = options;
    this.nodeId = settings.nodeId;
    this.#logger = logger;
    const tag = nodeTagOf(settings.nodeId);
    this.sessionIds = new SessionIdIssuer(tag);
    const prefix = `tornadio:${options.resource}:`;
    this.#channels = {
      operations: `${prefix}operations`,
      questions: `${prefix}questions`,
      answers: (nodeId) => `${prefix}answers:${nodeId}`,
    };
    this.#link = new RedisLink({ url: settings.redis, logger, maxPending: settings.maxPending, onReady: () => void this.#directory.beat().then(() => this.#directory.announce()) });
    this.#directory = new NodeDirectory({
      self: { nodeId: settings.nodeId, tag, address: settings.address },
      link: this.#link,
      keyPrefix: prefix,
      logger,
      heartbeatMs: settings.ms.heartbeatInterval,
    });
    this.#questions = new QuestionBook(settings.ms.requestTimeout, MAX_WAITING_QUESTIONS);
    const forwarded: ForwardCounters = { requests: 0, upgrades: 0, relayed: 0, failures: 0 };
    const idleTimeoutMs = options.forwardIdleTimeoutMs;
    const connectTimeoutMs = settings.ms.requestTimeout;
    this.#forwarder = new Forwarder({ nodeId: settings.nodeId, logger, idleTimeoutMs, connectTimeoutMs }, forwarded);
    // A request frame: the body and a meta line of the URL (bounded by maxUrlLength) and two headers.
    const maxRequestFrameBytes = options.maxRelayedBodyBytes + 64 * 1024;
    this.#relay = new NodeRelay({ nodeId: settings.nodeId, path: options.relayPath, logger, idleTimeoutMs, connectTimeoutMs, maxRequestFrameBytes }, forwarded);
    this.#link.subscribe(this.#channels.operations, (text) => this.#onOperation(text));
    this.#link.subscribe(this.#channels.questions, (text) => this.#onQuestion(text));
    this.#link.subscribe(this.#channels.answers(this.nodeId), (text) => this.#onAnswer(text));
    this.#directory.start();
  }

  /** Settles when this node is in the cluster's directory (bounded: see NodeDirectory.joined). */
  joined(): Promise<void> {
    return this.#directory.joined();
  }

  /** The adapter every namespace of the router gets. */
  readonly createAdapter: AdapterFactory = (local, nodeId) => {
    const adapter = new ClusterAdapter(local, nodeId, this);
    this.#adapters.set(local.name, adapter);
    return adapter;
  };

  /** Where this node's `router.stats` comes from, for the other nodes' `clusterStats`. */
  reportStatsFrom(stats: () => RouterStats): void {
    this.#localStats = stats;
  }

  /** How this node hands over the recovery state of its dropped connections to the node a client came back to. */
  handOverRecoveryWith(handOver: RecoveryHandOver): void {
    this.#handOver = handOver;
  }

  /**
   * Asks the node that owns a dropped connection (its `pid` names the node)
   * to hand over its recovery state; null when this node owns it or no live
   * node does. Resolves to null when the owner does not answer in time.
   */
  takeRecovery(namespace: string, pid: string, offset: string, maxMissed: number): Promise<RemoteRecoveryAnswer> | null {
    const tag = tagOfSessionId(pid);
    if (tag === null || tag === this.sessionIds.tag) return null;
    const owner = this.#directory.byTag(tag);
    if (!owner) return null;
    // Opened before the question goes out: from here on, broadcasts may reach neither node's copy of the connection.
    const window = this.#adapters.get(namespace)?.openWindow(maxMissed);
    const question: QuestionMessage['question'] = { kind: 'recover', namespace, pid, offset };
    const asked = this.#questions.ask([owner.nodeId], (id) => this.#publishQuestion(id, question));
    return asked.then(
      ({ answers }) => {
        const { state, applied } = (answers.get(owner.nodeId) ?? {}) as { state?: unknown; applied?: unknown };
        const counts = typeof applied === 'object' && applied !== null ? (applied as Record<string, number>) : {};
        return { state: state ?? null, lateBroadcasts: (id, rooms) => window?.close(id, rooms, counts) ?? [] };
      },
      (error: unknown) => {
        window?.close('', [], {});
        throw error;
      },
    );
  }

  get health(): ClusterHealth {
    return {
      nodeId: this.nodeId,
      redis: this.#link.stats,
      forwarded: { ...this.#forwarder.counters },
      nodes: [this.nodeId, ...this.#directory.others().map((node) => node.nodeId)],
    };
  }

  // ---- sessions owned elsewhere ----

  /**
   * The address of the node that owns the session a request names, when that
   * is another live node with an address; null when the request is ours to
   * serve (our own id, an id of no live node — refused there as unknown — or
   * a request another node forwarded already, which is never forwarded twice).
   * For an id of a node this one has not heard of, a promise of the same
   * answer after one fresh read of the directory (bounded: see refresh()).
   */
  ownerAddressOf(req: IncomingMessage, sessionId: string): string | null | Promise<string | null> {
    if (req.headers[FORWARDED_HEADER] !== undefined) return null;
    const tag = tagOfSessionId(sessionId);
    if (tag === null || tag === this.sessionIds.tag) return null;
    const known = this.#directory.byTag(tag);
    if (known) return known.address;
    return this.#directory.refresh().then(() => this.#directory.byTag(tag)?.address ?? null);
  }

  forwardRequest(req: IncomingMessage, res: ServerResponse, address: string): void {
    this.#forwarder.request(req, res, address);
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    this.#forwarder.upgrade(req, socket, head, address);
  }

  /** Sends a poll or a post of `protocol` to its session's owner over the relay link to it. */
  relayRequest(protocol: string, req: IncomingMessage, res: ServerResponse, address: string, bodyLimit: number): void {
    this.#relay.relay(protocol, req, res, address, bodyLimit);
  }

  /** Takes a relay link another node opened to this one; `serve` serves what comes over it. */
  acceptRelay(socket: Duplex, head: Buffer, serve: RelayedRequestHandler): void {
    this.#relay.accept(socket, head, serve);
  }

  // ---- ClusterPeers: what the adapters ask of the other nodes ----

  publish(namespace: string, selection: WireSelection, operation: ClusterOperation): number {
    const seq = ++this.#published;
    const message: OperationMessage = { from: this.nodeId, seq, namespace, selection, operation };
    this.#link.publish(this.#channels.operations, encodeWire(message));
    return seq;
  }

  /** Each node's count of operations this node has applied (its own: published), as a handed-over recovery reports it. */
  #appliedCounts(): Record<string, number> {
    const counts = Object.fromEntries(this.#applied);
    counts[this.nodeId] = this.#published;
    return counts;
  }

  async fetchRemote(namespace: string, selection: WireSelection): Promise<ConnectionSummary[]> {
    const { answers, missing } = await this.#ask({ kind: 'fetch', namespace, selection });
    if (missing.size) this.#logger.warn(`[cluster] fetchConnections: no answer from ${[...missing.keys()].join(', ')}`);
    return [...answers.values()].flatMap((answer) => (Array.isArray(answer) ? (answer as ConnectionSummary[]) : []));
  }

  /** Every node's stats; a node that does not answer in time is listed with an error and left out of the total. */
  async clusterStats(): Promise<ClusterStats> {
    const own = { nodeId: this.nodeId, ...this.#localStats() };
    const { answers, missing } = await this.#ask({ kind: 'stats' });
    const nodes: NodeStats[] = [own];
    let connections = own.connections;
    for (const [nodeId, answer] of answers) {
      const stats = answer as RouterStats;
      connections += stats.connections;
      nodes.push({ ...stats, nodeId });
    }
    for (const [nodeId, error] of missing) nodes.push({ nodeId, error });
    return { connections, nodes };
  }

  #ask(question: QuestionMessage['question']): Promise<{ answers: ReadonlyMap<string, unknown>; missing: ReadonlyMap<string, string> }> {
    const others = this.#directory.others().map((node) => node.nodeId);
    return this.#questions.ask(others, (id) => this.#publishQuestion(id, question));
  }

  #publishQuestion(id: string, question: QuestionMessage['question']): boolean {
    // A question is not held for Redis: its asker would wait for an answer that cannot come in time.
    if (this.#link.state !== 'ready') return false;
    const message: QuestionMessage = { id, from: this.nodeId, question };
    this.#link.publish(this.#channels.questions, encodeWire(message));
    return true;
  }

  // ---- what the other nodes send ----

  #decode<T extends { from: string }>(text: string, what: string): T | null {
    try {
      const message = decodeWire(text) as T;
      return message.from === this.nodeId ? null : message;
    } catch (error) {
      this.#logger.warn(`[cluster] unreadable ${what} message dropped: ${describeError(error)}`);
      return null;
    }
  }

  #onOperation(text: string): void {
    const message = this.#decode<OperationMessage>(text, 'operation');
    if (!message) return;
    const seq = typeof message.seq === 'number' ? message.seq : 0;
    this.#applied.set(message.from, seq);
    try {
      this.#adapters.get(message.namespace)?.applyRemote(message.selection, message.operation, message.from, seq);
    } catch (error) {
      this.#logger.error(`[cluster] operation from ${message.from} failed: ${describeError(error)}`);
    }
  }

  #onQuestion(text: string): void {
    const message = this.#decode<QuestionMessage>(text, 'question');
    if (!message) return;
    const answer = (value: unknown) => {
      const reply: AnswerMessage = { id: message.id, from: this.nodeId, answer: value };
      this.#link.publish(this.#channels.answers(message.from), encodeWire(reply));
    };
    const { question } = message;
    if (question.kind === 'stats') return answer(this.#localStats());
    if (question.kind === 'recover') {
      // Asked of one node only: the others keep silent, or their answer would end the question.
      if (tagOfSessionId(question.pid) !== this.sessionIds.tag) return;
      // With this node's counts of what it has applied, so the asker adds only what came after (see BroadcastWindow).
      return answer({ state: this.#handOver(question.namespace, question.pid, question.offset), applied: this.#appliedCounts() });
    }
    const adapter = this.#adapters.get(question.namespace);
    if (!adapter) return answer([]);
    adapter.fetchLocal(question.selection).then(answer, (error: unknown) => {
      this.#logger.error(`[cluster] fetchConnections for ${message.from} failed: ${describeError(error)}`);
      answer([]);
    });
  }

  #onAnswer(text: string): void {
    const message = this.#decode<AnswerMessage>(text, 'answer');
    if (message) this.#questions.answer(message.id, message.from, message.answer);
  }

  /** Leaves the cluster: out of the directory, connections to Redis and to other nodes closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#questions.closeAll();
      await this.#directory.leave();
      await this.#link.close();
      this.#forwarder.close();
      this.#relay.close();
    })();
    return this.#closing;
  }
}
