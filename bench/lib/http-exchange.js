'use strict';
// One HTTP request with the whole body read as text, over a keep-alive agent
// that every polling driver shares, configured as tornadio/client's default
// agent is (keep-alive, unbounded pools), so that every long-polling target is
// driven by the same HTTP machinery.
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

/**
 * Resolves { status, body }; rejects on a network error or after `timeoutMs`.
 * The promise has `abort()`, which destroys the request (a client closing
 * must not leave its long-poll attached on the server).
 * A request that hits ECONNRESET on a reused keep-alive socket before any
 * response is retried once: the server closed that idle socket as we picked
 * it (Node's documented `reusedSocket` pattern), which is no server fault.
 */
function exchange(port, method, path, body = null, headers = {}, timeoutMs = 60_000) {
  let current = null;
  let aborted = false;
  const promise = new Promise((resolve, reject) => {
    let retried = false;
    const start = () => {
      let responded = false;
      const requestHeaders = body === null ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) };
      const req = http.request({ host: '127.0.0.1', port, method, path, headers: requestHeaders, agent }, (res) => {
        responded = true;
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
        res.on('error', reject);
      });
      current = req;
      req.on('error', (error) => {
        if (!aborted && !responded && !retried && req.reusedSocket && error.code === 'ECONNRESET') {
          retried = true;
          start();
          return;
        }
        reject(error);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} got no answer within ${timeoutMs} ms`)));
      req.end(body ?? undefined);
    };
    start();
  });
  promise.abort = () => {
    if (aborted) return;
    aborted = true;
    promise.catch(() => undefined);
    current?.destroy();
  };
  return promise;
}

module.exports = { exchange, agent };
