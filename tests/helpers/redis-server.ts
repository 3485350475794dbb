import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, waitForOutput } from './child-process';
import { freePort, retryOnPortClash } from './free-port';

/** A real redis-server of our own on 127.0.0.1: a free port, a temporary directory, no persistence. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** The pid of the running server (null while stopped). */
  readonly pid: number | null;
  /** Stops the server (SIGTERM, then SIGKILL), by its pid. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

/** A redis-server of the test's own on a free port (another port if that one was taken meanwhile). */
export function startRedis(): Promise<TestRedis> {
  return retryOnPortClash(startRedisOnce);
}

async function startRedisOnce(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tornadio-redis-'));
  const config = join(dir, 'redis.conf');
  writeFileSync(config, [`port ${port}`, 'bind 127.0.0.1', 'save ""', 'appendonly no', `dir ${dir}`, 'loglevel notice', ''].join('\n'));
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    if (child) return;
    const started = spawn('redis-server', [config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.once('exit', () => {
      if (child === started) child = null;
    });
    await waitForOutput(started, /Ready to accept connections/, `redis-server on port ${port}`);
    started.stdout?.resume();
    started.stderr?.resume();
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const running = child;
    child = null;
    if (running) await stopChild(running, signal);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? null;
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
