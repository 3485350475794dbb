'use strict';
// A minimal hixie-76 driver for tornadio's 0.6 websocket transport, the
// draft Flash's web-socket-js and Safari 5 speak: the handshake with its
// key challenge on a raw TCP socket, then 0.6 frames inside `0x00 … 0xFF`.
// As cheap as the raw 0.6 driver, so the two measure the server's two paths.
const { createHash, randomInt } = require('node:crypto');
const { connect: netConnect } = require('node:net');
const { decodeFrames, encodeFrame } = require('./tornadio-raw');

/** A key: `number × spaces` with the spaces mixed into its digits. */
function makeKey() {
  const spaces = randomInt(1, 13);
  const number = randomInt(0, Math.floor(0xffffffff / spaces));
  const chars = String(number * spaces).split('');
  for (let i = 0; i < spaces; i++) chars.splice(randomInt(1, chars.length), 0, ' ');
  return { key: `x${chars.join('')}x`, number };
}

function frame(text) {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length + 2);
  out[0] = 0x00;
  bytes.copy(out, 1);
  out[out.length - 1] = 0xff;
  return out;
}

function connect(port, handlers) {
  return new Promise((resolve, reject) => {
    const key1 = makeKey();
    const key2 = makeKey();
    const key3 = Buffer.from('benchkey');
    const challenge = Buffer.alloc(16);
    challenge.writeUInt32BE(key1.number, 0);
    challenge.writeUInt32BE(key2.number, 4);
    key3.copy(challenge, 8);
    const expected = createHash('md5').update(challenge).digest();
    const socket = netConnect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let phase = 'head';
    let sessionId = null;
    let closedByUs = false;
    const send = (text) => socket.write(frame(encodeFrame(text)));
    const connection = {
      send,
      close() {
        closedByUs = true;
        socket.destroy();
      },
    };
    const fail = (reason) => {
      if (sessionId === null) reject(new Error(reason));
      else if (!closedByUs) handlers.onClose?.(reason);
      socket.destroy();
    };
    socket.on('connect', () => {
      socket.write(
        `GET /socket.io/websocket HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1:${port}\r\n` +
          `Origin: http://127.0.0.1\r\nSec-WebSocket-Key1: ${key1.key}\r\nSec-WebSocket-Key2: ${key2.key}\r\n\r\n`,
      );
      socket.write(key3);
    });
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (phase === 'head') {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!buffer.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) return fail(`handshake answered ${buffer.subarray(0, 40)}`);
        buffer = buffer.subarray(end + 4);
        phase = 'answer';
      }
      if (phase === 'answer') {
        if (buffer.length < 16) return;
        if (!buffer.subarray(0, 16).equals(expected)) return fail('wrong challenge answer');
        buffer = buffer.subarray(16);
        phase = 'frames';
      }
      let start = 0;
      while (start < buffer.length) {
        if (buffer[start] !== 0x00) return fail(`frame type ${buffer[start]}`);
        const end = buffer.indexOf(0xff, start);
        if (end === -1) break;
        let texts;
        try {
          texts = decodeFrames(buffer.toString('utf8', start + 1, end));
        } catch (error) {
          return fail(`protocol error: ${error.message}`);
        }
        start = end + 1;
        for (const text of texts) {
          if (sessionId === null) {
            sessionId = text;
            resolve(connection);
          } else if (text.startsWith('~h~')) send(text);
          else handlers.onMessage(text);
        }
      }
      buffer = buffer.subarray(start);
    });
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => fail('closed by server'));
  });
}

module.exports = { connect, name: 'hixie-76 0.6 driver (bench/clients/hixie76.js)' };
