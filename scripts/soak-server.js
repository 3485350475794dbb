'use strict';
// The server side of `npm run soak`: an echo server in its own process, with
// short expiry settings, answering the parent's requests for its figures.
const { SocketConnection, getRouter, Application, SocketServer, silentLogger } = require('..');

class Echo extends SocketConnection {
  onMessage(message) {
    this.send(message);
  }
}

const router = getRouter(Echo, {
  sessionExpiry: 1,
  sessionCheckInterval: 0.25,
  heartbeatInterval: 1,
  xhrPollingTimeout: 5,
  // Engine.IO sessions left behind go by their heartbeat (or, never joined, by connectTimeout).
  pingInterval: 0.5,
  pingTimeout: 0.5,
  connectTimeout: 1,
  // 0.9 sessions with no request attached go after closeTimeout.
  heartbeatTimeout: 2,
  closeTimeout: 6,
  logger: silentLogger,
});
const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));

function figures() {
  global.gc();
  global.gc();
  const memory = process.memoryUsage();
  return { sessions: router.stats.connections, created: router.stats.sessionsCreated, closed: router.stats.sessionsClosed, heapUsed: memory.heapUsed, rss: memory.rss };
}

server.listening.then(() => process.send({ type: 'ready', port: server.port }));
process.on('message', (message) => {
  if (message === 'figures') process.send({ type: 'figures', ...figures() });
  if (message === 'stop') server.close().then(() => process.exit(0));
});
