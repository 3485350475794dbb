'use strict';
// A minimal Socket.IO 0.9 client (what socket.io-client 0.9.16 does on the
// wire, nothing more), websocket or xhr-polling, as cheap as the other
// drivers. Handshake `GET /socket.io/1/` answers `sid:heartbeat:close:transports`;
// packets are `type:id:endpoint:data` (1 connect, 2 heartbeat, 3 message);
// the server's `1::` says the session is open; heartbeats `2::` are echoed;
// several packets in one polling body are framed `\ufffd<length>\ufffd<packet>`.
const { openWebSocketSession } = require('../lib/ws-session');
const { exchange } = require('../lib/http-exchange');

const FRAME = '\ufffd';
const messagePacket = (text) => `3:::${text}`;

/** Splits a polling body into packets (a single packet is sent unframed). */
function decodePayload(body) {
  if (body.charAt(0) !== FRAME) return body.length === 0 ? [] : [body];
  const packets = [];
  let position = 0;
  while (position < body.length) {
    const lengthEnd = body.indexOf(FRAME, position + 1);
    const length = Number(body.substring(position + 1, lengthEnd));
    if (body.charAt(position) !== FRAME || lengthEnd === -1 || !Number.isInteger(length)) throw new Error(`bad payload at ${position}`);
    packets.push(body.substr(lengthEnd + 1, length));
    position = lengthEnd + 1 + length;
  }
  return packets;
}

/** Handles one packet; returns true when it was the connect (`1::`). */
function readPacket(packet, handlers, sendPacket) {
  switch (packet.charCodeAt(0)) {
    case 0x33: // '3' message: 3:id:endpoint:data
      handlers.onMessage(packet.substring(packet.indexOf(':', packet.indexOf(':', 2) + 1) + 1));
      return false;
    case 0x32: // '2' heartbeat
      sendPacket('2::');
      return false;
    case 0x31: // '1' connect
      return true;
    case 0x30: // '0' disconnect
      throw new Error('disconnected by the server');
    case 0x37: // '7' error
      throw new Error(`error packet: ${packet}`);
    default:
      return false; // noop
  }
}

async function handshake(port) {
  const answer = await exchange(port, 'GET', `/socket.io/1/?t=${Date.now()}`);
  if (answer.status !== 200) throw new Error(`handshake answered ${answer.status}: ${answer.body.slice(0, 80)}`);
  return answer.body.split(':')[0];
}

async function connectWebSocket(port, handlers) {
  const sid = await handshake(port);
  return openWebSocketSession(`ws://127.0.0.1:${port}/socket.io/1/websocket/${sid}`, handlers, {
    frame: messagePacket,
    // A websocket message may hold several packets, framed as in a polling body (the 0.9 client decodes both alike).
    read: (message, sendPacket) => {
      let opened = false;
      for (const packet of decodePayload(message)) if (readPacket(packet, handlers, sendPacket)) opened = true;
      return opened;
    },
  });
}

async function connectXhrPolling(port, handlers) {
  const sid = await handshake(port);
  const path = `/socket.io/1/xhr-polling/${sid}`;
  const postHeaders = { 'Content-Type': 'text/plain;charset=UTF-8' };
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
      // As the 0.9 client: one packet as it is, several framed.
      const body = outbox.length === 1 ? outbox[0] : outbox.map((packet) => `${FRAME}${packet.length}${FRAME}${packet}`).join('');
      outbox = [];
      exchange(port, 'POST', `${path}?t=${Date.now()}`, body, postHeaders).then(({ status, body: reply }) => {
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
      send: (text) => sendPacket(messagePacket(text)),
      close() {
        if (closed) return;
        closed = true;
        pendingGet?.abort();
        exchange(port, 'POST', `${path}?t=${Date.now()}`, '0::', postHeaders).catch(() => undefined);
      },
    };
    const poll = () => {
      if (closed) return;
      pendingGet = exchange(port, 'GET', `${path}?t=${Date.now()}`);
      pendingGet.then(({ status, body }) => {
        if (closed) return;
        if (status !== 200) return fail(`GET answered ${status}: ${body.slice(0, 80)}`);
        try {
          for (const packet of decodePayload(body)) {
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
    poll();
  });
}

function connect(port, handlers, transport = 'websocket') {
  return transport === 'websocket' ? connectWebSocket(port, handlers) : connectXhrPolling(port, handlers);
}

module.exports = { connect, name: 'minimal Socket.IO 0.9 driver (bench/clients/v09.js)' };
