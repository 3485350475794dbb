'use strict';
// `npm run bench` (builds first): compares tornadio over websocket and
// xhr-polling with the floors of its stack (raw `ws`, plain node:http
// long-polling) and with socket.io v4, in five scenarios (bench/scenarios).
// Every job (one scenario, one target, one run) runs in a fresh generator
// process (bench/generator.js) that forks the server under test
// (bench/servers/host.js); this process only plans, waits and reports.
// Runs are interleaved per scenario (A, B, C, A, B, C, ...) so that drift of
// the machine spreads over every target. Results go to bench/results/.
//
//   BENCH_QUICK=1 npm run bench                    smoke run, small sizes
//   BENCH_RUNS=5 BENCH_SCENARIOS=echo-ws npm run bench
//   BENCH_TARGETS=tornadio-ws,raw-ws ...           a subset of targets
//   BENCH_TORNADIO_DRIVER=client ...               drive tornadio with tornadio/client
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/profiles" BENCH_RESULTS_DIR=bench/profiles ...
// See bench/config.js for every size and duration variable.
const { fork } = require('node:child_process');
const path = require('node:path');
const config = require('./config');
const { SCENARIOS } = require('./scenarios');
const { TARGETS } = require('./targets');
const report = require('./lib/report');
const { QuietGate } = require('./lib/quiet');

function plan() {
  for (const name of config.scenarios ?? []) if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  for (const name of config.targets ?? []) if (!TARGETS[name]) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);
  const jobs = [];
  for (const [scenario, definition] of Object.entries(SCENARIOS)) {
    if (config.scenarios && !config.scenarios.includes(scenario)) continue;
    const targets = definition.targets.filter((target) => !config.targets || config.targets.includes(target));
    for (let run = 1; run <= config.runs; run++) for (const target of targets) jobs.push({ scenario, target, run });
  }
  return jobs;
}

/** Runs one job in a fresh generator process; never rejects, never outlives the job timeout. */
function runJob(job) {
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, 'generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // its server sees the IPC channel close and exits
      finish({ ok: false, error: `timed out after ${config.jobTimeoutMs} ms` });
    }, config.jobTimeoutMs);
    child.on('message', finish);
    child.on('exit', (code, signal) => finish({ ok: false, error: `generator exited (${code ?? signal}) without a result` }));
    child.send(job);
  });
}

function progressLine(job, outcome, seconds) {
  const scenario = SCENARIOS[job.scenario];
  const head = `${job.scenario} ${job.target} run ${job.run}/${config.runs}`;
  if (!outcome.ok) return `${head}: FAILED: ${outcome.error.split('\n')[0]}`;
  const shown = scenario.metrics.slice(0, 3).map((metric) => {
    const value = outcome.result.metrics[metric.key];
    return `${metric.label} ${value === null ? 'n/a' : value.toFixed(metric.digits)}${metric.unit ? ` ${metric.unit}` : ''}`;
  });
  return `${head}: ${shown.join(', ')}, errors ${outcome.result.metrics.errors} (${seconds.toFixed(0)} s)`;
}

async function main() {
  const jobs = plan();
  if (jobs.length === 0) throw new Error('nothing to run: check BENCH_SCENARIOS and BENCH_TARGETS');
  const startedAt = new Date();
  const versionsAtStart = report.versions();
  console.log(`bench: ${jobs.length} jobs${config.quick ? ' (BENCH_QUICK)' : ''}, tornadio driven by the ${config.tornadioDriver} driver`);
  const results = {};
  const gate = new QuietGate(config.quiet);
  for (const [index, job] of jobs.entries()) {
    const machine = config.quiet.maxWaitMs > 0 ? await gate.wait() : null;
    if (machine && !machine.quiet) console.log(`bench: machine still ${machine.busyPct?.toFixed(0)}% busy after waiting ${(machine.waitedMs / 1000).toFixed(0)} s; running anyway`);
    const t0 = Date.now();
    const outcome = await runJob(job);
    const entry = outcome.ok ? { run: job.run, machineBefore: machine, ...outcome.result } : { run: job.run, machineBefore: machine, error: outcome.error };
    ((results[job.scenario] ??= {})[job.target] ??= []).push(entry);
    console.log(`[${index + 1}/${jobs.length}] ${progressLine(job, outcome, (Date.now() - t0) / 1000)}`);
  }
  const data = report.build({ scenarios: SCENARIOS, results, config, startedAt, finishedAt: new Date(), versionsAtStart });
  const files = report.write(data, config.resultsDir);
  console.log('\n' + report.markdown(data));
  console.log(`bench: wrote ${path.relative(process.cwd(), files.stamped)}, ${path.relative(process.cwd(), files.latestJson)}, ${path.relative(process.cwd(), files.latestMd)}`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack || error.message}`);
  process.exit(1);
});
