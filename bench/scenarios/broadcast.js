'use strict';
// Scenario 4: fan-out. The generator asks the server over IPC to broadcast
// one 100-byte message to every client; the server reads its clock just
// before calling its broadcast (tornadio's router.broadcast, a loop of
// ws.send over one Buffer, socket.io's io.emit). The fan-out time is from
// that reading to the moment the generator has the message on its last
// client: both processes read CLOCK_MONOTONIC through
// process.hrtime.bigint(), so the readings subtract. The server also reports
// its busy time (call + the flushes it queued, up to the next setImmediate),
// and its CPU over a window around the round, per delivery.
const { median } = require('../lib/stats');
const { openMany, portOf, sleep, withTimeout } = require('../lib/util');
const { startWindow, stopWindow } = require('../lib/window');

async function run({ target, server, settings }) {
  const errors = { connectFailures: 0, unexpectedCloses: 0, timeouts: 0 };
  let round = null; // { tag, count, firstAt, lastAt, done }
  const handlers = {
    onMessage(text) {
      if (round === null || !text.startsWith(round.tag)) return;
      const now = process.hrtime.bigint();
      if (round.count === 0) round.firstAt = now;
      round.lastAt = now;
      if (++round.count === round.expected) round.done();
    },
    onClose: () => errors.unexpectedCloses++,
  };
  const opened = await openMany(settings.clients, settings.concurrency, (index) => target.connect(portOf(server, index), handlers, index));
  errors.connectFailures = opened.failures;
  const connections = opened.connections.filter(Boolean);
  const expected = connections.length;

  const rounds = [];
  for (let r = 0; r < settings.warmupRounds + settings.rounds; r++) {
    const tag = `round ${r} `;
    const payload = tag.padEnd(settings.bytes, 'b');
    const finished = new Promise((resolve) => {
      round = { tag, expected, count: 0, firstAt: 0n, lastAt: 0n, done: resolve };
    });
    const window = await startWindow(server);
    const reply = await server.request('broadcast', { payload });
    try {
      await withTimeout(finished, 30_000, `broadcast round ${r}`);
    } catch {
      errors.timeouts++;
    }
    const closed = await stopWindow(server, window);
    const t0 = BigInt(reply.t0);
    if (r >= settings.warmupRounds && round.count === expected) {
      rounds.push({
        fanoutMs: Number(round.lastAt - t0) / 1e6,
        firstMs: Number(round.firstAt - t0) / 1e6,
        busyMs: Number(reply.busyNs) / 1e6,
        callMs: Number(reply.callNs) / 1e6,
        serverCpuPerDeliveryUs: closed.serverCpuUs / expected,
        generatorCpuPerDeliveryUs: closed.generatorCpuUs / expected,
      });
    }
    round = null;
    await sleep(settings.pauseMs);
  }
  for (const connection of connections) connection.close();

  const med = (key) => median(rounds.map((entry) => entry[key]));
  return {
    metrics: {
      fanoutMs: med('fanoutMs'),
      serverBusyMs: med('busyMs'),
      serverCpuPerDeliveryUs: med('serverCpuPerDeliveryUs'),
      firstDeliveryMs: med('firstMs'),
      generatorCpuPerDeliveryUs: med('generatorCpuPerDeliveryUs'),
      errors: errors.connectFailures + errors.unexpectedCloses + errors.timeouts,
    },
    details: { clients: expected, rounds, errors, failureReasons: opened.reasons },
  };
}

module.exports = { run };
