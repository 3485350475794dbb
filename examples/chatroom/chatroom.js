'use strict';
// Tornadio's chatroom example: everyone who opens the page chats with everyone
// else, over whichever Socket.IO 0.6 transport their browser picks — and with
// everyone on /v09 (the Socket.IO 0.9 client), /v2 (socket.io-client 2.x) and
// /v4 (today's socket.io-client): one room, one connection class for all four
// client generations.
//
//   npm run build && npm start     then open http://localhost:8001/, /v09, /v2 and /v4
//
// Add ?transport=xhr-polling (or any other transport name, or a comma-separated
// list) to the page's URL to force the client onto other transports.
//
// GET /stats answers the router's counters as JSON (router.stats: open
// connections in all and by transport, sessions created and closed, messages
// and bytes in and out), e.g. `curl http://localhost:8001/stats`.

const path = require('node:path');
const { SocketConnection, getRouter, Application, SocketServer, fileHandler } = require('tornadio');
const { runAsMain } = require('../shared');

/** How the room names each client generation (`info.protocol`). */
const GENERATIONS = { '0.6': 'Socket.IO 0.6', '0.9': 'Socket.IO 0.9', eio3: 'socket.io-client 2.x', eio4: 'Socket.IO v4' };

/**
 * Makes the connection class of one chat room. Each room gets its own class,
 * and so its own set of participants: two chatrooms in one process (as in
 * the tests) never mix their users.
 */
function createChatConnection() {
  const participants = new Set();

  /** Who is online, with the client generation each one came with. */
  const presence = () => [...participants].map((participant) => ({ name: participant.name, generation: participant.generation }));
  /** Everyone gets the list: a 0.9, 2.x or v4 page as a `presence` event, a 0.6 page as the JSON message {name, args}. */
  const announce = () => {
    const list = presence();
    for (const participant of participants) participant.emit('presence', list);
  };

  /** Who else goes by `name` already (names are compared case-blind, so "Ann" and "ann" are one). */
  const nameTaken = (name, asker) => [...participants].some((other) => other !== asker && other.name.toLowerCase() === name.toLowerCase());

  return class ChatConnection extends SocketConnection {
    onOpen(info) {
      this.name = `guest-${this.id.slice(0, 4)}`;
      this.generation = GENERATIONS[info.protocol];
      this.send(`Welcome, ${this.name}! Type /nick and a name to choose yours.`);
      // Everyone else on this router hears who arrived, and with which client.
      this.broadcast(`${this.name} joined (${this.generation}).`);
      participants.add(this);
      announce();
    }

    onMessage(message) {
      // A chat line is text; anything else (a 0.6 client may send JSON) is not for this room.
      if (typeof message !== 'string') return;
      const nick = /^\/nick\s+(.*)$/s.exec(message);
      if (nick) return this.rename(nick[1]);
      // Every participant sees the message, its sender included, whatever client each one runs.
      for (const participant of participants) participant.send(`${this.name}: ${message}`);
    }

    /** `/nick Ann`: a name of 1 to 24 letters, digits, spaces, `_`, `.` or `-` that nobody else has. */
    rename(requested) {
      const name = requested.trim();
      if (!/^[\p{L}\p{N}_. -]{1,24}$/u.test(name)) {
        this.send('A name is 1 to 24 letters, digits, spaces, "_", "." or "-".');
        return;
      }
      if (nameTaken(name, this)) {
        this.send(`${name} is taken: choose another name.`);
        return;
      }
      const previous = this.name;
      this.name = name;
      for (const participant of participants) participant.send(`${previous} is now ${name}.`);
      announce();
    }

    onClose() {
      participants.delete(this);
      // Everyone else on this router: the participants who are left.
      this.broadcast(`${this.name} has left.`);
      announce();
    }
  };
}

/**
 * GET /stats: a fresh snapshot of `router.stats` as JSON, for a dashboard or a
 * health check. Anything but GET or HEAD is answered 405.
 */
function statsHandler(router) {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('METHOD_NOT_ALLOWED: only GET and HEAD\n');
      return;
    }
    const body = JSON.stringify(router.stats);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * Starts a chatroom server. Resolve `server.listening` before connecting;
 * `server.port` is the port actually bound (pass `port: 0` for a free one).
 */
function startChatroom({ port = 8001, address, flashPolicyPort = 10843, routerSettings } = {}) {
  const router = getRouter(createChatConnection(), {
    enabledProtocols: ['websocket', 'flashsocket', 'xhr-multipart', 'xhr-polling', 'jsonp-polling', 'htmlfile'],
    ...routerSettings,
  });
  const routes = [
    router.route(),
    ['/stats', statsHandler(router)], // the router's counters as JSON, see statsHandler
    ['/', fileHandler(path.join(__dirname, 'index.html'))],
    ['/v4', fileHandler(path.join(__dirname, 'v4.html'))],
    ['/v09', fileHandler(path.join(__dirname, 'v09.html'))],
    ['/v2', fileHandler(path.join(__dirname, 'v2.html'))],
    // What every page shares: the message list, who is online, the status line, the form.
    ['/chat-page.js', fileHandler(path.join(__dirname, 'chat-page.js'))],
    ['/chat.css', fileHandler(path.join(__dirname, 'chat.css'))],
  ];
  const application = new Application(routes, {
    socketIoPort: port,
    ...(address === undefined ? {} : { socketIoAddress: address }),
    // Flash asks port 843 for its policy, but binding a port below 1024 needs
    // root: the example uses 10843 instead (a failure to bind is only logged,
    // and the policy is also answered inline on the HTTP port). In production
    // run the policy server on 843, e.g. with a port redirect from 843.
    flashPolicyPort,
    flashPolicyFile: path.join(__dirname, '../../flashpolicy.xml'),
  });
  const server = new SocketServer(application);
  return { server, router };
}

module.exports = { startChatroom, createChatConnection };

if (require.main === module) runAsMain(startChatroom, 'Chatroom');
