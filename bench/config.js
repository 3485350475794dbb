'use strict';
// Every knob of the benchmark, with the brief's full sizes as defaults.
// BENCH_QUICK=1 shrinks everything for a smoke run; any single figure can be
// overridden by its own variable. Filters: BENCH_SCENARIOS=echo-ws,idle and
// BENCH_TARGETS=tornadio-ws,raw-ws (comma-separated names).
const QUICK = process.env.BENCH_QUICK === '1';

/** A positive number from the environment, else the full or quick default. */
function num(name, full, quick) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

const list = (name) => (process.env[name] ? process.env[name].split(',').map((s) => s.trim()).filter(Boolean) : null);

const durationMs = num('BENCH_DURATION_MS', 10_000, 2_000);
const warmupMs = num('BENCH_WARMUP_MS', 2_000, 500);
const messageBytes = num('BENCH_MESSAGE_BYTES', 40, 40);

module.exports = {
  quick: QUICK,
  runs: num('BENCH_RUNS', 3, 1),
  /** Longest one job (one target, one run) may take before it is killed. */
  jobTimeoutMs: num('BENCH_JOB_TIMEOUT_MS', 300_000, 120_000),
  scenarios: list('BENCH_SCENARIOS'),
  targets: list('BENCH_TARGETS'),
  /** Where results are written; point diagnostic runs (profiles) elsewhere so they do not replace latest.*. */
  resultsDir: process.env.BENCH_RESULTS_DIR || require('node:path').join(__dirname, 'results'),
  /** Extra node flags for the servers under test, e.g. "--cpu-prof --cpu-prof-dir=bench/profiles". */
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS || '').split(' ').filter(Boolean),
  /**
   * Before each job, wait until the machine is quiet (busy ≤ BENCH_QUIET_MAX_PCT
   * of all cores for 2 s), at most BENCH_QUIET_WAIT_MS per job and
   * BENCH_QUIET_BUDGET_MS over the run. BENCH_QUIET_WAIT_MS=0 never waits.
   */
  quiet: {
    maxBusyPct: num('BENCH_QUIET_MAX_PCT', 10, 10),
    maxWaitMs: process.env.BENCH_QUIET_WAIT_MS === '0' ? 0 : num('BENCH_QUIET_WAIT_MS', 60_000, 10_000),
    totalBudgetMs: num('BENCH_QUIET_BUDGET_MS', 600_000, 60_000),
  },
  /** Main tornadio targets' driver: 'raw' (bench/clients/tornadio-raw.js) or 'client' (tornadio/client). */
  tornadioDriver: process.env.BENCH_TORNADIO_DRIVER || 'raw',
  settings: {
    'echo-ws': {
      clients: num('BENCH_WS_CLIENTS', 50, 10),
      inFlight: num('BENCH_WS_IN_FLIGHT', 10, 10),
      messageBytes,
      durationMs,
      warmupMs,
    },
    longpoll: {
      clients: num('BENCH_POLL_CLIENTS', 50, 10),
      inFlight: num('BENCH_POLL_IN_FLIGHT', 1, 1),
      messageBytes,
      durationMs,
      warmupMs,
    },
    idle: {
      connections: num('BENCH_IDLE_CONNECTIONS', 5_000, 500),
      concurrency: num('BENCH_CONNECT_CONCURRENCY', 200, 100),
      warmupConnections: num('BENCH_IDLE_WARMUP', 500, 100),
      settleMs: num('BENCH_IDLE_SETTLE_MS', 1_000, 300),
    },
    broadcast: {
      clients: num('BENCH_BROADCAST_CLIENTS', 2_000, 200),
      rounds: num('BENCH_BROADCAST_ROUNDS', 20, 5),
      warmupRounds: num('BENCH_BROADCAST_WARMUP', 3, 1),
      bytes: num('BENCH_BROADCAST_BYTES', 100, 100),
      concurrency: num('BENCH_CONNECT_CONCURRENCY', 200, 100),
      pauseMs: num('BENCH_BROADCAST_PAUSE_MS', 100, 50),
    },
    // The v4 scenarios run the same workloads at the same sizes.
    get 'v4-echo-ws'() {
      return this['echo-ws'];
    },
    // hixie-76 against RFC 6455 on the same 0.6 server, same workload.
    get 'hixie76-echo'() {
      return this['echo-ws'];
    },
    // EIO3 and 0.9 against the 0.6 path of the same server, same workloads.
    get 'eio3-echo-ws'() {
      return this['echo-ws'];
    },
    get 'v09-echo-ws'() {
      return this['echo-ws'];
    },
    get 'eio3-longpoll'() {
      return this.longpoll;
    },
    get 'v09-longpoll'() {
      return this.longpoll;
    },
    get 'v4-longpoll'() {
      return this.longpoll;
    },
    get 'v4-idle'() {
      return this.idle;
    },
    get 'v4-broadcast'() {
      return this.broadcast;
    },
    get 'cluster-broadcast'() {
      return this.broadcast;
    },
    get 'cluster-longpoll'() {
      return this.longpoll;
    },
    mixed: {
      sessions: num('BENCH_MIXED_SESSIONS', 10_000, 1_000),
      holdMs: num('BENCH_MIXED_HOLD_MS', 30_000, 5_000),
      sendEveryMs: num('BENCH_MIXED_SEND_EVERY_MS', 5_000, 1_000),
      messageBytes,
      concurrency: num('BENCH_CONNECT_CONCURRENCY', 200, 100),
      warmupSessions: num('BENCH_MIXED_WARMUP', 200, 50),
      drainMs: num('BENCH_MIXED_DRAIN_MS', 10_000, 5_000),
    },
  },
};
