/** Something with a deadline: a pending long-poll answered empty, a ping waiting for its pong. */
export interface Expirable {
  expire(): void;
}

/**
 * A waiter whose timeout starts over on every sign of life (a v3 client's
 * silence watch, renewed by each packet). `renewedUntil` belongs to the
 * clock: a renewal only writes it down, and the clock moves the waiter back
 * in line when its old deadline comes, so a busy session costs one field
 * write per packet, not a reordering.
 */
export interface Renewable extends Expirable {
  renewedUntil?: number;
}

/**
 * One timeout for many waiters on one timer, instead of one `setTimeout`
 * each: the polling timeout of every pending 0.6 long-poll, or the pong
 * deadline of every Engine.IO ping. All wait the same time, so insertion
 * order is deadline order and a tick stops at the first waiter still in
 * time (a renewed waiter is re-queued when its old deadline comes, see
 * Renewable). A waiter expires at most a quarter of the timeout (at most 1 s)
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
    // Added again: to the back of the line, or its later deadline would hold up the waiters behind it.
    this.#waiting.delete(target);
    this.#waiting.set(target, Date.now() + this.timeoutMs);
    this.#timer ??= setInterval(this.#tick, this.#tickMs);
  }

  /** Starts `target`'s timeout over (a sign of life); a target not waiting is added. */
  renew(target: Renewable): void {
    if (!this.#waiting.has(target)) return this.add(target);
    target.renewedUntil = Date.now() + this.timeoutMs;
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
      const renewedUntil = (target as Renewable).renewedUntil;
      if (renewedUntil !== undefined && renewedUntil > now) {
        // Renewed since it was queued: back in line at its real deadline (iteration stops before it comes round again).
        this.#waiting.set(target, renewedUntil);
        continue;
      }
      target.expire();
    }
    if (this.#waiting.size === 0) this.#stop();
  };

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
