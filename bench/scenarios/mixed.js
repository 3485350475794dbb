'use strict';
// Scenario 5: many concurrent sessions, half websocket and half polling,
// held open with light traffic (each session sends one message every
// `sendEveryMs`, at a random phase, and expects the echo). Counts every
// error (failed connects, unexpected closes, echoes that never came back,
// wrong echoes) and measures the server's memory per session against a
// baseline taken after a warm-up round whose sessions were closed and, for
// tornadio's polling sessions (0.6 has no client-side close), expired.
const { LatencyRecorder } = require('../lib/stats');
const { openMany, sleep, waitFor } = require('../lib/util');
const { startWindow, stopWindow, perOp } = require('../lib/window');

function openSessions(target, server, count, concurrency, payload, state) {
  return openMany(
    count,
    concurrency,
    async (index) => {
      const kind = target.transportOf(index) === 'websocket' ? 'websocket' : 'polling';
      const session = { kind, connection: null, pending: [], timer: null, interval: null };
      session.connection = await target.connect(
        server.port,
        {
          onMessage(text) {
            const sentAt = session.pending.shift();
            if (sentAt === undefined) return void state.errors.unexpectedMessages++;
            if (text !== payload) state.errors.mismatches++;
            state.latency[kind].since(sentAt);
            state.roundTrips++;
          },
          onClose(reason) {
            state.errors.unexpectedCloses++;
            if (state.closeReasons.length < 5) state.closeReasons.push(`${kind}: ${reason}`);
          },
        },
        index,
      );
      return session;
    },
    { timeoutMs: 60_000, deadlineMs: 600_000 },
  );
}

function newState() {
  return {
    errors: { connectFailures: 0, unexpectedCloses: 0, lost: 0, mismatches: 0, unexpectedMessages: 0 },
    closeReasons: [],
    latency: { websocket: new LatencyRecorder(), polling: new LatencyRecorder() },
    roundTrips: 0,
  };
}

async function run({ target, server, settings }) {
  const payload = 'mixed:'.padEnd(settings.messageBytes, 'x');
  const send = (session) => {
    session.pending.push(process.hrtime.bigint());
    session.connection.send(payload);
  };

  // Warm-up: the same mix, one message each, then closed; wait until the server has none left.
  const warmState = newState();
  const warm = await openSessions(target, server, settings.warmupSessions, settings.concurrency, payload, warmState);
  const warmSessions = warm.connections.filter(Boolean);
  for (const session of warmSessions) send(session);
  await waitFor(() => warmState.roundTrips >= warmSessions.length, 10_000);
  for (const session of warmSessions) session.connection.close();
  const drainedBefore = await waitFor(async () => (await server.request('connections')).connections === 0, 30_000, 250);
  const baseline = await server.request('memory');

  const state = newState();
  const t0 = process.hrtime.bigint();
  const opened = await openSessions(target, server, settings.sessions, settings.concurrency, payload, state);
  const connectMs = Number(process.hrtime.bigint() - t0) / 1e6;
  state.errors.connectFailures = opened.failures;
  const sessions = opened.connections.filter(Boolean);

  // Hold with light traffic; every timer is cleared when the hold ends.
  const window = await startWindow(server);
  for (const session of sessions) {
    session.timer = setTimeout(() => {
      send(session);
      session.interval = setInterval(() => send(session), settings.sendEveryMs);
    }, Math.random() * settings.sendEveryMs);
  }
  await sleep(settings.holdMs);
  for (const session of sessions) {
    clearTimeout(session.timer);
    clearInterval(session.interval);
  }
  const roundTrips = state.roundTrips;
  const closed = await stopWindow(server, window);

  const outstanding = () => sessions.reduce((sum, session) => sum + session.pending.length, 0);
  await waitFor(() => outstanding() === 0, settings.drainMs, 50);
  state.errors.lost = outstanding();
  const after = await server.request('memory');
  for (const session of sessions) session.connection.close();

  const ws = state.latency.websocket.summary();
  const polling = state.latency.polling.summary();
  const errorCount = Object.values(state.errors).reduce((a, b) => a + b, 0);
  return {
    metrics: {
      errors: errorCount,
      rssPerSessionBytes: sessions.length ? (after.rss - baseline.rss) / sessions.length : null,
      heapPerSessionBytes: sessions.length ? (after.heapUsed - baseline.heapUsed) / sessions.length : null,
      serverCpuPerRoundTripUs: perOp(closed, roundTrips).serverCpuPerOpUs,
      serverCpuUtilPct: perOp(closed, roundTrips).serverCpuUtilPct,
      generatorCpuUtilPct: perOp(closed, roundTrips).generatorCpuUtilPct,
      wsLatencyP50Us: ws.p50,
      wsLatencyP99Us: ws.p99,
      pollLatencyP50Us: polling.p50,
      pollLatencyP99Us: polling.p99,
      connectTotalMs: connectMs,
      otherCpuPct: closed.otherCpuPct,
    },
    details: {
      sessions: sessions.length,
      byTransport: {
        websocket: sessions.filter((s) => s.kind === 'websocket').length,
        polling: sessions.filter((s) => s.kind === 'polling').length,
      },
      serverConnectionsAtEnd: after.connections,
      roundTrips,
      baseline,
      after,
      warmupDrained: Boolean(drainedBefore),
      window: closed,
      latency: { websocket: ws, polling },
      errors: state.errors,
      closeReasons: state.closeReasons,
      failureReasons: opened.reasons,
    },
  };
}

module.exports = { run };
