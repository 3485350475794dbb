'use strict';
// The websocket half every protocol driver shares: open a socket, hand each
// text message to the protocol's reader, resolve once the reader says the
// session is usable, and report an end the generator did not ask for.
const WebSocket = require('ws');

/**
 * `read(text, sendRaw)` handles one message and returns true when it was the
 * one that makes the session usable (a session id, a connect packet); it
 * throws on a protocol error. `frame(text)` turns an application message
 * into what goes on the wire. `onClose()` runs whenever the socket ends.
 * Resolves `{ send(text), close() }`.
 */
function openWebSocketSession(url, handlers, { read, frame, onClose = () => undefined }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let connected = false;
    let closedByUs = false;
    const sendRaw = (text) => ws.send(text);
    const connection = {
      send: (text) => ws.send(frame(text)),
      close() {
        closedByUs = true;
        onClose();
        ws.terminate();
      },
    };
    ws.on('message', (data) => {
      try {
        if (read(data.toString(), sendRaw) && !connected) {
          connected = true;
          resolve(connection);
        }
      } catch (error) {
        if (!connected) reject(error);
        else handlers.onClose?.(error.message);
        connection.close();
      }
    });
    ws.on('error', (error) => (connected ? undefined : reject(error)));
    ws.on('close', (code) => {
      onClose();
      if (!connected) reject(new Error(`closed before the session was usable (${code})`));
      else if (!closedByUs) handlers.onClose?.(`closed by server (${code})`);
    });
  });
}

module.exports = { openWebSocketSession };
