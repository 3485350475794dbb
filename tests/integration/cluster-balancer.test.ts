import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { ClusterHealth } from '../../src';
import { nodeTagOf } from '../../src/hub/session-id';
import { connectV4, eventArgs06, eventually, packets09, type V4Client } from '../helpers/cluster-clients';
import { ClusterNode, withTimeout } from '../helpers/cluster-node';
import { startNginx, type TestNginx } from '../helpers/nginx';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { connect as connect06, httpRequest } from '../helpers/test-client';
import { ioV2 } from '../helpers/v2-client';

// Three nodes behind a real nginx doing plain round-robin (no ip_hash):
// consecutive requests of one session land on different nodes, and the node
// that does not own the session forwards them to the one that does.
jest.setTimeout(30000);

let redis: TestRedis;
let nodes: ClusterNode[];
let nginx: TestNginx;
const clients: Array<{ close(): void }> = [];
const APP_ORIGIN = 'http://app.example';

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => ClusterNode.start({ redis: redis.url, nodeId, cluster: { requestTimeout: 1, heartbeatInterval: 0.2 }, settings: { cors: [APP_ORIGIN] } })));
  for (const node of nodes) {
    await eventually(`${node.nodeId} to see every node`, async () => (await node.call<ClusterHealth>('health')).nodes.length === nodes.length);
  }
  nginx = await startNginx(nodes.map((node) => node.port));
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await nginx?.stop();
  await Promise.all((nodes ?? []).map((node) => node.close()));
  await redis?.destroy();
});

const balancer = () => `http://127.0.0.1:${nginx.port}`;

/** Requests that reached their owner from another node: forwarded over HTTP or sent over the relay. */
const handedOn = (health: ClusterHealth): number => health.forwarded.requests + health.forwarded.relayed;

async function forwardedRequests(): Promise<number> {
  const healths = await Promise.all(nodes.map((node) => node.call<ClusterHealth>('health')));
  return healths.reduce((sum, health) => sum + handedOn(health), 0);
}

async function forwardFailures(): Promise<number> {
  const healths = await Promise.all(nodes.map((node) => node.call<ClusterHealth>('health')));
  return healths.reduce((sum, health) => sum + health.forwarded.failures, 0);
}

/** Collects every error a v4 client reports, to assert there were none. */
function errorsOf(client: V4Client): string[] {
  const errors: string[] = [];
  client.socket.on('connect_error', (error) => errors.push(`connect_error ${error.message}`));
  client.socket.on('disconnect', (reason) => errors.push(`disconnect ${reason}`));
  client.socket.io.on('error', (error) => errors.push(`manager error ${error.message}`));
  return errors;
}

