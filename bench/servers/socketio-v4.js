'use strict';
// socket.io v4 (the latest 4.x, installed as the alias `socket.io-v4` since
// `socket.io` is our shipped 0.6 dependency), echoing 'message' events.
// `options.transports` restricts it to websocket or polling. Default
// settings except a generous pingTimeout, so that nothing times out under
// load; pingInterval stays 25 s, the cadence tornadio's heartbeat is set to.
const http = require('node:http');
const { Server } = require('socket.io-v4');
const { listen, closeHttp } = require('./listen');

async function start(options = {}) {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    transports: options.transports ?? ['polling', 'websocket'],
    serveClient: false,
    pingInterval: 25_000,
    pingTimeout: 60_000,
  });
  io.on('connection', (socket) => {
    socket.on('message', (data) => socket.emit('message', data));
  });
  const port = await listen(httpServer);
  return {
    port,
    broadcast: (payload) => io.emit('message', payload),
    connections: () => io.engine.clientsCount,
    async close() {
      io.close();
      await closeHttp(httpServer);
    },
  };
}

module.exports = { start };
