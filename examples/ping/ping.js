'use strict';
// Tornadio's ping example: the page sends a timestamp every second, the server
// echoes it back with its own clock and the client's address, and the page
// shows the round-trip time.
//
//   npm run build && npm run start:ping     then open http://localhost:8002/
//
// Add ?transport=xhr-polling (or any other transport name, or a comma-separated
// list) to the page's URL to compare transports.

const path = require('node:path');
const { SocketConnection, getRouter, Application, SocketServer, fileHandler } = require('tornadio');
const { runAsMain } = require('../shared');

class PingConnection extends SocketConnection {
  onOpen(info) {
    this.ip = info.request.remoteAddress;
  }

  onMessage(message) {
    // Only JSON objects are pings; anything else is ignored.
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return;
    this.send({ ...message, server: Date.now(), ip: this.ip });
  }
}

/**
 * Starts a ping server. Resolve `server.listening` before connecting;
 * `server.port` is the port actually bound (pass `port: 0` for a free one).
 */
function startPing({ port = 8002, address, flashPolicyPort = 10843, routerSettings } = {}) {
  const router = getRouter(PingConnection, {
    enabledProtocols: ['websocket', 'flashsocket', 'xhr-multipart', 'xhr-polling', 'jsonp-polling', 'htmlfile'],
    ...routerSettings,
  });
  const application = new Application([router.route(), ['/', fileHandler(path.join(__dirname, 'index.html'))]], {
    socketIoPort: port,
    ...(address === undefined ? {} : { socketIoAddress: address }),
    // Flash asks port 843 for its policy, but binding a port below 1024 needs
    // root: the example uses 10843 instead (a failure to bind is only logged,
    // and the policy is also answered inline on the HTTP port).
    flashPolicyPort,
    flashPolicyFile: path.join(__dirname, '../../flashpolicy.xml'),
  });
  const server = new SocketServer(application);
  return { server, router };
}

module.exports = { startPing, PingConnection };

if (require.main === module) runAsMain(startPing, 'Ping');
