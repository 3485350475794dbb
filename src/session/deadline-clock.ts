/** Something with a deadline: a pending long-poll answered empty, a ping waiting for its pong. */
export interface Expirable {
  expire(): void;
}

/**
 * One timeout for many waiters on one timer, instead of one `setTimeout`
 * each: the polling timeout of every pending 0.6 long-poll, or the pong
 * deadline of every Engine.IO ping. All wait the same time, so insertion
 * order is deadline order and a tick stops at the first waiter still in
 * time. A waiter expires at most a quarter of the timeout (at most 1 s)
 * late: 20-21 s for the default 20 s polling timeout, well inside the 0.6
 * client's 25 s.
 */
export class DeadlineClock {
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

  /** Starts `target`'s timeout over (a sign of life): it moves to the back, keeping deadline order. */
  renew(target: Expirable): void {
    this.#waiting.delete(target);
    this.add(target);
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
