/**
 * Connection state recovery across nodes: a v4 client that drops from one
 * node and comes back to another gets its id, its rooms and the packets it
 * missed (from both nodes) from the node it dropped from, over Redis.
 */
import { io, type Socket } from 'socket.io-client';
import { ClusterNode } from '../helpers/cluster-node';
import { eventually } from '../helpers/cluster-clients';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { waitForCallback as waitFor } from '../helpers/callback';
import { startNginx, type TestNginx } from '../helpers/nginx';

jest.setTimeout(30000);

let redis: TestRedis;
let nodes: ClusterNode[];
let nginx: TestNginx;
const sockets: Socket[] = [];

interface Opened {
  id: string;
  recovered: boolean;
}

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(
    ['a', 'b'].map((nodeId) => ClusterNode.start({ redis: redis.url, nodeId, cluster: { requestTimeout: 2, heartbeatInterval: 0.2 }, settings: { recovery: { maxDisconnection: 10 } } })),
  );
  for (const node of nodes) await eventually(`${node.nodeId} to see both nodes`, async () => (await node.call<{ nodes: string[] }>('health')).nodes.length === 2);
  nginx = await startNginx(nodes.map((node) => node.port));
});

afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await nginx?.stop();
  await Promise.all((nodes ?? []).map((node) => node.close()));
  await redis?.destroy();
});

async function awaiting(node: ClusterNode): Promise<number> {
  return (await node.call<{ stats: { connectionsAwaitingRecovery: number } }>('health')).stats.connectionsAwaitingRecovery;
}

async function connected(socket: Socket): Promise<void> {
  if (!socket.connected) await waitFor('the connect event', (done) => socket.once('connect', () => done(undefined)), 10000);
}

describe.each([['websocket'], ['polling']])('over %s', (transport) => {
  test('a client that drops from node a and comes back to node b gets its id, rooms and missed packets, in order', async () => {
    const [a, b] = nodes;
    const client = io(a.url, { transports: [transport], reconnection: false, forceNew: true, auth: { rooms: ['news'] } });
    sockets.push(client);
    const seen: unknown[] = [];
    client.on('n', (n: unknown) => seen.push(n));
    await connected(client);
    const firstId = client.id as string;
    // A room joined after onOpen (not from auth): only recovery can bring it back.
    const late = `late-${transport}`;
    await a.call('socketsJoin', { room: 'news', rooms: [late] });
    await b.call('emit', { room: late, event: 'n', args: [1] });
    await eventually('the first packet', async () => seen.length === 1);

    const gone = waitFor('the disconnect', (done) => client.once('disconnect', (reason) => done(reason)));
    client.io.engine.close();
    await gone;
    await eventually('node a to keep the dropped connection', async () => (await awaiting(a)) === 1);
    // Missed while away, sent from both nodes: a's first (delivered on a before its call returns), then b's
    // (over Redis). Two nodes' broadcasts have no order between them unless one follows the other like this.
    await a.call('emit', { room: 'news', event: 'n', args: [2] });
    await b.call('emit', { room: late, event: 'n', args: [3] });

    // The balancer sends it elsewhere this time.
    (client.io as unknown as { uri: string }).uri = b.url;
    client.connect();
    await connected(client);
    expect(client.recovered).toBe(true);
    expect(client.id).toBe(firstId);
    await eventually('the missed packets', async () => seen.length === 3);
    const openedOnB = await b.call<Opened[]>('opened');
    expect(openedOnB.at(-1)).toEqual(expect.objectContaining({ id: firstId, recovered: true }));
    expect(await awaiting(a)).toBe(0);

    // Its rooms moved with it: a broadcast from a to the late room reaches it on b, once.
    await a.call('emit', { room: late, event: 'n', args: [4] });
    await eventually('the packet after recovery', async () => seen.length === 4);
    expect(seen).toEqual([1, 2, 3, 4]);
    const members = await a.call<Array<{ id: string; nodeId: string }>>('fetchConnections', { room: late });
    expect(members.map(({ id, nodeId }) => ({ id, nodeId }))).toEqual([{ id: firstId, nodeId: 'b' }]);
    client.close();
  });
});

test('a private id of a node that is not there, or unknown to its node, gets a fresh connection', async () => {
  const [a, b] = nodes;
  const client = io(a.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(client);
  await connected(client);
  const firstId = client.id as string;
  client.io.engine.close();
  await eventually('node a to keep the dropped connection', async () => (await awaiting(a)) === 1);
  // Another node's tag with a made-up remainder: asked of a, which has no such connection.
  const forged = io(b.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { pid: `${firstId.slice(0, 4)}${'x'.repeat(20)}`, offset: 'o' } });
  sockets.push(forged);
  await connected(forged);
  expect(forged.recovered).toBe(false);
  expect(await awaiting(a)).toBe(1);
  forged.close();
  client.close();
});

test('a client cut off for 2 s while broadcasts go on comes back through round-robin nginx on the other node, recovered, every packet once and in order', async () => {
  const client = io(`http://127.0.0.1:${nginx.port}`, {
    transports: ['websocket'],
    forceNew: true,
    // The cut: the client waits 2 s before it tries again, as after a network drop.
    reconnectionDelay: 2000,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0,
    auth: { rooms: ['ticker'] },
  });
  sockets.push(client);
  const seen: number[] = [];
  client.on('tick', (n: number) => seen.push(n));
  await connected(client);
  const firstId = client.id as string;
  const whoami = () => waitFor<string>('whoami', (done) => client.emit('whoami', (nodeId: string) => done(nodeId)));
  const firstNode = await whoami();
  let ticks = 0;
  let ticking = true;
  // Broadcasts go on from both nodes, one every 50 ms, through the cut.
  const ticker = (async () => {
    while (ticking) {
      await nodes[ticks % 2].call('emit', { room: 'ticker', event: 'tick', args: [ticks] });
      ticks++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await eventually('some ticks before the cut', async () => seen.length >= 5);
  const back = waitFor('the reconnection', (done) => client.once('connect', () => done(undefined)), 10000);
  client.io.engine.close();
  await back;
  await new Promise((resolve) => setTimeout(resolve, 300));
  ticking = false;
  await ticker;
  await eventually('every tick', async () => seen.length === ticks, 10000);
  expect(client.recovered).toBe(true);
  expect(client.id).toBe(firstId);
  expect(seen).toEqual(Array.from({ length: ticks }, (_, n) => n));
  // nginx takes turns: the reconnection landed on the other node.
  expect(await whoami()).not.toBe(firstNode);
  client.close();
});
