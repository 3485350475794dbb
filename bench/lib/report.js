'use strict';
// Turns the raw per-run results into the summary (medians, min–max, ratios
// of tornadio to the floor and to socket.io, target checks), the JSON file
// with every raw number and the machine it ran on, and the markdown tables.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { spread } = require('./stats');
const { TARGETS } = require('../targets');

const ROOT = path.join(__dirname, '..', '..');

function packageVersion(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
  };
}

/** sha256 of every .js file under dist/: identifies the build that was measured. */
function distHash() {
  const hash = crypto.createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) hash.update(entry.name).update(fs.readFileSync(full));
    }
  };
  try {
    walk(path.join(ROOT, 'dist'));
    return hash.digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

/**
 * What is measured, read when the run starts (right after the build): other
 * developers may commit, edit src/ or rebuild dist/ while it runs.
 */
function versions() {
  const dirty = git(['status', '--porcelain', '--', 'src']);
  return {
    distSha256: distHash(),
    tornadio: packageVersion('.'),
    tornadioCommit: git(['rev-parse', '--short', 'HEAD']),
    // Others edit src/ concurrently: say whether the measured dist came from uncommitted sources.
    srcUncommittedChanges: dirty === null ? null : dirty.length > 0,
    ws: packageVersion('node_modules/ws'),
    socketIoV4: packageVersion('node_modules/socket.io-v4'),
    engineIo: packageVersion('node_modules/engine.io'),
    engineIoWs: packageVersion('node_modules/engine.io/node_modules/ws') ?? packageVersion('node_modules/ws'),
  };
}

/** Summaries, ratios and checks of one scenario from its runs (failed runs carry `error`). */
function summarise(scenario, byTarget) {
  const targets = {};
  for (const name of scenario.targets) {
    const runs = byTarget[name] ?? [];
    if (runs.length === 0) continue;
    const good = runs.filter((run) => !run.error);
    const summary = {};
    for (const metric of scenario.metrics) summary[metric.key] = spread(good.map((run) => run.metrics[metric.key]));
    targets[name] = {
      label: TARGETS[name].label,
      driver: good[0]?.driver ?? null,
      failedRuns: runs.length - good.length,
      summary,
      runs,
    };
  }
  const med = (target, key) => targets[target]?.summary[key]?.median ?? null;
  const ratio = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
  const ratios = {};
  for (const metric of scenario.metrics) {
    ratios[metric.key] = {
      vsFloor: scenario.floor ? ratio(med(scenario.subject, metric.key), med(scenario.floor, metric.key)) : null,
      vsPeer: scenario.peer ? ratio(med(scenario.subject, metric.key), med(scenario.peer, metric.key)) : null,
    };
  }
  const checks = scenario.checks.map((check) => {
    if (check.against === 'zero') {
      const value = med(scenario.subject, check.metric);
      const worst = targets[scenario.subject]?.summary[check.metric]?.max ?? null;
      const failed = targets[scenario.subject]?.failedRuns ?? 0;
      return { ...check, value: worst, pass: worst === 0 && failed === 0 && value !== null };
    }
    const value = check.against === 'floor' ? ratios[check.metric].vsFloor : ratios[check.metric].vsPeer;
    return { ...check, value, pass: value !== null && value <= check.max };
  });
  return { targets, ratios, checks };
}

function build({ scenarios, results, config, startedAt, finishedAt, versionsAtStart }) {
  const distAtEnd = distHash();
  const out = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Math.round((finishedAt - startedAt) / 1000),
    machine: machine(),
    versions: { ...versionsAtStart, distSha256AtEnd: distAtEnd, distChangedDuringRun: distAtEnd !== versionsAtStart.distSha256 },
    config: {
      quick: config.quick,
      runs: config.runs,
      tornadioDriver: config.tornadioDriver,
      serverNodeArgs: config.serverNodeArgs,
      quiet: config.quiet,
      settings: config.settings,
    },
    scenarios: {},
  };
  for (const [name, byTarget] of Object.entries(results)) {
    const scenario = scenarios[name];
    out.scenarios[name] = {
      title: scenario.title,
      description: scenario.describe(config.settings[name]),
      subject: scenario.subject,
      floor: scenario.floor,
      peer: scenario.peer,
      metrics: scenario.metrics,
      ...summarise(scenario, byTarget),
    };
  }
  return out;
}

// ---- markdown ----

const formatNumber = (value, digits) =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function cell(stat, digits) {
  if (!stat || stat.median === null) return 'n/a';
  if (stat.n === 1 || stat.min === stat.max) return formatNumber(stat.median, digits);
  return `${formatNumber(stat.median, digits)} (${formatNumber(stat.min, digits)}–${formatNumber(stat.max, digits)})`;
}

