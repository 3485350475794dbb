// N tornadio workers on one port with Node's `cluster` module, as the README
// shows: Node spreads connections, not sessions, over the workers, so each
// worker also listens on a loopback port of its own (its `address`) where the
// others forward the requests of its sessions. The primary prints
// {"ready":true,"ports":[...]} once every worker listens; SIGTERM closes the
// workers gracefully, then the primary exits.
const cluster = require('node:cluster');
const http = require('node:http');
const { getRouter, silentLogger, SocketConnection } = require('../../dist');

const { port, redis, workers } = JSON.parse(process.env.TORNADIO_TEST_WORKERS);

if (cluster.isPrimary) {
  const ports = [];
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('message', (_worker, message) => {
    if (message && message.ownPort) ports.push(message.ownPort);
    if (ports.length === workers) process.stdout.write(`${JSON.stringify({ ready: true, ports })}\n`);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.send('close');
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers).length === 0) process.exit(0);
    });
  });
} else {
  class Echo extends SocketConnection {
    onOpen() {
      this.on('echo', (...args) => this.emit('echo', ...args));
    }
    onMessage(message) {
      this.send(message);
    }
  }
  // `exclusive`: this port is the worker's own, not shared through the primary.
  const own = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(router.clusterHealth));
  });
  let router;
  own.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
    const ownPort = own.address().port;
    router = getRouter(Echo, {
      logger: silentLogger,
      cluster: { redis, nodeId: `worker-${cluster.worker.id}`, address: `http://127.0.0.1:${ownPort}`, heartbeatInterval: 0.2, requestTimeout: 1 },
    });
    router.attach(own);
    const shared = http.createServer();
    router.attach(shared);
    // As the README says: the other workers must know this one before it hands out session ids.
    void router.ready.then(() => shared.listen(port, '127.0.0.1', () => process.send({ ownPort })));
    process.on('message', async (message) => {
      if (message !== 'close') return;
      await Promise.all([new Promise((resolve) => shared.close(resolve)), new Promise((resolve) => own.close(resolve)), router.close()]);
      process.exit(0);
    });
  });
  // The primary is gone (killed): nothing is left to serve for.
  process.on('disconnect', () => process.exit(0));
}
