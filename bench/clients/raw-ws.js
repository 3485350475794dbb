'use strict';
// Plain `ws` client for the raw ws echo server: one websocket message per send.
const WebSocket = require('ws');

function connect(port, handlers) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    let open = false;
    let closedByUs = false;
    ws.on('open', () => {
      open = true;
      resolve({
        send: (text) => ws.send(text),
        close() {
          closedByUs = true;
          ws.terminate();
        },
      });
    });
    ws.on('message', (data) => handlers.onMessage(data.toString()));
    ws.on('error', (error) => (open ? undefined : reject(error)));
    ws.on('close', (code) => {
      if (!open) reject(new Error(`closed before open (${code})`));
      else if (!closedByUs) handlers.onClose?.(`closed by server (${code})`);
    });
  });
}

module.exports = { connect, name: 'ws' };
