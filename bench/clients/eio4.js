'use strict';
// A minimal engine.io v4 / socket.io v4 (protocol 5) client, websocket or
// polling, so that driving socket.io costs the generator about what the
// other drivers cost. On the wire:
//   engine.io packets: 0 open {sid,...}, 1 close, 2 ping, 3 pong, 4 message, 6 noop
//   socket.io packets inside a message: 0 connect, 1 disconnect, 2 event, 4 connect error
//   connect to "/": send "40", get "40{sid}"; event: 42["message",data]
//   the server pings (2) every pingInterval; we answer 3
//   polling: GET /socket.io/?EIO=4&transport=polling -> 0{"sid":...}; then
//   GET/POST with &sid=; several packets in one body are separated by \x1e;
//   only one GET and one POST may be in flight (overlaps close the session)
const { openWebSocketSession } = require('../lib/ws-session');
const { exchange } = require('../lib/http-exchange');

const SEPARATOR = '\x1e';
const eventPacket = (text) => `42${JSON.stringify(['message', text])}`;

/** Handles one engine.io packet; returns true when it was socket.io's connect ack. */
function readPacket(packet, handlers, sendPacket) {
  switch (packet.charCodeAt(0)) {
    case 0x32: // '2' ping
      sendPacket('3');
      return false;
    case 0x34: // '4' message
      if (packet.startsWith('42')) {
        const [event, data] = JSON.parse(packet.substring(2));
        if (event === 'message') handlers.onMessage(data);
        return false;
      }
      if (packet.startsWith('40')) return true;
      if (packet.startsWith('44')) throw new Error(`connect error: ${packet}`);
      if (packet.startsWith('41')) throw new Error('disconnected by the server');
      return false;
    case 0x31: // '1' close
      throw new Error('closed by the server');
    default:
      return false; // open (handled by the caller), noop
  }
}

function connectWebSocket(port, handlers) {
  return openWebSocketSession(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, handlers, {
    frame: eventPacket,
    read(packet, sendPacket) {
      if (packet.charCodeAt(0) === 0x30) {
        sendPacket('40'); // open: connect to the main namespace
        return false;
      }
      return readPacket(packet, handlers, sendPacket);
    },
  });
}

/**
 * `port` is a number, or `{ first, rest }`: the handshake to one node of a
 * cluster and every later request to another (the cluster's forwarding case).
 */
async function connectPolling(ports, handlers) {
  const { first, rest: port } = typeof ports === 'number' ? { first: ports, rest: ports } : ports;
  const base = '/socket.io/?EIO=4&transport=polling';
  const handshake = await exchange(first, 'GET', base);
  if (handshake.status !== 200 || !handshake.body.startsWith('0')) throw new Error(`handshake answered ${handshake.status}: ${handshake.body.slice(0, 80)}`);
  const { sid } = JSON.parse(handshake.body.substring(1));
  const path = `${base}&sid=${encodeURIComponent(sid)}`;
  const postHeaders = { 'Content-Type': 'text/plain; charset=UTF-8' };
  return new Promise((resolve, reject) => {
    let connected = false;
    let closed = false;
    let posting = false;
    let pendingGet = null;
    let outbox = [];
    const fail = (reason) => {
      if (closed) return;
      closed = true;
      if (!connected) reject(new Error(reason));
      else handlers.onClose?.(reason);
    };
    const post = () => {
      if (closed || posting || outbox.length === 0) return;
      posting = true;
      const body = outbox.join(SEPARATOR);
      outbox = [];
      exchange(port, 'POST', path, body, postHeaders).then(({ status, body: reply }) => {
        posting = false;
        if (status !== 200) return fail(`POST answered ${status}: ${reply.slice(0, 80)}`);
        post();
      }, (error) => fail(`POST failed: ${error.message}`));
    };
    const sendPacket = (packet) => {
      outbox.push(packet);
      post();
    };
    const connection = {
      send: (text) => sendPacket(eventPacket(text)),
      // As engine.io-client does: a close packet, so the server ends the session now.
      close() {
        if (closed) return;
        closed = true;
        pendingGet?.abort();
        exchange(port, 'POST', path, '1', postHeaders).catch(() => undefined);
      },
    };
    const poll = () => {
      if (closed) return;
      pendingGet = exchange(port, 'GET', path);
      pendingGet.then(({ status, body }) => {
        if (closed) return;
        if (status !== 200) return fail(`GET answered ${status}: ${body.slice(0, 80)}`);
        try {
          for (const packet of body.split(SEPARATOR)) {
            if (readPacket(packet, handlers, sendPacket) && !connected) {
              connected = true;
              resolve(connection);
            }
          }
        } catch (error) {
          return fail(error.message);
        }
        poll();
      }, (error) => fail(`GET failed: ${error.message}`));
    };
    sendPacket('40');
    poll();
  });
}

function connect(port, handlers, transport = 'websocket') {
  return transport === 'websocket' ? connectWebSocket(port, handlers) : connectPolling(port, handlers);
}

module.exports = { connect, name: 'minimal engine.io v4 / socket.io v4 driver (bench/clients/eio4.js)' };
