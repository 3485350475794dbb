import type { ClusterStats, ConnectionSummary } from '../../src';
import { ClusterNode, withTimeout } from '../helpers/cluster-node';
import { randomBytes } from 'node:crypto';
import { nodeTagOf } from '../../src/hub/session-id';
import { connect06InRooms, connectV4, eventArgs06, eventually, metricValue, type V4Client } from '../helpers/cluster-clients';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { httpRequest, type TestClient } from '../helpers/test-client';

// Three node processes on one real redis-server: cross-node operations.
jest.setTimeout(30000);

let redis: TestRedis;
let nodes: ClusterNode[];
const clients: Array<{ close(): void }> = [];

const CLUSTER = { requestTimeout: 1, heartbeatInterval: 0.2 };

async function clusterFormed(members: ClusterNode[]): Promise<void> {
  for (const node of members) {
    await eventually(`${node.nodeId} to see ${members.length} nodes`, async () => {
      const health = await node.call<{ nodes: string[]; redis: { state: string } }>('health');
      return health.redis.state === 'ready' && members.every((other) => health.nodes.includes(other.nodeId));
    });
  }
}

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => ClusterNode.start({ redis: redis.url, nodeId, cluster: CLUSTER })));
  await clusterFormed(nodes);
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all((nodes ?? []).map((node) => node.close()));
  await redis?.destroy();
});

async function v4(node: ClusterNode, rooms: string[] = []): Promise<V4Client> {
  const client = await connectV4(node.url, { rooms });
  clients.push(client);
  return client;
}

async function v06(node: ClusterNode, rooms: string[] = []): Promise<TestClient> {
  const client = await connect06InRooms('xhr-polling', node.port, rooms);
  clients.push(client);
  return client;
}

function numbers(events: unknown[][]): unknown[] {
  return events.map((event) => event[1]);
}

