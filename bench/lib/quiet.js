'use strict';
// The machine may be shared with other work (test suites, browsers). Before
// each job the orchestrator, idle itself, waits until the machine's busy CPU
// share stays under a threshold for a couple of seconds, bounded per job and
// over the whole run, so that figures are taken on a quiet machine when one
// can be had, and it records what it saw either way.
const fs = require('node:fs');
const os = require('node:os');
const { sleep } = require('./util');

/** [busy, total] ticks of every CPU since boot (iowait counts as idle). */
function readTicks() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  return [user + nice + system + irq + softirq + steal, user + nice + system + idle + iowait + irq + softirq + steal];
}

/** Busy share of the whole machine over `ms`, in percent; null without /proc/stat. */
async function busyPct(ms) {
  let before;
  try {
    before = readTicks();
  } catch {
    return null;
  }
  await sleep(ms);
  const after = readTicks();
  const total = after[1] - before[1];
  return total > 0 ? (100 * (after[0] - before[0])) / total : 0;
}

class QuietGate {
  constructor({ maxBusyPct, maxWaitMs, totalBudgetMs }) {
    this.maxBusyPct = maxBusyPct;
    this.maxWaitMs = maxWaitMs;
    this.budgetMs = totalBudgetMs;
  }

  /** Waits for two quiet seconds in a row; returns { waitedMs, busyPct, quiet }. */
  async wait() {
    const started = Date.now();
    const limit = Math.min(this.maxWaitMs, Math.max(0, this.budgetMs));
    let quietInARow = 0;
    let last = await busyPct(1000);
    if (last === null) return { waitedMs: 0, busyPct: null, quiet: null };
    for (;;) {
      quietInARow = last <= this.maxBusyPct ? quietInARow + 1 : 0;
      if (quietInARow >= 2 || Date.now() - started >= limit) break;
      last = await busyPct(1000);
    }
    const waitedMs = Date.now() - started;
    this.budgetMs -= waitedMs;
    return { waitedMs, busyPct: last, quiet: quietInARow >= 2, cores: os.cpus().length };
  }
}

module.exports = { QuietGate, busyPct };
