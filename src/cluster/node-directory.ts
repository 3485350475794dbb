import { describeError, type Logger } from '../logger';
import type { RedisLink } from './redis-link';

/** A live node as the cluster knows it. */
export interface NodeEntry {
  readonly nodeId: string;
  /** The first characters of every session id the node issues. */
  readonly tag: string;
  /** Where other nodes reach it over HTTP; null when it gave none (nothing is forwarded to it). */
  readonly address: string | null;
}

export interface NodeDirectoryOptions {
  self: NodeEntry;
  link: RedisLink;
  keyPrefix: string;
  logger: Logger;
  /** How often a node renews its entry and reads the others'. */
  heartbeatMs: number;
}

/** An entry outlives this many missed heartbeats, then Redis drops it: a node that died leaves by itself. */
const MISSED_BEATS = 3;
/** Reads on demand (for a session id of a node not heard of) come at most this often, however many such ids arrive. */
const REFRESH_MIN_MS = 250;
/** How long a request for an unheard-of node waits for this node's first read of the directory. */
const FIRST_READ_WAIT_MS = 2000;

/** Settles when `promise` does, or after `ms`, whichever is first (the timer never keeps the process alive). */
function raceTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function parseEntry(text: string | null): NodeEntry | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<NodeEntry>;
    if (typeof value.nodeId !== 'string' || typeof value.tag !== 'string') return null;
    return { nodeId: value.nodeId, tag: value.tag, address: typeof value.address === 'string' ? value.address : null };
  } catch {
    return null;
  }
}

/**
 * Which nodes are alive, and where each is reached. Every node keeps a key
 * of its own with a TTL of a few heartbeats (Redis's clock decides who
 * expired, not the nodes' clocks) and lists itself in a set; every beat it
 * renews its key and reads everyone's. A node that dies leaves when its key
 * expires; one that shuts down removes itself at once. While Redis is away
 * the last list read stays in use, so forwarding between live nodes goes on.
 */
export class NodeDirectory {
  readonly #options: NodeDirectoryOptions;
  readonly #setKey: string;
  #byTag = new Map<string, NodeEntry>();
  #byId = new Map<string, NodeEntry>();
  #timer: NodeJS.Timeout | null = null;
  /** The beat in flight: every caller meanwhile waits for the same one. */
  #beat: Promise<void> | null = null;
  #lastRefresh = 0;
  /** The on-demand read every request for an unheard-of node waits for, until it begins. */
  #nextRead: Promise<void> | null = null;
  #collisionLogged = false;
  #firstReadDone!: () => void;
  /** Settles when this node has read the directory once. */
  readonly #firstRead = new Promise<void>((resolve) => (this.#firstReadDone = resolve));

  constructor(options: NodeDirectoryOptions) {
    this.#options = options;
    this.#setKey = `${options.keyPrefix}nodes`;
    this.#remember([options.self]);
  }

