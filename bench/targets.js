'use strict';
// What is benchmarked: a server module (bench/servers/*.js, run in its own
// process) paired with the load-generator driver that speaks its protocol
// (bench/clients/*.js). Every driver exports `connect(port, handlers,
// transport)` resolving once the connection is usable (session id, or
// socket.io's connect ack, received) with `{ send(text), close() }`;
// `handlers.onMessage(text)` gets each application message and
// `handlers.onClose(reason)` an end the generator did not ask for. Protocol
// chores (heartbeats, pings) are answered inside the drivers.
const config = require('./config');

const TORNADIO_DRIVERS = { raw: 'tornadio-raw', client: 'tornadio-client' };
const tornadioDriver = TORNADIO_DRIVERS[config.tornadioDriver];
if (!tornadioDriver) throw new Error(`BENCH_TORNADIO_DRIVER must be raw or client, got ${config.tornadioDriver}`);

/** The tornadio settings used by the mixed scenario: warm-up sessions expire quickly (see scenarios/mixed.js). */
const QUICK_EXPIRY = { router: { sessionExpiry: 10, sessionCheckInterval: 2 } };

/** tornadio and socket.io (on @socket.io/redis-adapter) as clusters of 1, 2 and 3 nodes, and a forwarded long-poll. */
function clusterTargets() {
  const targets = {};
  for (const nodes of [1, 2, 3]) {
    const plural = nodes === 1 ? 'node' : 'nodes';
    targets[`tornadio-cluster-ws-${nodes}`] = { label: `tornadio v4 websocket, ${nodes} ${plural}`, server: 'tornadio', driver: 'eio4', transports: ['websocket'], nodes };
    targets[`socketio-redis-ws-${nodes}`] = {
      label: `socket.io + redis-adapter, ${nodes} ${plural}`,
      server: 'socketio-v4',
      serverOptions: { transports: ['websocket'] },
      driver: 'eio4',
      transports: ['websocket'],
      nodes,
    };
  }
  // Two nodes either way; the forwarded client's requests after its handshake land on the node that does not own it.
  targets['tornadio-cluster-polling-owner'] = { label: 'tornadio v4 polling, on the owner', server: 'tornadio', driver: 'eio4', transports: ['polling'], nodes: 2 };
  targets['tornadio-cluster-polling-forwarded'] = {
    label: 'tornadio v4 polling, on the other node',
    server: 'tornadio',
    driver: 'eio4',
    transports: ['polling'],
    nodes: 2,
    forwarded: true,
  };
  return targets;
}

const TARGETS = {
  'tornadio-ws': { label: 'tornadio websocket', server: 'tornadio', driver: tornadioDriver, transports: ['websocket'] },
  'tornadio-xhr': { label: 'tornadio xhr-polling', server: 'tornadio', driver: tornadioDriver, transports: ['xhr-polling'] },
  // Informational: the same servers driven by tornadio's own client, which
  // coalesces the sends of one tick into one websocket message (or POST).
  'tornadio-ws-client': {
    label: 'tornadio websocket via tornadio/client',
    server: 'tornadio',
    driver: 'tornadio-client',
    transports: ['websocket'],
  },
  'tornadio-xhr-client': {
    label: 'tornadio xhr-polling via tornadio/client',
    server: 'tornadio',
    driver: 'tornadio-client',
    transports: ['xhr-polling'],
  },
  // The same tornadio server reached by socket.io v4's wire protocol (Engine.IO 4 / Socket.IO 5),
  // driven by the same minimal v4 driver as socket.io itself.
  'tornadio-v4-ws': { label: 'tornadio v4 websocket', server: 'tornadio', driver: 'eio4', transports: ['websocket'] },
  'tornadio-v4-polling': { label: 'tornadio v4 polling', server: 'tornadio', driver: 'eio4', transports: ['polling'] },
  // The 0.6 websocket transport reached by a hixie-76 client (Flash's web-socket-js, Safari 5).
  'tornadio-hixie76': { label: 'tornadio websocket, hixie-76', server: 'tornadio', driver: 'hixie76', transports: ['websocket'] },
  // The same server reached by socket.io-client 2.x's protocol (Engine.IO 3) and by Socket.IO 0.9's.
  'tornadio-eio3-ws': { label: 'tornadio EIO3 websocket', server: 'tornadio', driver: 'eio3', transports: ['websocket'] },
  'tornadio-eio3-polling': { label: 'tornadio EIO3 polling', server: 'tornadio', driver: 'eio3', transports: ['polling'] },
  'tornadio-v09-ws': { label: 'tornadio 0.9 websocket', server: 'tornadio', driver: 'v09', transports: ['websocket'] },
  'tornadio-v09-xhr': { label: 'tornadio 0.9 xhr-polling', server: 'tornadio', driver: 'v09', transports: ['xhr-polling'] },
  // Clusters on a Redis of the job's own (bench/lib/cluster.js): clients spread round robin over the nodes.
  ...clusterTargets(),
  // The Engine.IO 4 handshake on raw ws and nothing else: what a v4 connect costs before any server's own work.
  'raw-ws-engine-io': { label: 'raw ws, Engine.IO handshake', server: 'raw-ws', serverOptions: { engineIo: true }, driver: 'eio4', transports: ['websocket'] },
  'raw-ws': { label: 'raw ws', server: 'raw-ws', driver: 'raw-ws', transports: ['websocket'] },
  'http-longpoll': { label: 'plain http long-poll', server: 'http-longpoll', driver: 'http-longpoll', transports: ['polling'] },
  'socketio-ws': {
    label: 'socket.io v4 websocket',
    server: 'socketio-v4',
    serverOptions: { transports: ['websocket'] },
    driver: 'eio4',
    transports: ['websocket'],
  },
  'socketio-polling': {
    label: 'socket.io v4 polling',
    server: 'socketio-v4',
    serverOptions: { transports: ['polling'] },
    driver: 'eio4',
    transports: ['polling'],
  },
  'tornadio-mixed': {
    label: 'tornadio ws + xhr-polling',
    server: 'tornadio',
    serverOptions: QUICK_EXPIRY,
    driver: tornadioDriver,
    transports: ['websocket', 'xhr-polling'],
  },
  'socketio-mixed': {
    label: 'socket.io v4 ws + polling',
    server: 'socketio-v4',
    serverOptions: { transports: ['polling', 'websocket'] },
    driver: 'eio4',
    transports: ['websocket', 'polling'],
  },
};

/**
 * The target with its driver loaded: `connect(port, handlers, index)` picks
 * the transport by index, so a mixed target alternates websocket and polling.
 */
function loadTarget(name) {
  const target = TARGETS[name];
  if (!target) throw new Error(`unknown target ${name}`);
  const driver = require(`./clients/${target.driver}`);
  return {
    ...target,
    name,
    driverName: driver.name,
    transportOf: (index) => target.transports[index % target.transports.length],
    connect: (port, handlers, index = 0) => driver.connect(port, handlers, target.transports[index % target.transports.length]),
  };
}

module.exports = { TARGETS, loadTarget };
