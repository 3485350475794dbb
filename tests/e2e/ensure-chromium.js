const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

const CHROMIUM_PATH = '/usr/bin/chromium';

/** Installs Debian's chromium if it is missing; throws a clear error when that is impossible. */
function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`${CHROMIUM_PATH} is missing and we are not root: run "apt-get install -y chromium" first`);
  }
  process.stderr.write('chromium is missing: installing it with apt-get (one time)\n');
  try {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 15 * 60 * 1000,
    });
  } catch (error) {
    throw new Error(`could not install chromium with apt-get: ${error.message}`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get finished but ${CHROMIUM_PATH} is still missing`);
  return CHROMIUM_PATH;
}

module.exports = { ensureChromium, CHROMIUM_PATH };
