// Makes sure the browser the e2e tests drive is there: Debian's chromium,
// installed with apt-get when missing (the CI machine runs as root).
const { ensureChromium } = require('./e2e/ensure-chromium');

module.exports = async () => {
  ensureChromium();
};
