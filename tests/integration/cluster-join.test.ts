import { Redis } from 'ioredis';
import { ClusterNode } from '../helpers/cluster-node';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { httpRequest } from '../helpers/test-client';

// A node that has just started is known to the others at once (its
// announcement), not at their next heartbeat: a long heartbeat here makes a
// forward to it fail if it depended on the heartbeat.
jest.setTimeout(30000);

let redis: TestRedis;
const nodes: ClusterNode[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  await redis?.destroy();
});

const BASE = '/socket.io/?EIO=4&transport=polling';
const TEXT = { 'Content-Type': 'text/plain;charset=UTF-8' };

/**
 * Opens a v4 polling session on `owner`, then joins `/` and polls through
 * `other`; retries the join for at most 2 s (a loaded CI machine), far
 * below the 60 s heartbeat that would otherwise make the nodes known.
 */
async function servedThrough(owner: ClusterNode, other: ClusterNode): Promise<void> {
  const handshake = await httpRequest(owner.port, 'GET', BASE);
  const { sid } = JSON.parse(handshake.body.substring(1)) as { sid: string };
  let post = await httpRequest(other.port, 'POST', `${BASE}&sid=${sid}`, '40', TEXT);
  // The joining node may still be writing its entry as it listens: its announcement follows within a Redis round trip.
  for (const deadline = Date.now() + 2000; post.status !== 200 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    post = await httpRequest(other.port, 'POST', `${BASE}&sid=${sid}`, '40', TEXT);
  }
  expect(post).toMatchObject({ status: 200, body: 'ok' });
  const answer = await httpRequest(other.port, 'GET', `${BASE}&sid=${sid}`);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatch(/^40\{"sid":/);
}

test('a node that just joined and the nodes before it forward to each other at once', async () => {
  // A heartbeat far longer than the test: only the first read and the announcement can make the nodes known.
  const CLUSTER = { heartbeatInterval: 60 };
  const older = await ClusterNode.start({ redis: redis.url, nodeId: 'older', cluster: CLUSTER });
  nodes.push(older);
  const younger = await ClusterNode.start({ redis: redis.url, nodeId: 'younger', cluster: CLUSTER });
  nodes.push(younger);
  await servedThrough(younger, older);
  await servedThrough(older, younger);
});

test('a request for a session of a node this one has not read of yet waits for its first read of the directory', async () => {
  const CLUSTER = { heartbeatInterval: 60 };
  const first = await ClusterNode.start({ redis: redis.url, nodeId: 'first', cluster: CLUSTER });
  nodes.push(first);
  const handshake = await httpRequest(first.port, 'GET', BASE);
  const { sid } = JSON.parse(handshake.body.substring(1)) as { sid: string };
  // Redis holds every client's commands for a while: the next node listens before it can read who is in the cluster.
  const admin = new Redis(redis.url);
  try {
    await admin.call('CLIENT', 'PAUSE', '800');
    const late = await ClusterNode.start({ redis: redis.url, nodeId: 'late', cluster: CLUSTER });
    nodes.push(late);
    const post = await httpRequest(late.port, 'POST', `${BASE}&sid=${sid}`, '40', TEXT);
    expect(post).toMatchObject({ status: 200, body: 'ok' });
  } finally {
    admin.disconnect();
  }
});
