/** A session that takes part in heartbeats. */
export interface HeartbeatTarget {
  /** Sends the next heartbeat, or closes the session if the last one went unanswered. */
  heartbeat(): void;
}

/**
 * One timer for every session of a router instead of one each: thousands of
 * idle websockets then cost a set entry apiece, not a timer apiece. A session
 * gets its first beat within one interval of opening and must answer each
 * beat before the next. The timer runs only while a session needs it, so an
 * idle router never keeps the process alive.
 */
export class HeartbeatClock {
  readonly #targets = new Set<HeartbeatTarget>();
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number) {}

  add(target: HeartbeatTarget): void {
    this.#targets.add(target);
    if (!this.#timer) this.#timer = setInterval(this.#tick, this.intervalMs);
  }

  delete(target: HeartbeatTarget): void {
    this.#targets.delete(target);
    if (this.#targets.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  readonly #tick = (): void => {
    // A target that misses its beat removes itself while we iterate: Set iteration allows that.
    for (const target of this.#targets) target.heartbeat();
  };
}
