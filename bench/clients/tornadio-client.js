'use strict';
// tornadio's own public Node client (`tornadio/client`, from dist), with
// timeouts long enough that a loaded generator never gives a session up.
// Note: it coalesces every send() of one tick into one websocket message (or
// POST), which the other drivers do not do.
const { SocketIoClient } = require('../../dist/client');

function connect(port, handlers, transport = 'websocket') {
  const client = new SocketIoClient(`http://127.0.0.1:${port}`, {
    transport,
    connectTimeout: 30_000,
    heartbeatTimeout: 60_000,
    pollTimeout: 60_000,
  });
  client.on('message', (message) => handlers.onMessage(message));
  client.on('error', () => undefined); // reported through disconnect or connect()
  client.on('disconnect', (reason) => {
    if (reason !== 'client') handlers.onClose?.(`disconnect: ${reason}`);
  });
  return client.connect().then(() => ({
    send: (text) => client.send(text),
    close: () => client.close(),
  }));
}

module.exports = { connect, name: 'tornadio/client (SocketIoClient from dist/client)' };