describe('cluster: broadcasts across nodes', () => {
  test('router.to(room).emit on node a reaches v4 and 0.6 clients on b (and a, c) exactly once, in order', async () => {
    const [a, b, c] = nodes;
    const onB4 = await v4(b, ['r1']);
    const onB06 = await v06(b, ['r1']);
    const onA4 = await v4(a, ['r1']);
    const onC4 = await v4(c, ['r1']);
    const outside = await v4(b, ['other']);
    expect(await onB4.whoami()).toBe('b');
    const count = 30;
    for (let i = 0; i < count; i++) await a.call('emit', { room: 'r1', event: 'tick', args: [i] });
    // Everyone hears the end marker after every tick (one publisher, one Redis connection: FIFO).
    await a.call('emit', { event: 'end', args: [] });
    const expected = Array.from({ length: count }, (_, i) => i);
    for (const client of [onB4, onA4, onC4]) {
      await client.waitForEvents('end', 1);
      expect(numbers(client.events.filter(([name]) => name === 'tick'))).toEqual(expected);
    }
    await outside.waitForEvents('end', 1);
    expect(outside.events.filter(([name]) => name === 'tick')).toEqual([]);
    await onB06.waitForMessages(count + 1, 10000);
    expect(eventArgs06(onB06, 'tick').map((args) => args[0])).toEqual(expected);
    expect(eventArgs06(onB06, 'end')).toHaveLength(1);
  });

  test('except leaves out the members of a room on every node', async () => {
    const [a, b, c] = nodes;
    const both = await v4(b, ['x1', 'x2']);
    const only = await v4(c, ['x1']);
    const bothOnA = await v4(a, ['x1', 'x2']);
    await a.call('emit', { room: 'x1', except: 'x2', event: 'hello', args: ['only'] });
    await a.call('emit', { event: 'end', args: [] });
    await only.waitForEvents('hello', 1);
    for (const client of [both, bothOnA, only]) await client.waitForEvents('end', 1);
    expect(both.events.filter(([name]) => name === 'hello')).toEqual([]);
    expect(bothOnA.events.filter(([name]) => name === 'hello')).toEqual([]);
    expect(only.events.filter(([name]) => name === 'hello')).toEqual([['hello', 'only']]);
  });

  test("a connection's to(room) and broadcast reach the others on every node, not itself", async () => {
    const [a, b, c] = nodes;
    const sender = await v4(a, ['t1']);
    const sameNode = await v4(a, ['t1']);
    const onB = await v4(b, ['t1']);
    const onC06 = await v06(c, ['t1']);
    const notInRoom = await v4(c, []);
    sender.socket.emit('to', 't1', 'said', 1);
    sender.socket.emit('everyone-else', 'said', 2);
    for (const client of [sameNode, onB]) {
      await client.waitForEvents('said', 2);
      expect(client.events.filter(([name]) => name === 'said')).toEqual([
        ['said', 1],
        ['said', 2],
      ]);
    }
    await notInRoom.waitForEvents('said', 1);
    expect(notInRoom.events.filter(([name]) => name === 'said')).toEqual([['said', 2]]);
    await onC06.waitForMessages(2, 10000);
    expect(eventArgs06(onC06, 'said')).toEqual([[1], [2]]);
    // The sender's own echo comes back after both: had it got either, it would come first.
    sender.socket.emit('echo', 'done');
    await sender.waitForEvents('echo', 1);
    expect(sender.events.filter(([name]) => name === 'said')).toEqual([]);
  });

  test('router.to(room).disconnectSockets() ends the room members on every node, and only them', async () => {
    const [a, b, c] = nodes;
    const members = [await v4(b, ['d1']), await v4(c, ['d1'])];
    const member06 = await v06(b, ['d1']);
    const bystander = await v4(b, ['d2']);
    const gone = members.map((client) => new Promise<string>((resolve) => client.socket.once('disconnect', resolve)));
    await a.call('disconnectSockets', { room: 'd1' });
    await expect(Promise.all(gone)).resolves.toEqual(['io server disconnect', 'io server disconnect']);
    await withTimeout(member06.closed, 10000, 'the 0.6 member to be closed');
    expect(bystander.socket.connected).toBe(true);
    expect(await bystander.whoami()).toBe('b');
  });

  test('socketsJoin and socketsLeave move connections on every node', async () => {
    const [a, b, c] = nodes;
    const onB = await v4(b, ['j1']);
    const onC = await v06(c, ['j1']);
    const outside = await v4(c, []);
    await a.call('socketsJoin', { room: 'j1', rooms: ['j2'] });
    // Operations from one node arrive in order: the join is done before this emit is applied.
    await a.call('emit', { room: 'j2', event: 'in-j2', args: [1] });
    await onB.waitForEvents('in-j2', 1);
    await onC.waitForMessages(1, 10000);
    expect(eventArgs06(onC, 'in-j2')).toEqual([[1]]);
    await a.call('socketsLeave', { room: 'j1', rooms: ['j2'] });
    await a.call('emit', { room: 'j2', event: 'in-j2', args: [2] });
    await a.call('emit', { event: 'end', args: [] });
    for (const client of [onB, outside]) await client.waitForEvents('end', 1);
    await onC.waitForMessages(2, 10000);
    expect(onB.events.filter(([name]) => name === 'in-j2')).toEqual([['in-j2', 1]]);
    expect(eventArgs06(onC, 'in-j2')).toEqual([[1]]);
    expect(outside.events.filter(([name]) => name === 'in-j2')).toEqual([]);
    const listed = await a.call<ConnectionSummary[]>('fetchConnections', { room: 'j2' });
    expect(listed).toEqual([]);
  });
});

