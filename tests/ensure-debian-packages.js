const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

/**
 * The Debian programs the tests start themselves, by the path each package
 * installs. The CI machine runs as root, so a fresh one gets them with apt-get.
 */
const PACKAGES = [
  { name: 'chromium', path: '/usr/bin/chromium', usedBy: 'the browser tests' },
  { name: 'redis-server', path: '/usr/bin/redis-server', usedBy: 'the cluster tests' },
  { name: 'nginx', path: '/usr/sbin/nginx', usedBy: 'the load-balancer tests' },
];

/** Installs every missing package in one apt-get run; throws a clear error when that is impossible. */
function ensureDebianPackages() {
  const missing = PACKAGES.filter(({ path }) => !existsSync(path));
  if (missing.length === 0) return;
  const names = missing.map(({ name }) => name).join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`${names} missing and we are not root: run "apt-get install -y ${names}" first`);
  }
  process.stderr.write(`installing ${missing.map(({ name, usedBy }) => `${name} (${usedBy})`).join(', ')} with apt-get (one time)\n`);
  try {
    // Only the programs are used: the tests start their own redis-server and nginx on free ports with temporary configuration.
    execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${names}`, {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 15 * 60 * 1000,
    });
  } catch (error) {
    throw new Error(`could not install ${names} with apt-get: ${error.message}`);
  }
  const stillMissing = missing.filter(({ path }) => !existsSync(path));
  if (stillMissing.length > 0) throw new Error(`apt-get finished but ${stillMissing.map(({ path }) => path).join(', ')} still missing`);
}

module.exports = { ensureDebianPackages, PACKAGES };
