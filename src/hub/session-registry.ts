/** A transport session as the registry sees it: an id, and whether anything has been attached lately. */
export interface RegisteredSession {
  readonly id: string;
  /** The transport carrying it now (a polling session may upgrade). */
  readonly transport: string;
  /** True while a request or socket is attached to carry frames out. */
  readonly hasSink: boolean;
  /** When a request was last attached or detached, or data arrived (ms since epoch). */
  readonly lastActive: number;
  /** Nothing came for longer than the expiry: the client is gone. */
  expire(): void;
  /** Ends the session at once (the router is closing). */
  abort(reason: string): void;
}

/**
 * Every live transport session of a router, by id, with Tornadio's sliding
 * expiry: a session with nothing attached for `expiryMs` is expired by a
 * sweep that runs every `checkIntervalMs` while there are sessions to watch
 * (so an idle router holds no timer and never keeps the process alive).
 */
export class SessionRegistry<S extends RegisteredSession = RegisteredSession> {
  readonly #sessions = new Map<string, S>();
  #sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly expiryMs: number,
    private readonly checkIntervalMs: number,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): S | undefined {
    return this.#sessions.get(id);
  }

  values(): IterableIterator<S> {
    return this.#sessions.values();
  }

  add(session: S): void {
    this.#sessions.set(session.id, session);
    if (!this.#sweepTimer) this.#sweepTimer = setInterval(() => this.sweep(Date.now()), this.checkIntervalMs);
  }

  delete(session: S): boolean {
    if (this.#sessions.get(session.id) !== session) return false;
    this.#sessions.delete(session.id);
    if (this.#sessions.size === 0) this.#stopSweeping();
    return true;
  }

  /** Expires every session that has had nothing attached for longer than the expiry. */
  sweep(now: number): void {
    for (const session of [...this.#sessions.values()]) {
      if (!session.hasSink && now - session.lastActive > this.expiryMs) session.expire();
    }
  }

  #stopSweeping(): void {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
  }
}