describe('cluster: questions to every node', () => {
  test('fetchConnections lists the connections of every node, with the node each is on', async () => {
    const [a, b, c] = nodes;
    const onA = await v4(a, ['f1']);
    const onB = await v4(b, ['f1']);
    const onC = await v06(c, ['f1']);
    await v4(c, ['f2']);
    const listed = await b.call<ConnectionSummary[]>('fetchConnections', { room: 'f1' });
    const byId = new Map(listed.map((summary) => [summary.id, summary]));
    expect(listed).toHaveLength(3);
    expect(byId.get(onA.socket.id ?? '')).toMatchObject({ nodeId: 'a', protocol: 'eio4', namespace: '/' });
    expect(byId.get(onB.socket.id ?? '')).toMatchObject({ nodeId: 'b', protocol: 'eio4' });
    expect(byId.get(onC.sessionId)).toMatchObject({ nodeId: 'c', protocol: '0.6', transport: 'xhr-polling' });
    expect(byId.get(onA.socket.id ?? '')?.rooms).toContain('f1');
  });

  test('clusterStats sums every node and lists each', async () => {
    const [a, b, c] = nodes;
    await v4(a);
    await v4(b);
    await v4(b);
    await v06(c);
    const stats = await a.call<ClusterStats>('clusterStats');
    expect(stats.nodes.map((node) => node.nodeId).sort()).toEqual(['a', 'b', 'c']);
    const each = stats.nodes.map((node) => ('connections' in node ? node.connections : NaN));
    expect(each.reduce((sum, n) => sum + n, 0)).toBe(stats.connections);
    expect(stats.connections).toBeGreaterThanOrEqual(4);
  });

  test('a node that does not answer is reported with an error, not waited for', async () => {
    const [a, , c] = nodes;
    await v4(a);
    c.signal('SIGSTOP');
    try {
      const stats = await a.call<ClusterStats>('clusterStats', {}, 8000);
      const frozen = stats.nodes.find((node) => node.nodeId === 'c');
      expect(frozen).toEqual({ nodeId: 'c', error: expect.any(String) });
      const counted = stats.nodes.filter((node) => 'connections' in node).map((node) => node.nodeId);
      expect(counted.sort()).toEqual(['a', 'b']);
      const listed = await a.call<ConnectionSummary[]>('fetchConnections', {}, 8000);
      expect(listed.every((summary) => summary.nodeId !== 'c')).toBe(true);
    } finally {
      c.signal('SIGCONT');
    }
    await clusterFormed(nodes);
  });
});

describe('cluster: Prometheus metrics', () => {
  const scrape = async (node: ClusterNode) => {
    const answer = await httpRequest(node.port, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return answer.body;
  };

  test('/metrics reports sessions by protocol and transport, traffic, refusals, forwards and Redis state', async () => {
    const [a, b] = nodes;
    const before = await scrape(b);
    const forwardedBefore = metricValue(await scrape(a), 'tornadio_forwarded_total', { resource: 'socket.io', kind: 'relayed' });
    const v4s = [await v4(b), await v4(b)];
    const old = await v06(b);
    v4s[0].socket.emit('echo', 'x');
    await v4s[0].waitForEvents('echo', 1);
    // A forged id landing on a: forwarded to b, refused there as unknown.
    const forged = await httpRequest(a.port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${nodeTagOf('b')}${randomBytes(15).toString('base64url')}`);
    expect(forged.status).toBe(400);
    const after = await scrape(b);
    const value = (name: string, labels: Record<string, string>) => metricValue(after, name, { resource: 'socket.io', ...labels });
    expect(value('tornadio_connections', { protocol: 'eio4' })).toBeGreaterThanOrEqual(2);
    expect(value('tornadio_connections', { protocol: '0.6' })).toBeGreaterThanOrEqual(1);
    expect(value('tornadio_connections_by_transport', { transport: 'xhr-polling' })).toBeGreaterThanOrEqual(1);
    expect(value('tornadio_connections_by_transport', { transport: 'websocket' })).toBeGreaterThanOrEqual(2);
    const grew = (name: string, labels: Record<string, string>) =>
      value(name, labels) - (metricValue(before, name, { resource: 'socket.io', ...labels }) || 0);
    expect(grew('tornadio_sessions_total', { event: 'created' })).toBeGreaterThanOrEqual(3);
    expect(grew('tornadio_messages_total', { direction: 'in' })).toBeGreaterThanOrEqual(1);
    expect(grew('tornadio_messages_total', { direction: 'out' })).toBeGreaterThanOrEqual(1);
    expect(grew('tornadio_bytes_total', { direction: 'out' })).toBeGreaterThan(0);
    expect(metricValue(after, 'tornadio_refusals_total', { code: 'UNKNOWN_SESSION' }) - (metricValue(before, 'tornadio_refusals_total', { code: 'UNKNOWN_SESSION' }) || 0)).toBeGreaterThanOrEqual(1);
    expect(value('tornadio_redis_up', {})).toBe(1);
    expect(value('tornadio_redis_pending', {})).toBe(0);
    expect(value('tornadio_cluster_nodes', {})).toBe(3);
    expect(metricValue(await scrape(a), 'tornadio_forwarded_total', { resource: 'socket.io', kind: 'relayed' })).toBeGreaterThan(forwardedBefore || 0);
    expect(old.sessionId).not.toBe('');
  });
});
