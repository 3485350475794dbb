'use strict';
// A measurement window: the server's own CPU (process.cpuUsage inside the
// server process, over IPC) and the generator's, over the same interval.
// The machine may be shared (other developers run tests on it), so the
// window also reads the whole machine's CPU time from /proc/stat: what is
// left once server and generator are subtracted is other processes' load,
// reported so that a disturbed run can be recognised.
const fs = require('node:fs');
const os = require('node:os');
const { cpuMicros } = require('./util');

const TICK_US = 1e6 / 100; // /proc/stat counts USER_HZ ticks, 100 per second on Linux

/** user + nice + system time of every CPU since boot, in µs; null where /proc/stat is missing. */
function machineBusyUs() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    return (Number(fields[1]) + Number(fields[2]) + Number(fields[3])) * TICK_US;
  } catch {
    return null;
  }
}

async function startWindow(server) {
  await server.request('measure-start');
  return { cpu: process.cpuUsage(), at: process.hrtime.bigint(), machineUs: machineBusyUs() };
}

/** Closes the window; snapshot the operation count before calling this. */
async function stopWindow(server, window) {
  const elapsedMs = Number(process.hrtime.bigint() - window.at) / 1e6;
  const generatorCpuUs = cpuMicros(process.cpuUsage(window.cpu));
  const machineUs = machineBusyUs();
  const reply = await server.request('measure-stop');
  const serverCpuUs = reply.userUs + reply.systemUs;
  const otherUs = machineUs === null || window.machineUs === null ? null : Math.max(0, machineUs - window.machineUs - serverCpuUs - generatorCpuUs);
  return {
    elapsedMs,
    generatorCpuUs,
    serverCpuUs,
    serverUserUs: reply.userUs,
    serverSystemUs: reply.systemUs,
    serverElapsedMs: reply.elapsedMs,
    serverConnections: reply.connections,
    // Other processes' CPU as a share of the whole machine (every core), ±10 ms of ticks.
    otherCpuPct: otherUs === null ? null : (100 * otherUs) / (elapsedMs * 1000 * os.cpus().length),
  };
}

/** Per-operation and utilisation figures of a closed window. */
function perOp(window, ops) {
  return {
    serverCpuPerOpUs: ops > 0 ? window.serverCpuUs / ops : null,
    generatorCpuPerOpUs: ops > 0 ? window.generatorCpuUs / ops : null,
    serverCpuUtilPct: (100 * window.serverCpuUs) / (window.serverElapsedMs * 1000),
    generatorCpuUtilPct: (100 * window.generatorCpuUs) / (window.elapsedMs * 1000),
  };
}

module.exports = { startWindow, stopWindow, perOp };
