import { Redis, type RedisOptions } from 'ioredis';
import { describeError, type Logger } from '../logger';

/** Where a link stands: connecting the first time, serving, or waiting for Redis to come back. */
export type RedisLinkState = 'connecting' | 'ready' | 'down' | 'closed';

/** Reconnect delays: 100 ms, doubling, never more than 5 s apart (ioredis calls this on every failed try). */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 6), 5000);
}

export interface RedisLinkOptions {
  url: string;
  logger: Logger;
  /** Most publishes held while Redis is away; past it they are dropped and counted. */
  maxPending: number;
  /** Called once the link is ready, the first time and after every reconnect. */
  onReady?: () => void;
}

export interface RedisLinkStats {
  state: RedisLinkState;
  /** Publishes waiting for Redis to come back. */
  pending: number;
  /** Publishes dropped because `maxPending` were waiting already, in this outage (or the last one). */
  dropped: number;
  /** Publishes dropped since the link was made, every outage together. */
  droppedTotal: number;
}

/**
 * One node's two connections to Redis: one for commands and publishes, one
 * subscribed (Redis takes no other command on a subscribed connection).
 * While Redis is away nothing waits unbounded: ioredis's own offline queue is
 * off, publishes wait in a bounded queue of ours (flushed in order on
 * reconnect) and commands fail at once. The outage is logged once, and once
 * more when Redis is back; ioredis reconnects with the backoff above.
 */
export class RedisLink {
  readonly commands: Redis;
  readonly #subscriber: Redis;
  readonly #logger: Logger;
  readonly #maxPending: number;
  readonly #handlers = new Map<string, (message: string) => void>();
  #pending: Array<[channel: string, message: string]> = [];
  #dropped = 0;
  #droppedTotal = 0;
  #state: RedisLinkState = 'connecting';

  constructor(private readonly options: RedisLinkOptions) {
    this.#logger = options.logger;
    this.#maxPending = options.maxPending;
    const common: RedisOptions = {
      retryStrategy: reconnectDelay,
      // A command sent while Redis is away fails at once instead of waiting in an unbounded queue.
      maxRetriesPerRequest: 1,
      connectionName: 'tornadio',
    };
    this.commands = new Redis(options.url, { ...common, enableOfflineQueue: false });
    // The subscriber's only commands are SUBSCRIBEs, which ioredis repeats itself after a reconnect.
    this.#subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
    this.#subscriber.on('message', (channel: string, message: string) => this.#handlers.get(channel)?.(message));
    for (const connection of [this.commands, this.#subscriber]) {
      connection.on('error', (error: Error) => this.#lost(error));
      connection.on('close', () => this.#lost(null));
      connection.on('ready', () => this.#readyIfBoth());
    }
  }

  get state(): RedisLinkState {
    return this.#state;
  }

  get stats(): RedisLinkStats {
    return { state: this.#state, pending: this.#pending.length, dropped: this.#dropped, droppedTotal: this.#droppedTotal };
  }

  /** Delivers every message published on `channel` to `handler` (one handler per channel). */
  subscribe(channel: string, handler: (message: string) => void): void {
    this.#handlers.set(channel, handler);
    this.#subscriber.subscribe(channel).catch((error: unknown) => this.#logger.debug(`[cluster] subscribe ${channel}: ${describeError(error)}`));
  }

  /** Publishes now, or once Redis is back (bounded: past `maxPending` waiting, dropped and counted). */
  publish(channel: string, message: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'ready' && this.commands.status === 'ready') {
      this.commands.publish(channel, message).catch(() => this.#hold(channel, message));
      return;
    }
    this.#hold(channel, message);
  }

  #hold(channel: string, message: string): void {
    if (this.#state === 'closed') return;
    if (this.#pending.length >= this.#maxPending) {
      this.#droppedTotal++;
      if (this.#dropped++ === 0) this.#logger.warn(`[cluster] ${this.#maxPending} messages wait for Redis: dropping the newest until it is back`);
      return;
    }
    this.#pending.push([channel, message]);
  }

  #lost(error: Error | null): void {
    if (this.#state === 'closed' || this.#state === 'down') return;
    const wasReady = this.#state === 'ready';
    this.#state = 'down';
    const why = error ? describeError(error) : 'connection closed';
    // Once per outage, not once per reconnect attempt.
    this.#logger.error(`[cluster] Redis ${wasReady ? 'lost' : 'unreachable'} (${why}): serving local clients only, reconnecting`);
  }

  #readyIfBoth(): void {
    if (this.#state === 'closed' || this.commands.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    const wasDown = this.#state === 'down';
    this.#state = 'ready';
    if (wasDown) this.#logger.info(`[cluster] Redis is back: sending ${this.#pending.length} held messages (${this.#dropped} dropped)`);
    const held = this.#pending;
    this.#pending = [];
    this.#dropped = 0;
    for (const [channel, message] of held) this.publish(channel, message);
    this.options.onReady?.();
  }

  /** Leaves Redis: QUIT when it answers, a hard disconnect when it does not. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    this.#pending = [];
    await Promise.all(
      [this.commands, this.#subscriber].map(async (connection) => {
        if (!wasReady || connection.status !== 'ready') return connection.disconnect();
        try {
          await connection.quit();
        } catch {
          connection.disconnect();
        }
      }),
    );
  }
}
