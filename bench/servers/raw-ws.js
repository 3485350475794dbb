'use strict';
// The floor of the websocket stack: the same `ws` package tornadio uses, with
// the same options (no compression, no client tracking), echoing each message
// as it comes. Broadcast loops over the sockets and sends one Buffer built
// once: the cheapest fan-out `ws` allows.
//
// With `{ engineIo: true }` it is the floor of the Engine.IO 4 / Socket.IO 5
// handshake instead: the open packet after the 101, `40{sid}` for the
// client's `40`, events echoed as they came. No pings, no namespaces, no
// session table: the least a server can do and still let a socket.io v4
// client connect.
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { listen, closeHttp } = require('./listen');

const OPEN_TAIL = ',"upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';

function speakEngineIo(ws) {
  ws.send(`0{"sid":"${randomBytes(15).toString('base64url')}"${OPEN_TAIL}`);
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    if (text === '40') ws.send(`40{"sid":"${randomBytes(15).toString('base64url')}"}`);
    else if (text.startsWith('42')) ws.send(data, { binary: isBinary });
  });
}

async function start(options = {}) {
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404).end();
  });
  const sockets = new Set();
  const wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false, clientTracking: false, maxPayload: 1_000_000 });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    if (options.engineIo) speakEngineIo(ws);
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
  });
  const port = await listen(httpServer);
  return {
    port,
    broadcast(payload) {
      const buffer = Buffer.from(options.engineIo ? `42${JSON.stringify(['message', payload])}` : payload);
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
