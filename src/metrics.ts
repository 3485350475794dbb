import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { refusalCounts } from './errors';
import type { SocketRouter } from './router';

/** A request handler answering Prometheus's scrape, and the registry it reads (add metrics of your own to it). */
export interface MetricsHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly registry: Registry;
}

/**
 * Prometheus metrics of one or more routers, for a `/metrics` route:
 * `new Application([router.route(), ['/metrics', metricsHandler(router)]])`.
 * Every value is read from the routers' own counters when Prometheus
 * scrapes (nothing is counted twice, no cost per message). Labelled by the
 * router's `resource`; refusals are the process's, by code.
 */
export function metricsHandler(routers: SocketRouter | readonly SocketRouter[], registry: Registry = new Registry()): MetricsHandler {
  const list: readonly SocketRouter[] = Array.isArray(routers) ? routers : [routers as SocketRouter];
  const each = (read: (router: SocketRouter, resource: string) => void) => {
    for (const router of list) read(router, router.settings.resource);
  };
  /** A counter whose value is the router's own running total, set at scrape time. */
  const total = (name: string, help: string, labelNames: readonly string[], fill: (set: (labels: Record<string, string>, value: number) => void) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, value) => this.inc(labels, value));
      },
    });
  const gauge = (name: string, help: string, labelNames: readonly string[], fill: (set: (labels: Record<string, string>, value: number) => void) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });

  gauge('tornadio_connections', 'Open connections by protocol.', ['resource', 'protocol'], (set) =>
    each((router, resource) => {
      for (const [protocol, count] of Object.entries(router.stats.connectionsByProtocol)) set({ resource, protocol }, count ?? 0);
    }),
  );
  gauge('tornadio_connections_by_transport', 'Open connections by transport.', ['resource', 'transport'], (set) =>
    each((router, resource) => {
      for (const [transport, count] of Object.entries(router.stats.connectionsByTransport)) set({ resource, transport }, count);
    }),
  );
  total('tornadio_sessions_total', 'Sessions created and closed.', ['resource', 'event'], (set) =>
    each((router, resource) => {
      const { sessionsCreated, sessionsClosed } = router.stats;
      set({ resource, event: 'created' }, sessionsCreated);
      set({ resource, event: 'closed' }, sessionsClosed);
    }),
  );
  total('tornadio_messages_total', 'Messages received from clients (in) and sent to them (out).', ['resource', 'direction'], (set) =>
    each((router, resource) => {
      set({ resource, direction: 'in' }, router.stats.messagesIn);
      set({ resource, direction: 'out' }, router.stats.messagesOut);
    }),
  );
  total('tornadio_bytes_total', 'Bytes received from clients (in) and sent to them (out).', ['resource', 'direction'], (set) =>
    each((router, resource) => {
      set({ resource, direction: 'in' }, router.stats.bytesIn);
      set({ resource, direction: 'out' }, router.stats.bytesOut);
    }),
  );
  total('tornadio_refusals_total', 'Requests and connections refused, by refusal code (the README table).', ['code'], (set) => {
    for (const [code, count] of Object.entries(refusalCounts)) set({ code }, count ?? 0);
  });
  total('tornadio_forwarded_total', 'Cluster: requests and upgrades forwarded over HTTP to the node owning their session, polls and posts sent to it over the relay, and the ones that failed.', ['resource', 'kind'], (set) =>
    each((router, resource) => {
      const health = router.clusterHealth;
      if (!health) return;
      set({ resource, kind: 'request' }, health.forwarded.requests);
      set({ resource, kind: 'upgrade' }, health.forwarded.upgrades);
      set({ resource, kind: 'relayed' }, health.forwarded.relayed);
      set({ resource, kind: 'failure' }, health.forwarded.failures);
    }),
  );
  gauge('tornadio_redis_up', 'Cluster: 1 while this node is connected to Redis.', ['resource'], (set) =>
    each((router, resource) => {
      const health = router.clusterHealth;
      if (health) set({ resource }, health.redis.state === 'ready' ? 1 : 0);
    }),
  );
  gauge('tornadio_redis_pending', 'Cluster: cross-node messages waiting for Redis.', ['resource'], (set) =>
    each((router, resource) => {
      const health = router.clusterHealth;
      if (health) set({ resource }, health.redis.pending);
    }),
  );
  total('tornadio_redis_dropped_total', 'Cluster: cross-node messages dropped because maxPending were waiting for Redis.', ['resource'], (set) =>
    each((router, resource) => {
      const health = router.clusterHealth;
      if (health) set({ resource }, health.redis.droppedTotal);
    }),
  );
  gauge('tornadio_cluster_nodes', 'Cluster: live nodes this node knows of, itself included.', ['resource'], (set) =>
    each((router, resource) => {
      const health = router.clusterHealth;
      if (health) set({ resource }, health.nodes.length);
    }),
  );

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('METHOD_NOT_ALLOWED: only GET and HEAD\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
        res.end(`INTERNAL_ERROR: metrics could not be collected: ${String(error)}\n`);
      },
    );
  };
  return Object.assign(handler, { registry });
}
