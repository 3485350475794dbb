'use strict';
// The floor of the websocket stack: the same `ws` package tornadio uses, with
// the same options (no compression, no client tracking), echoing each message
// as it comes. Broadcast loops over the sockets and sends one Buffer built
// once: the cheapest fan-out `ws` allows.
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { listen, closeHttp } = require('./listen');

async function start() {
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404).end();
  });
  const sockets = new Set();
  const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false, clientTracking: false, maxPayload: 1_000_000 });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
  });
  const port = await listen(httpServer);
  return {
    port,
    broadcast(payload) {
      const buffer = Buffer.from(payload);
      for (const ws of sockets) ws.send(buffer, { binary: false });
    },
    connections: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await closeHttp(httpServer);
    },
  };
}

module.exports = { start };
