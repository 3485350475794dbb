'use strict';
// The floor of long-polling with plain node:http and keep-alive: no protocol,
// no framing, no session ids beyond a client-chosen `id` in the query.
//   GET  /poll?id=<id>  waits until a message is queued for <id> (or 20 s)
//   POST /poll?id=<id>  queues the body for <id>'s GET (answering a waiting
//                       GET at once) and is answered 'ok'
// Messages that arrive while no GET waits are queued (a POST can overtake
// the next GET on another socket); several are joined with \x1e.
const http = require('node:http');
const { listen, closeHttp } = require('./listen');

const POLL_TIMEOUT_MS = 20_000;
const SEPARATOR = '\x1e';

async function start() {
  /** id -> { res: the waiting GET or null, queue: messages, timer } */
  const clients = new Map();
  const clientFor = (id) => {
    let client = clients.get(id);
    if (!client) {
      client = { res: null, queue: [], timer: null };
      clients.set(id, client);
    }
    return client;
  };
  const answer = (client, body) => {
    const res = client.res;
    client.res = null;
    clearTimeout(client.timer);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const httpServer = http.createServer((req, res) => {
    const queryAt = req.url.indexOf('?id=');
    if (!req.url.startsWith('/poll') || queryAt === -1) return res.writeHead(404).end();
    const client = clientFor(req.url.substring(queryAt + 4));
    if (req.method === 'GET') {
      if (client.res) answer(client, ''); // a newer GET replaces an older one
      client.res = res;
      if (client.queue.length > 0) {
        const body = client.queue.join(SEPARATOR);
        client.queue = [];
        return answer(client, body);
      }
      client.timer = setTimeout(() => client.res === res && answer(client, ''), POLL_TIMEOUT_MS);
      res.on('close', () => {
        if (client.res === res) {
          client.res = null;
          clearTimeout(client.timer);
        }
      });
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (client.res) answer(client, body);
        else client.queue.push(body);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': 2 });
        res.end('ok');
      });
      return;
    }
    res.writeHead(405).end();
  });
  const port = await listen(httpServer);
  return {
    port,
    broadcast() {
      throw new Error('http-longpoll has no broadcast scenario');
    },
    connections: () => clients.size,
    async close() {
      for (const client of clients.values()) clearTimeout(client.timer);
      await closeHttp(httpServer);
    },
  };
}

module.exports = { start };
