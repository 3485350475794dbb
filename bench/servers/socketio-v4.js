'use strict';
// socket.io v4 (the latest 4.x, installed as the alias `socket.io-v4` since
// `socket.io` is our shipped 0.6 dependency), echoing 'message' events.
// `options.transports` restricts it to websocket or polling. Default
// settings except a generous pingTimeout, so that nothing times out under
// load; pingInterval stays 25 s, the cadence tornadio's heartbeat is set to.
// With `options.redis` it is one node of a cluster on @socket.io/redis-adapter
// (ioredis clients), the setup socket.io's documentation gives.
const http = require('node:http');
const { Server } = require('socket.io-v4');
const { listen, closeHttp } = require('./listen');

/** Puts `io` on the Redis adapter; resolves the clients to close with it. */
async function useRedisAdapter(io, url) {
  const Redis = require('ioredis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = new Redis(url);
  const sub = pub.duplicate();
  await Promise.all([pub, sub].map((client) => new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  })));
  io.adapter(createAdapter(pub, sub));
  return [pub, sub];
}

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
  const redisClients = options.redis ? await useRedisAdapter(io, options.redis) : [];
  const port = await listen(httpServer, options.port ?? 0);
  return {
    port,
    broadcast: (payload) => io.emit('message', payload),
    connections: () => io.engine.clientsCount,
    async close() {
      io.close();
      await closeHttp(httpServer);
      for (const client of redisClients) client.disconnect();
    },
  };
}

module.exports = { start };