describe('sticky-free polling behind round-robin nginx', () => {
  test('socket.io-client 4.x polling-only exchanges ordered messages with zero errors', async () => {
    const forwardedBefore = await forwardedRequests();
    const failuresBefore = await forwardFailures();
    const client = await connectV4(balancer(), { transports: ['polling'] });
    clients.push(client);
    const errors = errorsOf(client);
    const count = 40;
    for (let i = 0; i < count; i++) client.socket.emit('echo', i);
    const echoes = await client.waitForEvents('echo', count, 20000);
    expect(echoes.map((event) => event[1])).toEqual(Array.from({ length: count }, (_, i) => i));
    // Acks ride the same forwarded requests.
    const served = new Set<string>();
    for (let i = 0; i < 3; i++) served.add(await client.whoami());
    expect(served.size).toBe(1);
    expect(errors).toEqual([]);
    expect(client.socket.connected).toBe(true);
    expect(client.socket.io.engine.transport.name).toBe('polling');
    // Round-robin over three nodes: most of its requests were another node's to forward.
    expect((await forwardedRequests()) - forwardedBefore).toBeGreaterThan(count / 10);
    expect((await forwardFailures()) - failuresBefore).toBe(0);
  });

  test('a 0.6 xhr-polling client exchanges ordered messages with zero errors', async () => {
    const client = await connect06('xhr-polling', nginx.port, {}, 10000);
    clients.push(client);
    const count = 30;
    for (let i = 0; i < count; i++) await client.send(`m${i}`);
    const received = await client.waitForMessages(count, 20000);
    expect(received).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
    expect(client.sessionId.substring(0, 4)).toMatch(new RegExp(`^(${nodes.map((node) => nodeTagOf(node.nodeId)).join('|')})$`));
  });

  test('a socket.io-client 2.x (EIO3) polling client exchanges ordered messages', async () => {
    const socket = ioV2(balancer(), { transports: ['polling'], forceNew: true, reconnection: false });
    clients.push({ close: () => void socket.close() });
    const received: unknown[] = [];
    socket.on('echo', (value: never) => received.push(value));
    await withTimeout(new Promise<void>((resolve) => socket.once('connect', () => resolve())), 10000, 'the 2.x client to connect');
    const count = 20;
    for (let i = 0; i < count; i++) socket.emit('echo', i);
    await eventually('2.x echoes', async () => received.length >= count, 20000, 20);
    expect(received).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  test('polling upgrades to websocket through the balancer, then keeps exchanging', async () => {
    const client = await connectV4(balancer(), { transports: ['polling', 'websocket'] });
    clients.push(client);
    const errors = errorsOf(client);
    const engine = client.socket.io.engine;
    if (engine.transport.name !== 'websocket') {
      await withTimeout(new Promise<void>((resolve) => engine.once('upgrade', () => resolve())), 10000, 'the websocket upgrade');
    }
    expect(engine.transport.name).toBe('websocket');
    for (let i = 0; i < 10; i++) client.socket.emit('echo', i);
    const echoes = await client.waitForEvents('echo', 10);
    expect(echoes.map((event) => event[1])).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(errors).toEqual([]);
  });

  test('broadcasts reach polling clients on every owner node exactly once, in order', async () => {
    const v4s: V4Client[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectV4(balancer(), { transports: ['polling'], rooms: ['news'] });
      clients.push(client);
      v4s.push(client);
    }
    const owners = new Set(await Promise.all(v4s.map((client) => client.whoami())));
    // nginx round-robin hands consecutive handshakes to different nodes.
    expect(owners.size).toBeGreaterThan(1);
    const old = await connect06('xhr-polling', nginx.port, { headers: { 'x-join': 'news' } }, 10000);
    clients.push(old);
    const count = 15;
    for (let i = 0; i < count; i++) await nodes[i % 3].call('emit', { room: 'news', event: 'n', args: [i % 3, i] });
    const expected = (from: number) => Array.from({ length: count }, (_, i) => i).filter((i) => i % 3 === from);
    for (const client of v4s) {
      await client.waitForEvents('n', count, 20000);
      // Each node's broadcasts stay in order; different nodes' interleave freely.
      for (let from = 0; from < 3; from++) {
        expect(client.events.filter(([name, origin]) => name === 'n' && origin === from).map((event) => event[2])).toEqual(expected(from));
      }
    }
    await old.waitForMessages(count, 20000);
    const got = eventArgs06(old, 'n');
    expect(got).toHaveLength(count);
    for (let from = 0; from < 3; from++) expect(got.filter((args) => args[0] === from).map((args) => args[1])).toEqual(expected(from));
  });
});

describe('forged and stale session ids', () => {
  function idWithTag(tag: string): string {
    return tag + randomBytes(15).toString('base64url');
  }

  test('an Engine.IO sid naming a live node but no session is refused like an unknown one, on every node', async () => {
    const [a, b] = nodes;
    const unknownHere = await httpRequest(b.port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${idWithTag(nodeTagOf('b'))}`);
    expect(unknownHere.status).toBe(400);
    // Landing on a: forwarded to b (the tag says b), refused there the same way.
    // A poll: it goes over the relay.
    const relayedBefore = (await a.call<ClusterHealth>('health')).forwarded.relayed;
    const forged = await httpRequest(a.port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${idWithTag(nodeTagOf('b'))}`);
    expect((await a.call<ClusterHealth>('health')).forwarded.relayed).toBeGreaterThan(relayedBefore);
    expect({ status: forged.status, body: forged.body }).toEqual({ status: unknownHere.status, body: unknownHere.body });
    // A tag no live node has (a node gone, or made up): refused where it lands.
    const stale = await httpRequest(nginx.port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${idWithTag(nodeTagOf('gone'))}`);
    expect({ status: stale.status, body: stale.body }).toEqual({ status: unknownHere.status, body: unknownHere.body });
    const malformed = await httpRequest(nginx.port, 'GET', '/socket.io/?EIO=4&transport=polling&sid=..%2F..%2Fetc');
    expect(malformed.status).toBe(400);
  });

  test('a 0.6 session id naming a live node but no session is refused like an unknown one', async () => {
    const [a, , c] = nodes;
    const path = (id: string) => `/socket.io/xhr-polling/${id}/${Date.now()}`;
    const forgedId = idWithTag(nodeTagOf('c'));
    const unknownHere = await httpRequest(c.port, 'GET', path(forgedId));
    expect(unknownHere.status).toBe(404);
    const forwardedBefore = (await a.call<ClusterHealth>('health')).forwarded.requests;
    const forged = await httpRequest(a.port, 'GET', path(forgedId));
    // a handed it to c, whose refusal came back as it was.
    expect((await a.call<ClusterHealth>('health')).forwarded.requests).toBeGreaterThan(forwardedBefore);
    expect({ status: forged.status, body: forged.body }).toEqual({ status: unknownHere.status, body: unknownHere.body });
    const stale = await httpRequest(nginx.port, 'POST', `/socket.io/xhr-polling/${idWithTag(nodeTagOf('gone'))}/send`, 'data=x', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(stale.status).toBe(404);
  });

  test('a websocket upgrade naming a forged sid is refused like an unknown one', async () => {
    const [a, b] = nodes;
    const status = (port: number, sid: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          path: `/socket.io/?EIO=4&transport=websocket&sid=${sid}`,
          headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
          timeout: 10000,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', (_res, socket) => {
          socket.destroy();
          resolve(101);
        });
        req.on('timeout', () => req.destroy(new Error('upgrade timed out')));
        req.on('error', reject);
        req.end();
      });
    const direct = await status(b.port, idWithTag(nodeTagOf('b')));
    expect(direct).toBe(400);
    expect(await status(a.port, idWithTag(nodeTagOf('b')))).toBe(direct);
    expect(await status(nginx.port, idWithTag(nodeTagOf('b')))).toBe(direct);
  });
});


describe('forwarding keeps limits, CORS and every client generation', () => {
  async function engineSessionOn(node: ClusterNode): Promise<string> {
    const handshake = await httpRequest(node.port, 'GET', '/socket.io/?EIO=4&transport=polling');
    expect(handshake.status).toBe(200);
    return (JSON.parse(handshake.body.substring(1)) as { sid: string }).sid;
  }

  test("a forwarded POST over the owner's limit is answered 413 by the owner, and the connection closed", async () => {
    const [a, b] = nodes;
    const sid = await engineSessionOn(b);
    const tooBig = `4${'x'.repeat(1_000_001)}`;
    const answer = await httpRequest(a.port, 'POST', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, tooBig, { 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
  });

  test('CORS headers of a forwarded poll are the owner\'s, as if it had landed there', async () => {
    const [a, b] = nodes;
    const sid = await engineSessionOn(b);
    const headers = { Origin: APP_ORIGIN };
    // The first poll gets the namespace-less session's noop-free answer at once once a packet is queued: send a ping-free CONNECT first.
    await httpRequest(a.port, 'POST', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, '40', { ...headers, 'Content-Type': 'text/plain;charset=UTF-8' });
    const forwarded = await httpRequest(a.port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, undefined, headers);
    expect(forwarded.status).toBe(200);
    expect(forwarded.body).toMatch(/^40\{"sid":/);
    expect(forwarded.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    // A preflight from an origin the owner does not allow gets, forwarded, exactly the owner's answer.
    const preflight = { Origin: 'http://elsewhere.example', 'Access-Control-Request-Method': 'POST' };
    const forwardedPreflight = await httpRequest(a.port, 'OPTIONS', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, undefined, preflight);
    const directPreflight = await httpRequest(b.port, 'OPTIONS', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, undefined, preflight);
    expect(forwardedPreflight.status).toBe(directPreflight.status);
    expect(forwardedPreflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(directPreflight.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await httpRequest(a.port, 'OPTIONS', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, undefined, { ...preflight, Origin: APP_ORIGIN });
    expect(allowed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(allowed.headers['access-control-allow-methods']).toMatch(/POST/);
  });

  test('a Socket.IO 0.9 xhr-polling client exchanges ordered messages through the balancer', async () => {
    const handshake = await httpRequest(nginx.port, 'GET', `/socket.io/1/?t=${Date.now()}`);
    expect(handshake.status).toBe(200);
    const sid = handshake.body.split(':')[0];
    const received: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const answer = await httpRequest(nginx.port, 'GET', `/socket.io/1/xhr-polling/${sid}?t=${Date.now()}`, undefined, {}, 30000);
        if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${answer.body}`);
        for (const packet of packets09(answer.body)) if (packet.startsWith('3:::')) received.push(packet.substring(4));
      }
    })();
    const count = 15;
    for (let i = 0; i < count; i++) {
      const sent = await httpRequest(nginx.port, 'POST', `/socket.io/1/xhr-polling/${sid}?t=${Date.now()}`, `3:::n${i}`, { 'Content-Type': 'text/plain;charset=UTF-8' });
      expect(sent.status).toBe(200);
    }
    await eventually('0.9 echoes', async () => received.length >= count, 20000, 20);
    polling = false;
    // Ends the poll in flight: the server closes the session.
    await httpRequest(nginx.port, 'POST', `/socket.io/1/xhr-polling/${sid}?t=${Date.now()}`, '0::', { 'Content-Type': 'text/plain;charset=UTF-8' });
    await withTimeout(poll.catch(() => undefined), 20000, 'the last 0.9 poll');
    expect(received).toEqual(Array.from({ length: count }, (_, i) => `n${i}`));
  });
});
