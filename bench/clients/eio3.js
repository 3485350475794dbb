'use strict';
// A minimal engine.io 3 / socket.io protocol 4 client (what socket.io-client
// 2.x speaks), websocket or polling, as cheap as the other drivers. On the
// wire it differs from eio4.js in three ways:
//   the server sends `40` by itself after the open packet (no CONNECT from us);
//   the client pings (`2`) every pingInterval and the server answers `3`;
//   a polling body is `<length>:<packet>` repeated, the length in UTF-16 units.
const { openWebSocketSession } = require('../lib/ws-session');
const { exchange } = require('../lib/http-exchange');

const eventPacket = (text) => `42${JSON.stringify(['message', text])}`;
const frame = (packet) => `${packet.length}:${packet}`;

/** Splits a polling body into packets; throws on a malformed length. */
function decodePayload(body) {
  const packets = [];
  let position = 0;
  while (position < body.length) {
    const colon = body.indexOf(':', position);
    const length = Number(body.substring(position, colon));
    if (colon === -1 || !Number.isInteger(length)) throw new Error(`bad payload at ${position}: ${body.slice(0, 60)}`);
    packets.push(body.substr(colon + 1, length));
    position = colon + 1 + length;
  }
  return packets;
}

/** Handles one engine.io packet; returns true when it was socket.io's connect (`40`). */
function readPacket(packet, handlers) {
  switch (packet.charCodeAt(0)) {
    case 0x34: // '4' message
      if (packet.startsWith('42')) {
        const [event, data] = JSON.parse(packet.substring(2));
        if (event === 'message') handlers.onMessage(data);
        return false;
      }
      if (packet.startsWith('40')) return true;
      if (packet.startsWith('44')) throw new Error(`error: ${packet}`);
      if (packet.startsWith('41')) throw new Error('disconnected by the server');
      return false;
    case 0x31: // '1' close
      throw new Error('closed by the server');
    default:
      return false; // open (handled by the caller), pong, noop
  }
}

/** The client's heartbeat: a `2` every pingInterval (the server closes a silent session). */
function startPinging(openPacket, sendPacket) {
  const { pingInterval } = JSON.parse(openPacket.substring(1));
  const timer = setInterval(() => sendPacket('2'), pingInterval);
  timer.unref();
  return () => clearInterval(timer);
}

function connectWebSocket(port, handlers) {
  let stopPinging = () => undefined;
  return openWebSocketSession(`ws://127.0.0.1:${port}/socket.io/?EIO=3&transport=websocket`, handlers, {
    frame: eventPacket,
    read(packet, sendPacket) {
      if (packet.charCodeAt(0) === 0x30) {
        stopPinging = startPinging(packet, sendPacket);
        return false;
      }
      return readPacket(packet, handlers);
    },
    onClose: () => stopPinging(),
  });
}

async function connectPolling(port, handlers) {
  const base = '/socket.io/?EIO=3&transport=polling';
  const handshake = await exchange(port, 'GET', base);
  if (handshake.status !== 200) throw new Error(`handshake answered ${handshake.status}: ${handshake.body.slice(0, 80)}`);
  const [open, ...rest] = decodePayload(handshake.body);
  if (!open?.startsWith('0')) throw new Error(`no open packet: ${handshake.body.slice(0, 80)}`);
  const { sid } = JSON.parse(open.substring(1));
  const path = `${base}&sid=${encodeURIComponent(sid)}`;
  const postHeaders = { 'Content-Type': 'text/plain;charset=UTF-8' };
  return new Promise((resolve, reject) => {
    let connected = false;
    let closed = false;
    let posting = false;
    let pendingGet = null;
    let outbox = '';
    let stopPinging = () => undefined;
    const fail = (reason) => {
      if (closed) return;
      closed = true;
      stopPinging();
      if (!connected) reject(new Error(reason));
      else handlers.onClose?.(reason);
    };
    const post = () => {
      if (closed || posting || outbox.length === 0) return;
      posting = true;
      const body = outbox;
      outbox = '';
      exchange(port, 'POST', path, body, postHeaders).then(({ status, body: reply }) => {
        posting = false;
        if (status !== 200) return fail(`POST answered ${status}: ${reply.slice(0, 80)}`);
        post();
      }, (error) => fail(`POST failed: ${error.message}`));
    };
    const sendPacket = (packet) => {
      outbox += frame(packet);
      post();
    };
    const connection = {
      send: (text) => sendPacket(eventPacket(text)),
      close() {
        if (closed) return;
        closed = true;
        stopPinging();
        pendingGet?.abort();
        exchange(port, 'POST', path, frame('1'), postHeaders).catch(() => undefined);
      },
    };
    const read = (packets) => {
      for (const packet of packets) {
        if (readPacket(packet, handlers) && !connected) {
          connected = true;
          resolve(connection);
        }
      }
    };
    const poll = () => {
      if (closed) return;
      pendingGet = exchange(port, 'GET', path);
      pendingGet.then(({ status, body }) => {
        if (closed) return;
        if (status !== 200) return fail(`GET answered ${status}: ${body.slice(0, 80)}`);
        try {
          read(decodePayload(body));
        } catch (error) {
          return fail(error.message);
        }
        poll();
      }, (error) => fail(`GET failed: ${error.message}`));
    };
    stopPinging = startPinging(open, sendPacket);
    try {
      read(rest); // engine.io 3 may put the `40` in the handshake answer itself
    } catch (error) {
      return fail(error.message);
    }
    poll();
  });
}

function connect(port, handlers, transport = 'websocket') {
  return transport === 'websocket' ? connectWebSocket(port, handlers) : connectPolling(port, handlers);
}

module.exports = { connect, name: 'minimal engine.io 3 / socket.io-client 2.x driver (bench/clients/eio3.js)' };
