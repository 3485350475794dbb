/** A pending long-poll that is answered empty when its time is up. */
export interface Expirable {
  expire(): void;
}

/**
 * The polling timeout of every pending long-poll of a router, on one timer
 * instead of one `setTimeout` per GET. All polls wait the same time, so
 * insertion order is deadline order and a tick stops at the first poll still
 * in time. A poll is answered at most a quarter of the timeout (at most 1 s)
 * late: 20-21 s for the default 20 s, well inside the client's 25 s.
 */
export class PollDeadlines {
  readonly #waiting = new Map<Expirable, number>();
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {
    this.#tickMs = Math.min(1000, Math.max(5, Math.round(timeoutMs / 4)));
  }

  add(target: Expirable): void {
    this.#waiting.set(target, Date.now() + this.timeoutMs);
    this.#timer ??= setInterval(this.#tick, this.#tickMs);
  }

  delete(target: Expirable): void {
    this.#waiting.delete(target);
    if (this.#waiting.size === 0) this.#stop();
  }

  readonly #tick = (): void => {
    const now = Date.now();
    for (const [target, deadline] of this.#waiting) {
      if (deadline > now) break;
      this.#waiting.delete(target);
      target.expire();
    }
    if (this.#waiting.size === 0) this.#stop();
  };

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
