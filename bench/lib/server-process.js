'use strict';
// The generator's handle on one server under test: forks bench/servers/host.js
// with --expose-gc, waits for its port, and turns IPC into awaitable requests
// (each with an id and a timeout).
const { fork } = require('node:child_process');
const path = require('node:path');
const { withTimeout } = require('./util');

class ServerProcess {
  #child;
  #pending = new Map();
  #nextId = 1;
  #exited;
  port = 0;

  constructor(child) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.on('message', (message) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message);
      else waiter.reject(new Error(`server: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`server exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  /** Forks the server module with its options; resolves once it listens. */
  static async start(moduleName, options = {}, nodeArgs = []) {
    const child = fork(path.join(__dirname, '..', 'servers', 'host.js'), [moduleName], {
      execArgv: ['--expose-gc', ...nodeArgs],
      env: { ...process.env, BENCH_SERVER_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const server = new ServerProcess(child);
    const ready = new Promise((resolve, reject) => {
      child.on('message', (message) => message.type === 'ready' && resolve(message));
      child.once('exit', (code) => reject(new Error(`server ${moduleName} exited with ${code} before listening`)));
    });
    const { port } = await withTimeout(ready, 20_000, `server ${moduleName} start`);
    server.port = port;
    return server;
  }

  get pid() {
    return this.#child.pid;
  }

  request(type, data = {}, timeoutMs = 60_000) {
    const id = this.#nextId++;
    const reply = new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...data, id, type });
    });
    return withTimeout(reply, timeoutMs, `server request ${type}`).finally(() => this.#pending.delete(id));
  }

  /** Asks the server to close and exit; kills it if it does not within 10 s. */
  async stop() {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      await this.request('stop', {}, 10_000);
      await withTimeout(this.#exited, 10_000, 'server exit');
    } catch {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }
}

module.exports = { ServerProcess };
