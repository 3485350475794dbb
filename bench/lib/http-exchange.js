'use strict';
// One HTTP request with the whole body read as text, for every long-polling
// driver, so that every long-polling target is driven by the same HTTP
// machinery. Two clients behind one signature:
//
// - 'light' (the default): keep-alive sockets of our own, the request bytes
//   node:http's client writes, the response read by its Content-Length.
//   It costs the generator about a quarter of what node:http's client costs
//   (17 against 77 µs of CPU per long-poll round trip), so the generator no
//   longer runs out of CPU before the server does.
// - 'node' (BENCH_HTTP_CLIENT=node): node:http's client over a keep-alive
//   agent, configured as tornadio/client's default agent is. The generator is
//   then the bottleneck of every long-poll scenario: the servers sit partly
//   idle, and a faster server is woken more often per request (see the
//   README's long-poll note), so CPU per round trip measures the generator's
//   pace as much as the server.
//
// Both resolve { status, body }, reject on a network error or after
// `timeoutMs`, and give the promise `abort()`, which destroys the request (a
// client closing must not leave its long-poll attached on the server). A
// request that meets a reset on a reused keep-alive socket before any answer
// is retried once: the server closed that idle socket as we picked it (Node's
// documented `reusedSocket` pattern), which is no server fault.
const http = require('node:http');
const net = require('node:net');

const CLIENT = process.env.BENCH_HTTP_CLIENT ?? 'light';
if (CLIENT !== 'light' && CLIENT !== 'node') throw new Error(`BENCH_HTTP_CLIENT must be light or node, not ${CLIENT}`);

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

function nodeHttpExchange(port, method, path, body = null, headers = {}, timeoutMs = 60_000) {
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

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** Idle keep-alive sockets by port, most recently used last (node:http's agent picks them LIFO too). */
const idleSockets = new Map();

/**
 * One keep-alive socket of the light client: carries one request at a time
 * and reads its answer by Content-Length (every server here sends one; a
 * chunked or unframed answer is an error, not a guess).
 */
class LightSocket {
  constructor(port) {
    this.port = port;
    this.exchange = null;
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.exchange ? this.exchange.read(chunk) : this.socket.destroy());
    this.socket.on('error', (error) => (this.error = error));
    this.socket.on('close', () => this.exchange?.gone(this.error ?? new Error('socket closed')));
  }

  get usable() {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Back to the idle list, unless the answer asked to close. */
  release(keepAlive) {
    this.exchange = null;
    if (!keepAlive || !this.usable) return this.socket.destroy();
    let idle = idleSockets.get(this.port);
    if (idle === undefined) idleSockets.set(this.port, (idle = []));
    idle.push(this);
  }
}

function takeSocket(port) {
  const idle = idleSockets.get(port);
  while (idle !== undefined && idle.length > 0) {
    const socket = idle.pop();
    if (socket.usable) return { socket, reused: true };
  }
  return { socket: new LightSocket(port), reused: false };
}

function lightExchange(port, method, path, body = null, headers = {}, timeoutMs = 60_000) {
  let aborted = false;
  let current = null;
  const promise = new Promise((resolve, reject) => {
    // The bytes node:http's client writes for the same call: given headers, then Host and Connection.
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    const bodyBytes = body === null ? null : Buffer.from(body, 'utf8');
    if (bodyBytes !== null) head += `Content-Length: ${bodyBytes.length}\r\n`;
    head += `Host: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`;
    const request = bodyBytes === null ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
    let retried = false;
    const start = () => {
      const { socket, reused } = takeSocket(port);
      current = socket;
      let received = null;
      let bodyStart = -1;
      let bodyLength = 0;
      let status = 0;
      let keepAlive = true;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        socket.socket.destroy(new Error(`${method} ${path} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (error) => {
        clearTimeout(timer);
        socket.exchange = null;
        socket.socket.destroy();
        reject(error);
      };
      socket.exchange = {
        read(chunk) {
          received = received === null ? chunk : Buffer.concat([received, chunk]);
          if (bodyStart === -1) {
            const end = received.indexOf(HEAD_END);
            if (end === -1) return;
            const text = received.latin1Slice(0, end);
            status = Number(text.substring(9, 12));
            const length = /\r\ncontent-length: *(\d+)\r/i.exec(`${text}\r`);
            if (length === null || /\r\ntransfer-encoding:/i.test(text)) return fail(new Error(`${method} ${path}: an answer without Content-Length`));
            keepAlive = !/\r\nconnection: *close\r/i.test(`${text}\r`);
            bodyStart = end + 4;
            bodyLength = Number(length[1]);
          }
          if (received.length < bodyStart + bodyLength) return;
          if (received.length > bodyStart + bodyLength) return fail(new Error(`${method} ${path}: bytes after the answer`));
          clearTimeout(timer);
          socket.release(keepAlive);
          resolve({ status, body: received.toString('utf8', bodyStart) });
        },
        gone(error) {
          clearTimeout(timer);
          socket.exchange = null;
          if (!aborted && !timedOut && received === null && reused && !retried) {
            retried = true;
            return start();
          }
          reject(error);
        },
      };
      socket.socket.write(request);
    };
    start();
  });
  promise.abort = () => {
    if (aborted) return;
    aborted = true;
    promise.catch(() => undefined);
    current?.socket.destroy();
  };
  return promise;
}

const exchange = CLIENT === 'light' ? lightExchange : nodeHttpExchange;

module.exports = { exchange, client: CLIENT };
