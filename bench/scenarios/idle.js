'use strict';
// Scenario 3: many idle websocket connections. Measures how long the ramp of
// connects takes, the server's CPU per connect (window around the ramp), and
// the server's RSS and heap per connection after GC against its own
// baseline. The baseline is taken after a warm-up round of connects that are
// closed again, so that code V8 compiles once is not charged to connections.
const { openMany, portOf, sleep, waitFor } = require('../lib/util');
const { percentileOfSorted } = require('../lib/stats');
const { startWindow, stopWindow } = require('../lib/window');

async function openIdle(target, server, count, concurrency, errors) {
  const handlers = {
    onMessage: () => undefined,
    onClose: () => errors.unexpectedCloses++,
  };
  return openMany(count, concurrency, (index) => target.connect(portOf(server, index), handlers, index), { timeoutMs: 60_000 });
}

async function closeAll(server, connections) {
  for (const connection of connections) connection?.close();
  return waitFor(async () => (await server.request('connections')).connections === 0, 15_000, 100);
}

async function run({ target, server, settings }) {
  const errors = { connectFailures: 0, unexpectedCloses: 0 };
  const warm = await openIdle(target, server, settings.warmupConnections, settings.concurrency, errors);
  await closeAll(server, warm.connections);
  errors.unexpectedCloses = 0;
  const baseline = await server.request('memory');

  const window = await startWindow(server);
  const t0 = process.hrtime.bigint();
  const opened = await openIdle(target, server, settings.connections, settings.concurrency, errors);
  const connectMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const closed = await stopWindow(server, window);
  errors.connectFailures = opened.failures;
  const count = opened.connections.filter(Boolean).length;

  await sleep(settings.settleMs);
  const after = await server.request('memory');
  const drained = await closeAll(server, opened.connections);

  const connectUs = opened.durationsUs.sort((a, b) => a - b);
  return {
    metrics: {
      serverCpuPerConnectUs: count ? closed.serverCpuUs / count : null,
      connectTotalMs: connectMs,
      connectPerConnUs: count ? (connectMs * 1000) / count : null,
      connectP50Us: percentileOfSorted(connectUs, 0.5),
      connectP99Us: percentileOfSorted(connectUs, 0.99),
      rssPerConnBytes: count ? (after.rss - baseline.rss) / count : null,
      heapPerConnBytes: count ? (after.heapUsed - baseline.heapUsed) / count : null,
      generatorCpuPerConnectUs: count ? closed.generatorCpuUs / count : null,
      otherCpuPct: closed.otherCpuPct,
      errors: errors.connectFailures + errors.unexpectedCloses,
    },
    details: {
      connections: count,
      serverConnections: after.connections,
      baseline,
      after,
      window: closed,
      errors,
      failureReasons: opened.reasons,
      allClosedAfterwards: Boolean(drained),
    },
  };
}

module.exports = { run };
