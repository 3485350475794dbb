/** How old a time `coarseNow` gives may be. */
const COARSE_MS = 10;

let cachedNow = 0;
let nowIsFresh = false;
const forgetNow = (): void => {
  nowIsFresh = false;
};

/**
 * Date.now() to within COARSE_MS, read once for every request of those few
 * milliseconds: for the activity stamps and timeouts that count in seconds
 * (a session's last activity, the HTTP lane's timeouts), which a request
 * would otherwise read the clock for several times.
 */
export function coarseNow(): number {
  if (!nowIsFresh) {
    cachedNow = Date.now();
    nowIsFresh = true;
    setTimeout(forgetNow, COARSE_MS).unref();
  }
  return cachedNow;
}

let dateLine = '';
const forgetDateLine = (): void => {
  dateLine = '';
};

/** The `Date:` header line of an answer, made once a second, as node:http makes its own. */
export function dateHeaderLine(): string {
  if (dateLine === '') {
    const now = new Date();
    dateLine = `Date: ${now.toUTCString()}\r\n`;
    setTimeout(forgetDateLine, 1000 - now.getMilliseconds()).unref();
  }
  return dateLine;
}
