'use strict';
// Client of the plain http long-poll floor: a GET loop, and POSTs of one
// message each (serialised per client, like the other polling drivers).
const { exchange } = require('../lib/http-exchange');

const SEPARATOR = '\x1e';
let nextId = 0;

async function connect(port, handlers) {
  const id = `${process.pid}-${nextId++}`;
  const path = `/poll?id=${id}`;
  let closed = false;
  let posting = false;
  let pendingGet = null;
  const outbox = [];
  const fail = (reason) => {
    if (closed) return;
    closed = true;
    handlers.onClose?.(reason);
  };
  const poll = () => {
    if (closed) return;
    pendingGet = exchange(port, 'GET', path);
    pendingGet.then(({ status, body }) => {
      if (closed) return;
      if (status !== 200) return fail(`GET answered ${status}`);
      if (body.length > 0) for (const message of body.split(SEPARATOR)) handlers.onMessage(message);
      poll();
    }, (error) => fail(`GET failed: ${error.message}`));
  };
  const post = () => {
    if (closed || posting || outbox.length === 0) return;
    posting = true;
    // The floor has no batching protocol: one message per POST.
    const body = outbox.shift();
    exchange(port, 'POST', path, body, { 'Content-Type': 'text/plain; charset=UTF-8' }).then(({ status }) => {
      posting = false;
      if (status !== 200) return fail(`POST answered ${status}`);
      post();
    }, (error) => fail(`POST failed: ${error.message}`));
  };
  poll();
  return {
    send(text) {
      outbox.push(text);
      post();
    },
    close() {
      closed = true;
      pendingGet?.abort();
    },
  };
}

module.exports = { connect, name: 'http long-poll' };
