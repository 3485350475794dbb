'use strict';
// The cluster jobs' servers: a redis-server of the job's own (a free port,
// a temporary directory, no persistence, stopped with the job) and several
// server processes that share it, behind one handle that the scenarios use
// like a single ServerProcess: measurement windows sum every node's CPU,
// a broadcast is asked of the first node, and `portFor(index)` spreads the
// clients over the nodes (or, for a forwarded target, sends a client's
// handshake to one node and everything after it to the next).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ServerProcess } = require('./server-process');
const { withTimeout } = require('./util');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tornadio-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready`)));
  });
  await withTimeout(ready, 10_000, 'redis-server start');
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await withTimeout(exited, 5_000, 'redis-server exit').catch(() => child.kill('SIGKILL'));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Each node's options: tornadio gets `router.cluster`, socket.io `redis`; both a port fixed in advance. */
function nodeOptions(target, redisUrl, port, index) {
  const base = target.serverOptions ?? {};
  if (target.server === 'tornadio') {
    const cluster = { redis: redisUrl, nodeId: `bench-${index}`, address: `http://127.0.0.1:${port}` };
    return { ...base, port, router: { ...base.router, cluster } };
  }
  return { ...base, port, redis: redisUrl };
}

class ServerGroup {
  constructor(redis, nodes, forwarded) {
    this.redis = redis;
    this.nodes = nodes;
    this.forwarded = forwarded;
    this.port = nodes[0].port;
  }

  static async start(target, nodeArgs) {
    const redis = await startRedis();
    const nodes = [];
    try {
      for (let index = 0; index < target.nodes; index++) {
        const port = await freePort();
        nodes.push(await ServerProcess.start(target.server, nodeOptions(target, redis.url, port, index), nodeArgs));
      }
    } catch (error) {
      await Promise.all(nodes.map((node) => node.stop()));
      await redis.stop();
      throw error;
    }
    return new ServerGroup(redis, nodes, target.forwarded === true);
  }

  get pid() {
    return this.nodes.map((node) => node.pid).join(',');
  }

  /** Client `index`'s port: round robin over the nodes, or a handshake on one node and the rest on the next. */
  portFor(index) {
    const count = this.nodes.length;
    if (this.forwarded) return { first: this.nodes[index % count].port, rest: this.nodes[(index + 1) % count].port };
    return this.nodes[index % count].port;
  }

  async request(type, data = {}, timeoutMs) {
    if (type === 'broadcast') return this.nodes[0].request(type, data, timeoutMs);
    const replies = await Promise.all(this.nodes.map((node) => node.request(type, data, timeoutMs)));
    if (type !== 'measure-stop' && type !== 'connections') return replies[0];
    const sum = (key) => replies.reduce((total, reply) => total + (reply[key] ?? 0), 0);
    return { userUs: sum('userUs'), systemUs: sum('systemUs'), elapsedMs: Math.max(...replies.map((reply) => reply.elapsedMs ?? 0)), connections: sum('connections') };
  }

  async stop() {
    await Promise.all(this.nodes.map((node) => node.stop()));
    await this.redis.stop();
  }
}

module.exports = { ServerGroup };
