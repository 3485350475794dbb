'use strict';
// Scenarios 1 and 2: closed-loop echo. Each client keeps `inFlight`
// messages outstanding: every echo received is answered with a new message,
// so the load adapts to what server and generator can do together. Latency
// is send-to-echo per message (FIFO per connection: every transport here
// keeps order). Only echoes received inside the measurement window count.
const { LatencyRecorder } = require('../lib/stats');
const { openMany, portOf, sleep, waitFor } = require('../lib/util');
const { startWindow, stopWindow, perOp } = require('../lib/window');

/** Fixed-size FIFO of send times for one connection. */
class SendTimes {
  constructor(capacity) {
    this.times = new Array(capacity);
    this.head = 0;
    this.size = 0;
  }
  push(time) {
    this.times[(this.head + this.size) % this.times.length] = time;
    this.size++;
  }
  shift() {
    const time = this.times[this.head];
    this.head = (this.head + 1) % this.times.length;
    this.size--;
    return time;
  }
}

async function run({ target, server, settings }) {
  const payload = 'echo:'.padEnd(settings.messageBytes, 'x');
  const latency = new LatencyRecorder();
  const errors = { connectFailures: 0, unexpectedCloses: 0, mismatches: 0, unexpectedMessages: 0, lost: 0 };
  const closeReasons = [];
  let sending = true;
  let measuring = false;
  let ops = 0;

  const opened = await openMany(settings.clients, 50, async (index) => {
    const client = { connection: null, sent: new SendTimes(settings.inFlight) };
    client.connection = await target.connect(
      portOf(server, index),
      {
        onMessage(text) {
          if (client.sent.size === 0) {
            errors.unexpectedMessages++;
            return;
          }
          const sentAt = client.sent.shift();
          if (text !== payload) errors.mismatches++;
          if (measuring) {
            ops++;
            latency.since(sentAt);
          }
          if (sending) {
            client.sent.push(process.hrtime.bigint());
            client.connection.send(payload);
          }
        },
        onClose(reason) {
          errors.unexpectedCloses++;
          if (closeReasons.length < 5) closeReasons.push(reason);
        },
      },
      index,
    );
    return client;
  });
  errors.connectFailures = opened.failures;
  const clients = opened.connections.filter(Boolean);
  if (clients.length === 0) throw new Error(`no client connected: ${opened.reasons.join('; ')}`);

  for (const client of clients) {
    for (let i = 0; i < settings.inFlight; i++) {
      client.sent.push(process.hrtime.bigint());
      client.connection.send(payload);
    }
  }
  await sleep(settings.warmupMs);

  const window = await startWindow(server);
  measuring = true;
  await sleep(settings.durationMs);
  measuring = false;
  const measuredOps = ops;
  const closed = await stopWindow(server, window);

  // Stop feeding and let what is in flight come back; what never does is lost.
  sending = false;
  const outstanding = () => clients.reduce((sum, client) => sum + client.sent.size, 0);
  await waitFor(() => outstanding() === 0, 10_000);
  errors.lost = outstanding();
  for (const client of clients) client.connection.close();

  const lat = latency.summary();
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const figures = perOp(closed, measuredOps);
  return {
    metrics: {
      serverCpuPerOpUs: figures.serverCpuPerOpUs,
      opsPerSec: (measuredOps * 1000) / closed.elapsedMs,
      latencyP50Us: lat.p50,
      latencyP99Us: lat.p99,
      serverCpuUtilPct: figures.serverCpuUtilPct,
      generatorCpuPerOpUs: figures.generatorCpuPerOpUs,
      generatorCpuUtilPct: figures.generatorCpuUtilPct,
      otherCpuPct: closed.otherCpuPct,
      errors: errorCount,
    },
    details: { clients: clients.length, inFlight: settings.inFlight, ops: measuredOps, window: closed, latency: lat, errors, connectFailureReasons: opened.reasons, closeReasons },
  };
}

module.exports = { run };
