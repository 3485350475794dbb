'use strict';
// One job of the benchmark, in a fresh process: starts the server under test
// in its own child process, drives one scenario against it as the load
// generator, stops it, and sends the result to the orchestrator (run.js).
// A fresh generator per job means no sockets, timers or JIT state carry over
// from one target to the next.
const os = require('node:os');
const config = require('./config');
const { SCENARIOS } = require('./scenarios');
const { loadTarget } = require('./targets');
const { ServerProcess } = require('./lib/server-process');
const { ServerGroup } = require('./lib/cluster');

async function runJob({ scenario: scenarioName, target: targetName }) {
  const scenario = SCENARIOS[scenarioName];
  const target = loadTarget(targetName);
  const settings = config.settings[scenarioName];
  // A cluster target is several nodes on a Redis of the job's own; the scenarios see one handle.
  const server = target.nodes
    ? await ServerGroup.start(target, config.serverNodeArgs)
    : await ServerProcess.start(target.server, target.serverOptions ?? {}, config.serverNodeArgs);
  // The machine may be shared: keep its load next to the figures it may have disturbed.
  const loadBefore = os.loadavg()[0];
  try {
    const result = await require(`./scenarios/${scenario.module}`).run({ target, server, settings });
    return { ...result, driver: target.driverName, serverPid: server.pid, loadAvg1m: { before: loadBefore, after: os.loadavg()[0] } };
  } finally {
    await server.stop();
  }
}

process.once('message', (job) => {
  runJob(job).then(
    (result) => process.send({ ok: true, result }, () => process.exit(0)),
    (error) => process.send({ ok: false, error: error.stack || error.message }, () => process.exit(1)),
  );
});
