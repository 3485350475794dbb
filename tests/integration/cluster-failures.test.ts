import { Redis } from 'ioredis';
import type { ClusterHealth, ClusterStats } from '../../src';
import { connectV4, eventually, metricValue, type V4Client } from '../helpers/cluster-clients';
import { httpRequest } from '../helpers/test-client';
import { ClusterNode, withTimeout } from '../helpers/cluster-node';
import { startNginx, type TestNginx } from '../helpers/nginx';
import { startRedis, type TestRedis } from '../helpers/redis-server';

// Failures on a real cluster: Redis stopped and started again, a node
// killed with SIGKILL, a node shut down gracefully. The tests run in this
// order on one set of nodes, each leaving one node fewer.
jest.setTimeout(40000);

const MAX_PENDING = 5;
let redis: TestRedis;
let nodes: ClusterNode[];
let nginx: TestNginx;
let inspector: Redis;
const clients: V4Client[] = [];

type Health = ClusterHealth & { stats: { connections: number } };

const health = (node: ClusterNode) => node.call<Health>('health');

async function clusterFormed(members: ClusterNode[]): Promise<void> {
  for (const node of members) {
    await eventually(`${node.nodeId} to see exactly ${members.map((m) => m.nodeId).join(',')}`, async () => {
      const seen = await health(node);
      return seen.redis.state === 'ready' && [...seen.nodes].sort().join() === members.map((m) => m.nodeId).sort().join();
    });
  }
}

/** The node ids in the cluster's registry on Redis, and the node keys still there. */
async function registry(): Promise<{ members: string[]; keys: string[] }> {
  const [setKey] = await inspector.keys('tornadio:*nodes');
  const members = setKey ? await inspector.smembers(setKey) : [];
  const keys = await inspector.keys('tornadio:*node:*');
  return { members: members.sort(), keys: keys.sort() };
}

/** Emits a numbered probe from `from` every 100 ms until `to` hears one; resolves with the first number heard. */
async function probeUntilHeard(from: ClusterNode, to: V4Client, room: string, timeoutMs = 15000): Promise<number> {
  const before = to.events.filter(([name]) => name === 'probe').length;
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    await from.call('emit', { room, event: 'probe', args: [i] });
    const heard = to.events.filter(([name]) => name === 'probe').slice(before);
    if (heard.length) return heard[0][1] as number;
    if (Date.now() > deadline) throw new Error(`${from.nodeId} -> ${room}: no probe heard in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function v4(url: string, rooms: string[], options: { reconnection?: boolean; transports?: Array<'polling' | 'websocket'> } = {}): Promise<V4Client> {
  const client = await connectV4(url, { rooms, ...options });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  redis = await startRedis();
  inspector = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  // The inspector is started and stopped with Redis below; its errors while Redis is away are expected.
  inspector.on('error', () => undefined);
  await inspector.connect();
  nodes = await Promise.all(
    ['a', 'b', 'c'].map((nodeId) => ClusterNode.start({ redis: redis.url, nodeId, cluster: { requestTimeout: 1, heartbeatInterval: 0.2, maxPending: MAX_PENDING } })),
  );
  await clusterFormed(nodes);
  nginx = await startNginx(nodes.map((node) => node.port));
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await nginx?.stop();
  await Promise.all((nodes ?? []).map((node) => node.close()));
  inspector?.disconnect();
  await redis?.destroy();
});

test('Redis stopped: local traffic goes on, waiting messages stay bounded; Redis back: cross-node delivery resumes', async () => {
  const [a, b] = nodes;
  const onA = await v4(a.url, ['room']);
  const alsoOnA = await v4(a.url, ['room']);
  const onB = await v4(b.url, ['room']);
  const polling = await v4(`http://127.0.0.1:${nginx.port}`, [], { transports: ['polling'] });
  const pollingErrors: string[] = [];
  polling.socket.on('disconnect', (reason) => pollingErrors.push(reason));
  await probeUntilHeard(a, onB, 'room');

  await redis.stop();
  for (const node of nodes) await eventually(`${node.nodeId} to see Redis down`, async () => (await health(node)).redis.state === 'down');

  // Local delivery on a, and a's own room broadcasts to its own clients, never stop.
  onA.socket.emit('echo', 'still here');
  await onA.waitForEvents('echo', 1);
  const heldFrom = onA.events.length;
  for (let i = 0; i < 3 * MAX_PENDING; i++) await a.call('emit', { room: 'room', event: 'while-down', args: [i] });
  await alsoOnA.waitForEvents('while-down', 3 * MAX_PENDING);
  expect(onA.events.length).toBeGreaterThan(heldFrom);
  // What waits for Redis is bounded: the rest is dropped and counted.
  const held = (await health(a)).redis;
  expect(held.pending).toBe(MAX_PENDING);
  expect(held.dropped).toBeGreaterThanOrEqual(2 * MAX_PENDING);
  const metrics = (await httpRequest(a.port, 'GET', '/metrics')).body;
  expect(metricValue(metrics, 'tornadio_redis_up', { resource: 'socket.io' })).toBe(0);
  expect(metricValue(metrics, 'tornadio_redis_pending', { resource: 'socket.io' })).toBe(MAX_PENDING);
  expect(metricValue(metrics, 'tornadio_redis_dropped_total', { resource: 'socket.io' })).toBe(held.droppedTotal);
  // Questions are answered at once without Redis, the others listed as not answering.
  const stats = await a.call<ClusterStats>('clusterStats', {}, 5000);
  expect(stats.nodes.filter((node) => 'error' in node).map((node) => node.nodeId).sort()).toEqual(['b', 'c']);
  // The directory read before the outage still routes forwarded polls between live nodes.
  for (let i = 0; i < 10; i++) polling.socket.emit('echo', i);
  const echoes = await polling.waitForEvents('echo', 10, 15000);
  expect(echoes.map((event) => event[1])).toEqual(Array.from({ length: 10 }, (_, i) => i));

  await redis.start();
  for (const node of nodes) await eventually(`${node.nodeId} to see Redis back`, async () => (await health(node)).redis.state === 'ready', 15000);
  await probeUntilHeard(a, onB, 'room');
  await probeUntilHeard(b, onA, 'room');
  const after = (await health(a)).redis;
  expect(after.pending).toBe(0);
  // Each node logged the outage once, however many reconnect attempts it took, and once that Redis is back.
  for (const node of nodes) {
    const lines = await node.call<string[]>('logs');
    expect(lines.filter((line) => /Redis (lost|unreachable)/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /Redis is back/.test(line))).toHaveLength(1);
    expect(node.alive).toBe(true);
  }
  expect(pollingErrors).toEqual([]);
  for (const client of clients.splice(0)) client.close();
});

