'use strict';
// Entry of every server under test: `node --expose-gc host.js <module>`.
// Starts bench/servers/<module>.js on 127.0.0.1 and answers the generator's
// IPC requests, so that what is measured (CPU, memory, broadcast timing) is
// measured inside the server process itself and the same way for every
// server:
//   measure-start / measure-stop  process.cpuUsage() delta over a window
//   memory                        memoryUsage() after forced GCs
//   broadcast                     calls the server's broadcast, times it
//   stop                          closes the server and exits
// BENCH_PROFILE_WINDOW_DIR=<dir> also profiles the CPU over each measurement
// window alone (unlike --cpu-prof, which covers warm-up and teardown too)
// and writes one .cpuprofile per window there.
const fs = require('node:fs');
const path = require('node:path');

const moduleName = process.argv[2];
if (!/^[a-z0-9-]+$/.test(moduleName ?? '')) throw new Error(`host.js: bad server module name ${moduleName}`);
const target = require(path.join(__dirname, `${moduleName}.js`));
const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS || '{}');

if (typeof global.gc !== 'function') throw new Error('host.js: run with --expose-gc');

let window = null;

/** The measurement window's own CPU profile (BENCH_PROFILE_WINDOW_DIR), through the inspector. */
const windowProfiler = (() => {
  const dir = process.env.BENCH_PROFILE_WINDOW_DIR;
  if (!dir) return null;
  const { Session } = require('node:inspector/promises');
  const session = new Session();
  session.connect();
  let count = 0;
  return {
    async start() {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    },
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${moduleName}-${process.pid}-${++count}.cpuprofile`), JSON.stringify(profile));
    },
  };
})();
const immediate = () => new Promise((resolve) => setImmediate(resolve));

/** GC until the heap stops shrinking (bounded), so memory figures compare like with like. */
async function collect() {
  let previous = Infinity;
  for (let i = 0; i < 6; i++) {
    global.gc();
    await immediate();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous * 0.999) break;
    previous = used;
  }
  const memory = process.memoryUsage();
  return { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, arrayBuffers: memory.arrayBuffers };
}

async function handle(server, message) {
  switch (message.type) {
    case 'measure-start':
      await windowProfiler?.start();
      window = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
      return {};
    case 'measure-stop': {
      if (!window) throw new Error('measure-stop without measure-start');
      const cpu = process.cpuUsage(window.cpu);
      await windowProfiler?.stop();
      const elapsedMs = Number(process.hrtime.bigint() - window.at) / 1e6;
      window = null;
      return { userUs: cpu.user, systemUs: cpu.system, elapsedMs, connections: server.connections() };
    }
    case 'memory':
      return { ...(await collect()), connections: server.connections() };
    case 'connections':
      return { connections: server.connections() };
    case 'broadcast': {
      const payload = message.payload;
      // process.hrtime.bigint() reads CLOCK_MONOTONIC, which every process on
      // the machine shares: the generator can subtract this from its own readings.
      const t0 = process.hrtime.bigint();
      server.broadcast(payload);
      const callNs = process.hrtime.bigint() - t0;
      // Everything the broadcast queued synchronously (microtask flushes included) has run by now.
      await immediate();
      const busyNs = process.hrtime.bigint() - t0;
      return { t0: String(t0), callNs: String(callNs), busyNs: String(busyNs) };
    }
    case 'stop':
      await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      return {};
    default:
      throw new Error(`unknown request ${message.type}`);
  }
}

async function main() {
  const server = await target.start(options);
  process.on('message', (message) => {
    handle(server, message).then(
      (reply) => {
        process.send({ id: message.id, ok: true, ...reply }, () => {
          // Exit normally (not by a signal) so that --cpu-prof can write its profile.
          if (message.type === 'stop') process.exit(0);
        });
      },
      (error) => process.send({ id: message.id, ok: false, error: error.message }),
    );
  });
  // The generator died or finished without saying stop: never linger.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port: server.port, pid: process.pid });
}

main().catch((error) => {
  console.error(`server ${moduleName}: ${error.stack || error.message}`);
  process.exit(1);
});
