// One tornadio cluster node in a process of its own, run on the built
// package (dist/), as an application would run it. The test that started it
// drives it over IPC: { id, command, ...arguments } in, { id, result | error }
// out. Its clients join the rooms they ask for: a v4 client in `auth.rooms`,
// a 0.6 client in the `x-join` header.
const { Application, getRouter, metricsHandler, SocketConnection, SocketServer } = require('../../dist');

const options = JSON.parse(process.env.TORNADIO_TEST_NODE);
const lines = [];
const logger = {
  debug: () => {},
  info: (message) => lines.push(`info ${message}`),
  warn: (message) => lines.push(`warn ${message}`),
  error: (message) => {
    lines.push(`error ${message}`);
    process.stderr.write(`[${options.nodeId}] ${message}\n`);
  },
};
const opened = [];

class ClusterChat extends SocketConnection {
  onOpen(info) {
    const header = info.request.headers['x-join'];
    const rooms = Array.isArray(info.auth.rooms) ? info.auth.rooms : typeof header === 'string' && header ? header.split(',') : [];
    this.join(rooms);
    opened.push({ id: this.id, protocol: info.protocol, transport: info.transport, recovered: info.recovered === true });
    this.on('whoami', (ack) => ack(options.nodeId));
    this.on('echo', (...args) => this.emit('echo', ...args));
    this.on('to', (room, event, ...args) => this.to(room).emit(event, ...args));
    this.on('everyone-else', (event, ...args) => this.broadcast.emit(event, ...args));
  }
  onMessage(message) {
    // A 0.6 client asks for a room broadcast with {"to": room, "text": ...}; anything else is echoed.
    if (message && typeof message === 'object' && typeof message.to === 'string') return void this.to(message.to).send(message.text);
    this.send(message);
  }
}

const router = getRouter(ClusterChat, {
  logger,
  cluster: { redis: options.redis, nodeId: options.nodeId, address: `http://127.0.0.1:${options.port}`, ...options.cluster },
  ...options.settings,
});
const app = new Application([router.route(), ['/metrics', metricsHandler(router)]], { socketIoPort: options.port, socketIoAddress: '127.0.0.1', logger });
const server = new SocketServer(app);

function selection(args) {
  let operator = router.of(args.namespace ?? '/');
  if (args.room) operator = operator.to(args.room);
  if (args.except) operator = operator.except(args.except);
  return operator;
}

const commands = {
  emit: (args) => selection(args).emit(args.event, ...(args.args ?? [])),
  send: (args) => void selection(args).send(args.message),
  socketsJoin: (args) => selection(args).socketsJoin(args.rooms),
  socketsLeave: (args) => selection(args).socketsLeave(args.rooms),
  disconnectSockets: (args) => selection(args).disconnectSockets(),
  fetchConnections: (args) => router.fetchConnections({ room: args.room, namespace: args.namespace }),
  clusterStats: () => router.clusterStats(),
  health: () => ({ ...router.clusterHealth, stats: router.stats, heapUsed: process.memoryUsage().heapUsed }),
  opened: () => opened,
  logs: () => lines,
  close: async () => {
    await server.close();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async (message) => {
  try {
    const result = await commands[message.command](message);
    process.send({ id: message.id, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ id: message.id, error: String(error && error.stack ? error.stack : error) });
  }
});

server.listening.then(
  () => process.send({ ready: true }),
  (error) => {
    process.stderr.write(`[${options.nodeId}] could not listen: ${error.message}\n`);
    process.exit(1);
  },
);