const formatRatio = (value) => (value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`);

function scenarioMarkdown(name, data) {
  const names = Object.keys(data.targets);
  const labels = names.map((n) => data.targets[n].label);
  const floorLabel = data.floor ? data.targets[data.floor]?.label : null;
  const peerLabel = data.peer ? data.targets[data.peer]?.label : null;
  const ratioHeads = [floorLabel && `tornadio ÷ ${floorLabel}`, peerLabel && `tornadio ÷ ${peerLabel}`].filter(Boolean);
  const lines = [`## ${data.title}`, '', `${data.description}.`, ''];
  lines.push(`| figure | ${[...labels, ...ratioHeads].join(' | ')} |`);
  lines.push(`| --- | ${[...labels, ...ratioHeads].map(() => '---:').join(' | ')} |`);
  data.metrics.forEach((metric, index) => {
    const label = `${index === 0 ? '**' : ''}${metric.label}${metric.unit ? ` (${metric.unit})` : ''}${index === 0 ? '**' : ''}`;
    const cells = names.map((n) => cell(data.targets[n].summary[metric.key], metric.digits));
    const ratios = [];
    if (floorLabel) ratios.push(formatRatio(data.ratios[metric.key].vsFloor));
    if (peerLabel) ratios.push(formatRatio(data.ratios[metric.key].vsPeer));
    lines.push(`| ${label} | ${[...cells, ...ratios].join(' | ')} |`);
  });
  const failed = names.filter((n) => data.targets[n].failedRuns > 0);
  if (failed.length) lines.push('', `Failed runs: ${failed.map((n) => `${data.targets[n].label} ${data.targets[n].failedRuns}`).join(', ')} (see the JSON).`);
  lines.push('', 'Drivers: ' + names.map((n) => `${data.targets[n].label}: ${data.targets[n].driver}`).join('; ') + '.');
  if (data.checks.length) {
    lines.push('');
    for (const check of data.checks) {
      const shown = check.against === 'zero' ? `worst run ${formatNumber(check.value, 0)}` : formatRatio(check.value);
      lines.push(`- **${check.pass ? 'PASS' : 'MISS'}** ${check.label}: ${shown}`);
    }
  }
  return lines.join('\n');
}

/** How quiet the shared machine was: before each job (the gate) and during the measurement windows. */
function quietLine(data) {
  const runs = Object.values(data.scenarios).flatMap((s) => Object.values(s.targets).flatMap((t) => t.runs));
  const gated = runs.filter((run) => run.machineBefore && run.machineBefore.quiet !== null);
  const quiet = gated.filter((run) => run.machineBefore.quiet).length;
  const others = runs.map((run) => run.metrics?.otherCpuPct).filter((v) => typeof v === 'number');
  const busy = others.filter((v) => v > 10).length;
  const parts = [];
  if (gated.length) parts.push(`The machine was quiet (≤ ${data.config.quiet.maxBusyPct}% busy for 2 s) before ${quiet} of ${gated.length} jobs`);
  if (others.length) {
    parts.push(`other processes used more than 10% of it during ${busy} of ${others.length} measurement windows (row "other processes' CPU"; median ${formatNumber(others.sort((a, b) => a - b)[others.length >> 1], 0)}%)`);
  }
  return parts.length ? `${parts.join('; ')}.` : '';
}

function markdown(data) {
  const { machine: mc, versions: v, config } = data;
  const lines = [
    '# tornadio benchmark',
    '',
    `Run ${data.startedAt} (${data.durationS} s), ${config.runs} run(s) per target, interleaved${config.quick ? ', **BENCH_QUICK sizes**' : ''}.`,
    `Node ${mc.node} on ${mc.cpuModel}, ${mc.cores} cores, ${mc.totalMemGiB} GiB, ${mc.platform}.`,
    `tornadio ${v.tornadio} at ${v.tornadioCommit}${v.srcUncommittedChanges ? ' (src/ had uncommitted changes)' : ''}, dist/ sha256 ${v.distSha256}` +
      `${v.distChangedDuringRun ? ' — **dist/ was rebuilt during the run: later jobs may have measured other code**' : ''}; ws ${v.ws}; socket.io ${v.socketIoV4} (engine.io ${v.engineIo}, ws ${v.engineIoWs}).`,
    '',
    'Each cell is the median over runs, with min–max when runs differ. Server CPU is user+system time of the server process',
    '(process.cpuUsage inside it) over the measurement window, divided by the operations completed in it; server and load',
    'generator share the same cores, so CPU per operation, not throughput, is the figure to compare. Latencies are measured',
    'in the generator with process.hrtime.bigint(). Ratios are of medians; the first row of each table is the main figure.',
    '',
    `Drivers: tornadio is driven by ${config.tornadioDriver === 'raw' ? 'a minimal raw 0.6 driver (bench/clients/tornadio-raw.js), one websocket message or POST per send like the raw ws and socket.io drivers; the rows "via tornadio/client" drive the same server with tornadio/client, which coalesces every send of a tick into one websocket message (here up to 10 messages per frame) and so lowers the server\'s work per message' : 'tornadio/client (BENCH_TORNADIO_DRIVER=client)'}. socket.io v4 is driven by a minimal engine.io v4 client (bench/clients/eio4.js); polling targets share one keep-alive http.Agent.`,
    '',
    quietLine(data),
  ];
  for (const [name, scenario] of Object.entries(data.scenarios)) lines.push('', scenarioMarkdown(name, scenario));
  const checks = Object.values(data.scenarios).flatMap((s) => s.checks);
  lines.push('', '## Targets', '', `${checks.filter((c) => c.pass).length} of ${checks.length} met.`, '');
  for (const check of checks) {
    const shown = check.against === 'zero' ? `worst run ${formatNumber(check.value, 0)}` : formatRatio(check.value);
    lines.push(`- **${check.pass ? 'PASS' : 'MISS'}** ${check.label}: ${shown}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes <timestamp>.json, latest.json and latest.md under bench/results; returns their paths. */
function write(data, dir = path.join(__dirname, '..', 'results')) {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = data.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(data, null, 2) + '\n';
  const files = { stamped: path.join(dir, `${stamp}.json`), latestJson: path.join(dir, 'latest.json'), latestMd: path.join(dir, 'latest.md') };
  fs.writeFileSync(files.stamped, json);
  fs.writeFileSync(files.latestJson, json);
  fs.writeFileSync(files.latestMd, markdown(data));
  return files;
}

module.exports = { build, markdown, write, versions };
