'use strict';
// tornadio, the package under test, from its built dist (require of the
// package root): an echo SocketConnection on websocket and xhr-polling.
// Settings are generous so that nothing times out under load: heartbeats at
// socket.io's ping cadence (25 s), polling sessions that outlive any stall of
// the generator. Options may override router settings (the mixed scenario
// shortens expiry so abandoned warm-up sessions drain before the baseline).
// As a cluster node, `options.router.cluster` names the Redis server and
// `options.port` the port its address was given for.
const { SocketConnection, getRouter, Application, SocketServer, silentLogger } = require('../..');

class Echo extends SocketConnection {
  onMessage(message) {
    this.send(message);
  }
}

async function start(options = {}) {
  const router = getRouter(Echo, {
    enabledProtocols: ['websocket', 'xhr-polling'],
    heartbeatInterval: 25,
    sessionExpiry: 120,
    sessionCheckInterval: 15,
    xhrPollingTimeout: 20,
    logger: silentLogger,
    ...options.router,
  });
  const server = new SocketServer(
    new Application([router.route()], { socketIoPort: options.port ?? 0, socketIoAddress: '127.0.0.1', logger: silentLogger }),
  );
  await server.listening;
  return {
    port: server.port,
    broadcast: (payload) => router.broadcast(payload),
    connections: () => router.connections.size, // O(1); router.stats walks every connection
    close: () => server.close(),
  };
}

module.exports = { start };
