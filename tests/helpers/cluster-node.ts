import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild } from './child-process';
import { freePort } from './free-port';

export interface ClusterNodeOptions {
  redis: string;
  nodeId: string;
  /** Extra `cluster` settings (requestTimeout, heartbeatInterval, maxPending…). */
  cluster?: Record<string, unknown>;
  /** Extra router settings. */
  settings?: Record<string, unknown>;
}

interface Reply {
  id?: number;
  ready?: boolean;
  result?: unknown;
  error?: string;
}

/** Resolves as `promise` does, or fails after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A tornadio cluster node in a child process of its own (tests/helpers/cluster-node-main.js
 * on dist/), driven over IPC. Signals go to that process only, by its pid.
 */
export class ClusterNode {
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;
  #stderr = '';

  private constructor(
    readonly nodeId: string,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    child.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.error !== undefined) waiting.reject(new Error(`${nodeId}: ${reply.error}`));
      else waiting.resolve(reply.result);
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    child.once('exit', () => {
      for (const [id, waiting] of this.#pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`${nodeId} exited before answering:\n${this.#stderr}`));
        this.#pending.delete(id);
      }
    });
  }

  static async start(options: ClusterNodeOptions, port?: number, timeoutMs = 15000): Promise<ClusterNode> {
    const listenPort = port ?? (await freePort());
    const child = fork(join(__dirname, 'cluster-node-main.js'), [], {
      env: { ...process.env, TORNADIO_TEST_NODE: JSON.stringify({ ...options, port: listenPort }) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const node = new ClusterNode(options.nodeId, listenPort, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.nodeId} not ready after ${timeoutMs} ms:\n${node.#stderr}`)), timeoutMs);
      child.on('message', (reply: Reply) => {
        if (!reply.ready) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${options.nodeId} exited (${String(code)}) before it was ready:\n${node.#stderr}`));
      });
    });
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Runs a command of cluster-node-main.js in the node; fails after `timeoutMs`. */
  call<T = unknown>(command: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.nodeId}: ${command} not answered in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ id, command, ...args });
    });
  }

  /** Sends a signal to this node's process (SIGSTOP to freeze it, SIGCONT to thaw it, SIGKILL to kill it). */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid && this.alive) process.kill(this.child.pid, signal);
  }

  /** Kills the process with SIGKILL and waits for it to be gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    await stopChild(this.child, 'SIGKILL');
  }

  /** Graceful shutdown (`server.close()` inside the node), then waits for the process to exit; kills it if it hangs. */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.signal('SIGCONT');
    try {
      await this.call('close', {}, 8000);
      await withTimeout(exited, 5000, `${this.nodeId} to exit`);
    } catch {
      await this.kill();
    }
  }
}