test('a node killed with SIGKILL takes only its own clients down: they reconnect through the balancer and hear broadcasts again', async () => {
  const balancer = `http://127.0.0.1:${nginx.port}`;
  const spread: V4Client[] = [];
  // Round-robin: six handshakes land on every node.
  for (let i = 0; i < 6; i++) spread.push(await v4(balancer, ['k'], { reconnection: true }));
  const owners = await Promise.all(spread.map((client) => client.whoami()));
  const victim = nodes.find((node) => owners.includes(node.nodeId) && node.nodeId !== 'a');
  if (!victim) throw new Error(`no client landed on b or c: ${owners.join()}`);
  const survivors = nodes.filter((node) => node !== victim);
  const dropped = spread.filter((_client, index) => owners[index] === victim.nodeId);
  const untouched = spread.filter((_client, index) => owners[index] !== victim.nodeId);
  const disconnects = untouched.map(() => 0);
  untouched.forEach((client, index) => client.socket.on('disconnect', () => disconnects[index]++));
  const reconnected = dropped.map(
    (client) => withTimeout(new Promise<void>((resolve) => client.socket.io.once('reconnect', () => resolve())), 20000, 'a reconnect'),
  );

  await victim.kill();
  await Promise.all(reconnected);
  for (const client of dropped) expect(survivors.map((node) => node.nodeId)).toContain(await client.whoami());
  // The survivors drop the dead node from the registry once its entry expires.
  await clusterFormed(survivors);
  await eventually('the registry to forget the dead node', async () => !(await registry()).members.includes(victim.nodeId));

  const [first] = survivors;
  for (let i = 0; i < 5; i++) await first.call('emit', { room: 'k', event: 'after', args: [i] });
  for (const client of spread) {
    const heard = await client.waitForEvents('after', 5, 15000);
    expect(heard.map((event) => event[1])).toEqual([0, 1, 2, 3, 4]);
  }
  expect(disconnects).toEqual(untouched.map(() => 0));
  const stats = await first.call<ClusterStats>('clusterStats');
  expect(stats.nodes.map((node) => node.nodeId).sort()).toEqual(survivors.map((node) => node.nodeId).sort());
  expect(stats.nodes.every((node) => !('error' in node))).toBe(true);
  for (const client of clients.splice(0)) client.close();
  nodes = survivors;
});

test('a graceful shutdown closes its sessions cleanly and leaves the registry clean at once', async () => {
  const [stays, leaves] = nodes;
  const onLeaving = await v4(leaves.url, ['g']);
  const onStaying = await v4(stays.url, ['g']);
  const reason = new Promise<string>((resolve) => onLeaving.socket.once('disconnect', resolve));
  expect((await registry()).members).toContain(leaves.nodeId);
  await leaves.close();
  expect(leaves.alive).toBe(false);
  // The v4 client was told the session ended (not left to time out).
  expect(await withTimeout(reason, 5000, 'the disconnect')).toMatch(/io server disconnect|transport close/);
  // Gone from the registry before any entry could expire.
  const { members, keys } = await registry();
  expect(members).toEqual([stays.nodeId]);
  expect(keys.filter((key) => key.endsWith(`node:${leaves.nodeId}`))).toEqual([]);
  await clusterFormed([stays]);
  expect(await onStaying.whoami()).toBe(stays.nodeId);
  nodes = [stays];
});
