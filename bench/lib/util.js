'use strict';
// Timing helpers shared by the generator and the scenarios. Every wait is
// bounded: a benchmark that hangs tells nobody anything.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check()` every `everyMs` until it is truthy or `ms` passed; returns the last value. */
async function waitFor(check, ms, everyMs = 20) {
  const deadline = Date.now() + ms;
  let value = await check();
  while (!value && Date.now() < deadline) {
    await sleep(everyMs);
    value = await check();
  }
  return value;
}

/**
 * Opens `count` connections, at most `concurrency` at a time (a ramp, never
 * all at once), each bounded by `timeoutMs`, the whole by `deadlineMs`.
 * `open(i)` returns a promise of a connection. Returns the connections that
 * opened (in index order, holes for failures), the failures with their first
 * few reasons, and each successful connect's duration in microseconds.
 */
async function openMany(count, concurrency, open, { timeoutMs = 30_000, deadlineMs = 300_000 } = {}) {
  const connections = new Array(count);
  const durationsUs = [];
  const reasons = [];
  let failures = 0;
  let next = 0;
  const deadline = Date.now() + deadlineMs;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      const start = process.hrtime.bigint();
      try {
        connections[index] = await withTimeout(open(index), timeoutMs, `connect #${index}`);
        durationsUs.push(Number(process.hrtime.bigint() - start) / 1000);
      } catch (error) {
        failures++;
        if (reasons.length < 5) reasons.push(error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  failures += count - next; // never attempted: the deadline passed
  return { connections, failures, reasons, durationsUs };
}

/** A microsecond count from a cpuUsage delta. */
const cpuMicros = (usage) => usage.user + usage.system;

/** The port client `index` connects to: one server's, or a cluster's choice for that client. */
function portOf(server, index) {
  return typeof server.portFor === 'function' ? server.portFor(index) : server.port;
}

module.exports = { sleep, withTimeout, waitFor, openMany, cpuMicros, portOf };
