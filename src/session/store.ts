import type { Session } from './session';

/**
 * Every live session of a router, by id, with Tornadio's sliding expiry: a
 * session with nothing attached for `expiryMs` is expired by a sweep that
 * runs every `checkIntervalMs` while there are sessions to watch (so an idle
 * router holds no timer and never keeps the process alive).
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  #sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly expiryMs: number,
    private readonly checkIntervalMs: number,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  values(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
    if (!this.#sweepTimer) this.#sweepTimer = setInterval(() => this.sweep(Date.now()), this.checkIntervalMs);
  }

  delete(session: Session): boolean {
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
