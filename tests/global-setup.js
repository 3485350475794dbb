// Runs once before the tests:
// - makes sure the Debian programs the tests start are there (chromium for
//   the browser tests, redis-server and nginx for the cluster tests;
//   installed with apt-get when missing, as the CI machine runs as root);
// - rebuilds dist/ when a source file is newer, since the examples and the
//   shutdown test run the built package in their own processes.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { ensureDebianPackages } = require('./ensure-debian-packages');

const root = join(__dirname, '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const built = join(root, 'dist', 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'src'))) return;
  process.stderr.write('building dist/ for the tests\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

module.exports = async () => {
  ensureDebianPackages();
  ensureBuilt();
};
