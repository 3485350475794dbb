'use strict';
// `npm run soak`: opens 10,000 sessions across every transport of the 0.6
// protocol, of Engine.IO 4 and 3 (on the HTTP lane) and of 0.9, abandons them
// all, waits for the server to expire them, and checks that its memory comes
// back to within 10% of the baseline after GC and that no session is left.
// The baseline is taken after a warm-up round of the same size, so that
// what V8 keeps once (compiled code, caches) is not mistaken for a leak.
// The server runs in its own process (scripts/soak-server.js); every loop is
// bounded in count and time, and all traffic stays on 127.0.0.1.
const { fork } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const WebSocket = require('ws');

const TOTAL = Number(process.env.SOAK_SESSIONS || 10_000);
const CONCURRENCY = 200;
const MIX = [
  ['websocket', 0.1],
  ['flashsocket', 0.05],
  ['xhr-polling', 0.1],
  ['jsonp-polling', 0.1],
  ['xhr-multipart', 0.05],
  ['htmlfile', 0.05],
  // Engine.IO 4: a session left after its handshake, one joined to `/` and left with a poll held, a websocket.
  ['eio4-handshake', 0.1],
  ['eio4-held-poll', 0.1],
  ['eio4-websocket', 0.1],
  ['eio3-handshake', 0.05],
  // Socket.IO 0.9: a handshake never followed up, a websocket, a poll held.
  ['v09-handshake', 0.07],
  ['v09-websocket', 0.07],
  ['v09-held-poll', 0.06],
];
const DEADLINE_MS = 5 * 60 * 1000;
const started = Date.now();

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** One whole HTTP exchange on a connection of its own; resolves with the body. */
function exchange(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** An Engine.IO session: its handshake; then, for a held poll, `40` (join `/`) and a GET left pending when the client vanishes. */
async function openEngineSession(port, version, holdPoll) {
  const base = `/socket.io/?EIO=${version}&transport=polling`;
  const open = await exchange(port, 'GET', base);
  if (!holdPoll) return;
  const { sid } = JSON.parse(open.substring(open.indexOf('{')));
  await exchange(port, 'POST', `${base}&sid=${sid}`, '40');
  await exchange(port, 'GET', `${base}&sid=${sid}`); // the namespace's answer
  await new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `${base}&sid=${sid}`, agent: false }, () => undefined);
    req.once('error', () => resolve());
    req.once('socket', (socket) => socket.once('connect', () => setTimeout(() => (req.destroy(), resolve()), 20)));
    req.once('close', resolve);
    req.once('timeout', reject);
  });
}

/** A 0.9 session: its handshake; then a websocket until its connect packet, or a poll answered once and the next held. */
async function openV09Session(port, transport) {
  const handshake = await exchange(port, 'GET', `/socket.io/1/?t=${Date.now()}`);
  if (transport === 'v09-handshake') return;
  const sid = handshake.split(':')[0];
  if (transport === 'v09-websocket') {
    await new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/1/websocket/${sid}`);
      socket.once('message', () => {
        socket.terminate();
        resolve();
      });
      socket.once('error', reject);
    });
    return;
  }
  await exchange(port, 'GET', `/socket.io/1/xhr-polling/${sid}?t=${Date.now()}`); // its connect packet
  await new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/socket.io/1/xhr-polling/${sid}?t=${Date.now()}`, agent: false }, () => undefined);
    req.once('error', () => resolve());
    req.once('socket', (socket) => socket.once('connect', () => setTimeout(() => (req.destroy(), resolve()), 20)));
    req.once('close', resolve);
  });
}

/** Opens one session of a transport until the session id arrives, then walks away. */
function openAndAbandon(port, transport) {
  if (transport.startsWith('v09-')) return openV09Session(port, transport);
  if (transport === 'eio4-handshake') return openEngineSession(port, 4, false);
  if (transport === 'eio4-held-poll') return openEngineSession(port, 4, true);
  if (transport === 'eio3-handshake') return openEngineSession(port, 3, false);
  if (transport === 'eio4-websocket') {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
      socket.once('message', () => {
        socket.terminate();
        resolve();
      });
      socket.once('error', reject);
    });
  }
  if (transport === 'websocket' || transport === 'flashsocket') {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/${transport}`);
      socket.once('message', () => {
        socket.terminate();
        resolve();
      });
      socket.once('error', reject);
    });
  }
  const paths = {
    'xhr-polling': `/socket.io/xhr-polling//${Date.now()}`,
    'jsonp-polling': `/socket.io/jsonp-polling//${Date.now()}/0`,
    'xhr-multipart': '/socket.io/xhr-multipart/',
    htmlfile: `/socket.io/htmlfile//${Date.now()}`,
  };
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: paths[transport], agent: false }, (res) => {
      res.once('data', () => {
        req.destroy(); // vanish mid-stream, or right after the handshake
        resolve();
      });
    });
    req.once('error', reject);
  });
}

async function openMany(port, count) {
  const plan = [];
  for (const [transport, share] of MIX) for (let i = 0; i < Math.round(count * share); i++) plan.push(transport);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < plan.length) {
      const transport = plan[next++];
      await withTimeout(openAndAbandon(port, transport), 10_000, transport).catch(() => failures++);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { opened: plan.length, failures };
}

async function main() {
  const child = fork(path.join(__dirname, 'soak-server.js'), [], { execArgv: ['--expose-gc'] });
  const replies = [];
  const waiters = [];
  child.on('message', (message) => (waiters.length ? waiters.shift()(message) : replies.push(message)));
  const nextMessage = () => withTimeout(new Promise((resolve) => (replies.length ? resolve(replies.shift()) : waiters.push(resolve))), 30_000, 'server reply');
  const figures = async () => {
    child.send('figures');
    return nextMessage();
  };
  const drain = async () => {
    for (;;) {
      const current = await figures();
      if (current.sessions === 0) return current;
      if (Date.now() - started > DEADLINE_MS) throw new Error(`sessions never drained: ${current.sessions} left`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const { port } = await nextMessage();
  console.log(`soak: server on 127.0.0.1:${port}; warming up`);
  await openMany(port, Number(process.env.SOAK_WARMUP || TOTAL));
  const baseline = await drain();
  console.log(`soak: baseline heap ${mb(baseline.heapUsed)}, rss ${mb(baseline.rss)}`);

  const t0 = Date.now();
  const { opened, failures } = await openMany(port, TOTAL);
  const peak = await figures();
  console.log(`soak: opened ${opened} sessions in ${Date.now() - t0} ms (${failures} failed); open now ${peak.sessions}, heap ${mb(peak.heapUsed)}`);
  const final = await drain();
  const heapRatio = final.heapUsed / baseline.heapUsed;
  console.log(`soak: all expired; created ${final.created}, closed ${final.closed}, open ${final.sessions}`);
  console.log(`soak: heap after GC ${mb(final.heapUsed)} = ${(heapRatio * 100).toFixed(1)}% of baseline; rss ${mb(final.rss)} (${((final.rss / baseline.rss) * 100).toFixed(1)}%)`);
  child.send('stop');
  const ok = final.sessions === 0 && final.created === final.closed && heapRatio <= 1.1 && failures === 0;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  process.exitCode = ok ? 0 : 1;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

main().catch((error) => {
  console.error(`soak: ${error.message}`);
  process.exit(1);
});
