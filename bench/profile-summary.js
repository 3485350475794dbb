'use strict';
// Summarises V8 .cpuprofile files (node --cpu-prof): self time by category
// (tornadio's dist/, ws, socket.io, node internals, GC, idle) and the
// functions with the most self time, ours (dist/) first.
//   node bench/profile-summary.js bench/profiles/*.cpuprofile [--top 25]
//     [--skip-ms N]      ignore the first N ms of each profile (e.g. a connect phase)
//     [--callers NAME]   also list, for functions named NAME, their callers' self-time share
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
/** Removes `--flag value` from args and returns the value (or `fallback`). */
function option(flag, fallback) {
  const index = args.indexOf(flag);
  return index === -1 ? fallback : args.splice(index, 2)[1];
}
const top = Number(option('--top', 25));
const skipUs = Number(option('--skip-ms', 0)) * 1000;
const callersOf = option('--callers', null);
if (args.length === 0) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile>... [--top N]');
  process.exit(2);
}

const ROOT = path.resolve(__dirname, '..');

function category(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return '(program): native, outside JS';
  if (url.includes(`${ROOT}/dist/`)) return 'tornadio dist/';
  if (url.includes('/node_modules/ws/') || url.includes('/engine.io/node_modules/ws/')) return 'ws';
  if (url.includes('/node_modules/')) return 'other node_modules';
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return 'bench harness';
  return url === '' ? 'native/builtins' : 'other';
}

const selfByFunction = new Map();
const selfByCategory = new Map();
const callers = new Map();
let totalUs = 0;
const label = (frame) => {
  const where = frame.url ? `${frame.url.replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '')}:${frame.lineNumber + 1}` : '(native)';
  return `${frame.functionName || '(anonymous)'} ${where}`;
};
for (const file of args) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const selfUs = new Map();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  if (callersOf) {
    for (const [id, us] of selfUs) {
      if (byId.get(id).callFrame.functionName !== callersOf) continue;
      // The chain of callers up to the first frame in tornadio or ws code, so internals are traced to their cause.
      const chain = [];
      for (let parent = parentOf.get(id); parent && chain.length < 8; parent = parentOf.get(parent.id)) {
        chain.push(label(parent.callFrame));
        if (/dist\/|node_modules\//.test(parent.callFrame.url)) break;
      }
      const key = chain.join(' < ');
      callers.set(key, (callers.get(key) ?? 0) + us);
    }
  }
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '')}:${lineNumber + 1}` : '';
    const key = `${name}\t${where}`;
    const cat = category(url, name);
    const entry = selfByFunction.get(key) ?? { name, where, cat, us: 0 };
    entry.us += us;
    selfByFunction.set(key, entry);
    selfByCategory.set(cat, (selfByCategory.get(cat) ?? 0) + us);
    totalUs += us;
  }
}

const busyUs = totalUs - (selfByCategory.get('idle') ?? 0);
const pct = (us, of) => `${((100 * us) / of).toFixed(1)}%`.padStart(6);
console.log(`profile: ${(totalUs / 1e6).toFixed(2)} s sampled, ${(busyUs / 1e6).toFixed(2)} s not idle; shares below are of the non-idle time\n`);
console.log('self time by category:');
for (const [cat, us] of [...selfByCategory].sort((a, b) => b[1] - a[1])) {
  if (cat !== 'idle') console.log(`  ${pct(us, busyUs)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${cat}`);
}
const entries = [...selfByFunction.values()].filter((e) => e.cat !== 'idle').sort((a, b) => b.us - a.us);
console.log(`\ntop ${top} functions in tornadio's dist/ by self time:`);
for (const e of entries.filter((e) => e.cat === 'tornadio dist/').slice(0, top)) {
  console.log(`  ${pct(e.us, busyUs)}  ${(e.us / 1000).toFixed(1).padStart(8)} ms  ${e.name}  ${e.where}`);
}
console.log(`\ntop ${top} functions overall by self time:`);
for (const e of entries.slice(0, top)) {
  console.log(`  ${pct(e.us, busyUs)}  ${(e.us / 1000).toFixed(1).padStart(8)} ms  ${e.name}  ${e.where || '(native)'}  [${e.cat}]`);
}
if (callersOf) {
  console.log(`\ncallers of ${callersOf} (self time, up to the first dist/ or node_modules/ frame):`);
  for (const [chain, us] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`  ${pct(us, busyUs)}  ${(us / 1000).toFixed(1).padStart(8)} ms  ${chain}`);
  }
}