  #keyOf(nodeId: string): string {
    return `${this.#options.keyPrefix}node:${nodeId}`;
  }

  /** Where a node that joins says so, so that the others can forward to it before their next beat. */
  get #announceChannel(): string {
    return `${this.#options.keyPrefix}node-joined`;
  }

  /**
   * Tells every node this one is here (after its entry is written): a node
   * that just started serves requests that may reach the others at once, and
   * they would refuse them as unknown until their next beat read it.
   */
  announce(): void {
    this.#options.link.publish(this.#announceChannel, JSON.stringify(this.#options.self));
  }

  #learn(text: string): void {
    const entry = parseEntry(text);
    if (!entry || entry.nodeId === this.#options.self.nodeId || this.#byId.get(entry.nodeId)?.address === entry.address) return;
    this.#remember([...this.#byId.values()].filter((known) => known.nodeId !== entry.nodeId).concat(entry));
  }

  /** Starts the heartbeat (the first beat runs at once). */
  start(): void {
    if (this.#timer) return;
    this.#options.link.subscribe(this.#announceChannel, (text) => this.#learn(text));
    this.#timer = setInterval(() => void this.beat(), this.#options.heartbeatMs);
    // The heartbeat alone must not keep a process alive that has nothing else to do.
    this.#timer.unref();
    void this.beat();
  }

  /** The node owning ids that start with `tag`; undefined for a tag no live node has. */
  byTag(tag: string): NodeEntry | undefined {
    return this.#byTag.get(tag);
  }

  /**
   * Settles once this node's entry is in the directory and it has read the
   * others' (or after FIRST_READ_WAIT_MS without Redis): a node that hands
   * out session ids before the others can find it would have its clients'
   * requests refused on them.
   */
  joined(): Promise<void> {
    return raceTimeout(this.#firstRead, FIRST_READ_WAIT_MS);
  }

  /** Every live node but this one. */
  others(): NodeEntry[] {
    return [...this.#byId.values()].filter((entry) => entry.nodeId !== this.#options.self.nodeId);
  }

  /**
   * Reads the directory now, for a session id whose node this one has not
   * heard of (a node that just joined, before its announcement arrived).
   * Bounded both ways: at most one read per REFRESH_MIN_MS whatever the ids
   * (forged ones included), and before this node's first read a wait of at
   * most FIRST_READ_WAIT_MS.
   */
  refresh(): Promise<void> {
    if (this.#options.link.state !== 'ready') return raceTimeout(this.#firstRead, FIRST_READ_WAIT_MS);
    // A read that began before this request came may predate the entry it needs (the session's node
    // may have handed out the id a moment before its entry reached Redis): wait for one that begins later.
    this.#nextRead ??= new Promise<void>((resolve) => {
      const wait = Math.max(0, this.#lastRefresh + REFRESH_MIN_MS - Date.now());
      setTimeout(() => {
        this.#nextRead = null;
        this.#lastRefresh = Date.now();
        void (this.#beat ?? Promise.resolve()).then(() => this.beat()).then(resolve);
      }, wait).unref();
    });
    return this.#nextRead;
  }

  /** Renews this node's entry and reads every node's. Resolves when done; a Redis failure is left to the link to report. */
  beat(): Promise<void> {
    if (this.#beat) return this.#beat;
    if (this.#options.link.state !== 'ready') return Promise.resolve();
    this.#beat = this.#renewAndRead().finally(() => (this.#beat = null));
    return this.#beat;
  }

  async #renewAndRead(): Promise<void> {
    const { link, self, heartbeatMs } = this.#options;
    try {
      const redis = link.commands;
      await redis
        .multi()
        .set(this.#keyOf(self.nodeId), JSON.stringify(self), 'PX', heartbeatMs * MISSED_BEATS)
        .sadd(this.#setKey, self.nodeId)
        .exec();
      const ids = await redis.smembers(this.#setKey);
      const texts = ids.length ? await redis.mget(ids.map((id) => this.#keyOf(id))) : [];
      const entries: NodeEntry[] = [];
      const gone: string[] = [];
      ids.forEach((id, index) => {
        const entry = parseEntry(texts[index] ?? null);
        if (entry) entries.push(entry);
        else gone.push(id);
      });
      // Their keys expired: those nodes died without saying goodbye.
      if (gone.length) await redis.srem(this.#setKey, ...gone);
      this.#remember(entries);
      this.#firstReadDone();
    } catch (error) {
      this.#options.logger.debug(`[cluster] heartbeat failed: ${describeError(error)}`);
    }
  }

  #remember(entries: NodeEntry[]): void {
    const self = this.#options.self;
    const byTag = new Map<string, NodeEntry>([[self.tag, self]]);
    const byId = new Map<string, NodeEntry>([[self.nodeId, self]]);
    for (const entry of entries) {
      if (entry.nodeId === self.nodeId) continue;
      const clash = byTag.get(entry.tag);
      if (clash && !this.#collisionLogged) {
        this.#collisionLogged = true;
        this.#options.logger.error(`[cluster] nodes ${clash.nodeId} and ${entry.nodeId} have the same id tag: choose another nodeId for one of them`);
      }
      if (!clash) byTag.set(entry.tag, entry);
      byId.set(entry.nodeId, entry);
    }
    this.#byTag = byTag;
    this.#byId = byId;
  }

  /** Stops the heartbeat and takes this node out of the directory (when Redis answers). */
  async leave(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const { link, self } = this.#options;
    if (link.state !== 'ready') return;
    try {
      await link.commands.multi().del(this.#keyOf(self.nodeId)).srem(this.#setKey, self.nodeId).exec();
    } catch (error) {
      this.#options.logger.warn(`[cluster] could not leave the node directory: ${describeError(error)}`);
    }
  }
}
