'use strict';
// A minimal Socket.IO 0.6 driver for tornadio, websocket or xhr-polling, as
// cheap as the other drivers: one websocket message (or POST) per send,
// frames `~m~<len>~m~<data>`, the first frame received is the session id,
// heartbeats `~h~<n>` are echoed. It does what the 0.6 browser client does on
// the wire and nothing more (no timers, no events), so the generator's cost is
// the same order for tornadio as for raw ws and socket.io.
const WebSocket = require('ws');
const { exchange } = require('../lib/http-exchange');

const MARKER = '~m~';
const encodeFrame = (text) => MARKER + text.length + MARKER + text;

/** Splits a payload into message texts; throws on malformed framing. */
function decodeFrames(payload) {
  const messages = [];
  let position = 0;
  while (position < payload.length) {
    if (!payload.startsWith(MARKER, position)) throw new Error(`bad frame at ${position}: ${payload.slice(0, 60)}`);
    const lengthEnd = payload.indexOf(MARKER, position + 3);
    if (lengthEnd === -1) throw new Error(`bad frame length at ${position}`);
    const length = Number(payload.substring(position + 3, lengthEnd));
    const start = lengthEnd + 3;
    messages.push(payload.substring(start, start + length));
    position = start + length;
  }
  return messages;
}

/**
 * Shared by both transports: turns payloads into session id, heartbeats and
 * messages. `reply(text)` sends a heartbeat's text back (framed by the transport).
 */
function createReader(handlers, reply, onSessionId) {
  let sessionId = null;
  return (payload) => {
    if (payload.length === 0) return; // an idle long-poll answered empty
    for (const text of decodeFrames(payload)) {
      if (sessionId === null) {
        sessionId = text;
        onSessionId(text);
      } else if (text.startsWith('~h~')) {
        reply(text);
      } else {
        handlers.onMessage(text);
      }
    }
  };
}

function connectWebSocket(port, handlers) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/websocket`, { perMessageDeflate: false });
    let connected = false;
    let closedByUs = false;
    const connection = {
      send: (text) => ws.send(encodeFrame(text)),
      close() {
        closedByUs = true;
        ws.terminate();
      },
    };
    const read = createReader(handlers, (text) => ws.send(encodeFrame(text)), () => {
      connected = true;
      resolve(connection);
    });
    ws.on('message', (data) => {
      try {
        read(data.toString());
      } catch (error) {
        handlers.onClose?.(`protocol error: ${error.message}`);
      }
    });
    ws.on('error', (error) => (connected ? undefined : reject(error)));
    ws.on('close', (code) => {
      if (!connected) reject(new Error(`closed before the session id (${code})`));
      else if (!closedByUs) handlers.onClose?.(`closed by server (${code})`);
    });
  });
}

function connectXhrPolling(port, handlers) {
  return new Promise((resolve, reject) => {
    const base = '/socket.io/xhr-polling';
    const postHeaders = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
    let sessionId = '';
    let closed = false;
    let posting = false;
    let pendingGet = null;
    let outbox = '';
    const fail = (reason) => {
      if (closed) return;
      closed = true;
      if (sessionId === '') reject(new Error(reason));
      else handlers.onClose?.(reason);
    };
    const post = () => {
      if (closed || posting || outbox.length === 0) return;
      posting = true;
      // Frames sent while a POST is in flight go together in the next one, as the 0.6 client does.
      const body = `data=${encodeURIComponent(outbox)}`;
      outbox = '';
      exchange(port, 'POST', `${base}/${sessionId}/send`, body, postHeaders).then(({ status }) => {
        posting = false;
        if (status !== 200) return fail(`POST answered ${status}`);
        post();
      }, (error) => fail(`POST failed: ${error.message}`));
    };
    const connection = {
      send(text) {
        outbox += encodeFrame(text);
        post();
      },
      // 0.6 has no client-side close for polling: stop polling; the server expires the session.
      close() {
        closed = true;
        pendingGet?.abort();
      },
    };
    const read = createReader(handlers, (text) => connection.send(text), (id) => {
      sessionId = id;
      resolve(connection);
    });
    const poll = () => {
      if (closed) return;
      pendingGet = exchange(port, 'GET', `${base}/${sessionId}/${Date.now()}`);
      pendingGet.then(({ status, body }) => {
        if (closed) return;
        if (status !== 200) return fail(`GET answered ${status}: ${body.slice(0, 80)}`);
        try {
          read(body);
        } catch (error) {
          return fail(`protocol error: ${error.message}`);
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

module.exports = { connect, decodeFrames, encodeFrame, name: 'raw 0.6 driver (bench/clients/tornadio-raw.js)' };
