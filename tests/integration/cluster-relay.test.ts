import net from 'node:net';
import type { ClusterHealth } from '../../src';
import { eventually, packets09 } from '../helpers/cluster-clients';
import { ClusterNode, withTimeout } from '../helpers/cluster-node';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { httpRequest } from '../helpers/test-client';
import { ioV2 } from '../helpers/v2-client';

// The relay between nodes (src/cluster/relay.ts): polls and posts that land
// on a node not owning their session travel to the owner over one persistent
// link, without HTTP. These tests drive it directly: two nodes, requests sent
// to the one that does not own the session, and a raw socket that speaks the
// relay's wire as a hostile peer would.
jest.setTimeout(30000);

let redis: TestRedis;
let a: ClusterNode;
let b: ClusterNode;
// Pings every 300 ms: a held poll is answered soon, so a test sees at once whether the owner still holds an old one.
const settings = { pingInterval: 0.3, pingTimeout: 2 };

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all(['a', 'b'].map((nodeId) => ClusterNode.start({ redis: redis.url, nodeId, cluster: { requestTimeout: 1, heartbeatInterval: 0.2 }, settings })));
  for (const node of [a, b]) await eventually(`${node.nodeId} to see both nodes`, async () => (await node.call<ClusterHealth>('health')).nodes.length === 2);
});

afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map((node) => node.close()));
  await redis?.destroy();
});

const poll = (sid: string) => `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
const textBody = { 'Content-Type': 'text/plain;charset=UTF-8' };

/** A v4 session on `owner`, joined to `/` by a CONNECT posted through `via`. */
async function sessionOn(owner: ClusterNode, via: ClusterNode): Promise<string> {
  const handshake = await httpRequest(owner.port, 'GET', '/socket.io/?EIO=4&transport=polling');
  expect(handshake.status).toBe(200);
  const { sid } = JSON.parse(handshake.body.substring(1)) as { sid: string };
  expect((await httpRequest(via.port, 'POST', poll(sid), '40', textBody)).status).toBe(200);
  const connected = await httpRequest(via.port, 'GET', poll(sid));
  expect(connected.body).toMatch(/^40\{"sid":/);
  return sid;
}

const relayed = async (node: ClusterNode): Promise<number> => (await node.call<ClusterHealth>('health')).forwarded.relayed;

test('polls and posts through the node that does not own the session go over the relay, in order', async () => {
  const before = await relayed(a);
  const sid = await sessionOn(b, a);
  const received: string[] = [];
  for (let i = 0; i < 20; i++) {
    expect((await httpRequest(a.port, 'POST', poll(sid), `42["echo",${i}]`, textBody)).status).toBe(200);
    const answer = await httpRequest(a.port, 'GET', poll(sid));
    expect(answer.status).toBe(200);
    for (const packet of answer.body.split('\x1e')) if (packet.startsWith('42')) received.push(packet);
  }
  expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `42["echo",${i}]`));
  // A handshake, then a POST and a GET per message, all but the handshake relayed.
  expect((await relayed(a)) - before).toBe(2 + 2 * 20);
  expect((await a.call<ClusterHealth>('health')).forwarded.failures).toBe(0);
});

test('a Socket.IO 0.9 client polling through the node that does not own its session goes over the relay, xhr and jsonp', async () => {
  const handshake = await httpRequest(b.port, 'GET', `/socket.io/1/?t=${Date.now()}`);
  expect(handshake.status).toBe(200);
  const sid = handshake.body.split(':')[0];
  const xhr = `/socket.io/1/xhr-polling/${sid}`;
  const before = await relayed(a);
  // The first poll carries the connect packet.
  expect(packets09((await httpRequest(a.port, 'GET', `${xhr}?t=${Date.now()}`)).body)).toContain('1::');
  const received: string[] = [];
  for (let i = 0; i < 10; i++) {
    const sent = await httpRequest(a.port, 'POST', `${xhr}?t=${Date.now()}`, `3:::n${i}`, textBody);
    expect({ status: sent.status, body: sent.body }).toEqual({ status: 200, body: '1' });
    for (const packet of packets09((await httpRequest(a.port, 'GET', `${xhr}?t=${Date.now()}`)).body)) if (packet.startsWith('3:::')) received.push(packet.substring(4));
  }
  expect(received).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  expect((await relayed(a)) - before).toBe(1 + 2 * 10);
  // jsonp-polling on the same session: a form post, and the poll answered as a script.
  const jsonp = `/socket.io/1/jsonp-polling/${sid}`;
  const posted = await httpRequest(a.port, 'POST', `${jsonp}?t=${Date.now()}&i=0`, `d=${encodeURIComponent(JSON.stringify('3:::via jsonp'))}`, { 'Content-Type': 'application/x-www-form-urlencoded' });
  expect(posted.status).toBe(200);
  const script = await httpRequest(a.port, 'GET', `${jsonp}?t=${Date.now()}&i=0`);
  expect(script.headers['content-type']).toMatch(/javascript/);
  expect(script.body).toBe(`io.j[0](${JSON.stringify('3:::via jsonp')});`);
  // An oversized post is refused by the owner, its connection closed.
  const tooBig = await httpRequest(a.port, 'POST', `${xhr}?t=${Date.now()}`, `3:::${'x'.repeat(1_000_001)}`, textBody);
  expect(tooBig.status).toBe(413);
  expect(tooBig.headers.connection).toBe('close');
});

test('a relayed poll whose client leaves is let go on the owner: the next poll is served, not refused as a second GET', async () => {
  const sid = await sessionOn(b, a);
  // Take the first ping and answer it, so that the next poll is held until the next ping.
  expect((await httpRequest(a.port, 'GET', poll(sid))).body).toBe('2');
  expect((await httpRequest(a.port, 'POST', poll(sid), '3', textBody)).status).toBe(200);
  const abandoned = new AbortController();
  const held = httpRequest(a.port, 'GET', poll(sid), undefined, {}, 10000, abandoned.signal).catch((error: Error) => error);
  await new Promise((resolve) => setTimeout(resolve, 50));
  abandoned.abort();
  expect(await held).toHaveProperty('name', 'AbortError');
  // The owner dropped the abandoned GET: this one is held, then answered with the next ping.
  const next = await httpRequest(a.port, 'GET', poll(sid));
  expect(next.status).toBe(200);
  expect(next.body).toBe('2');
  // The session lives on.
  expect((await httpRequest(a.port, 'POST', poll(sid), '3', textBody)).status).toBe(200);
});

test('an oversized POST over the relay is refused 413 by the owner and the session closed, as if it had landed there', async () => {
  const sid = await sessionOn(b, a);
  const tooBig = `4${'x'.repeat(1_000_001)}`;
  const answer = await httpRequest(a.port, 'POST', poll(sid), tooBig, textBody);
  expect(answer.status).toBe(413);
  expect(answer.headers.connection).toBe('close');
  const after = await httpRequest(a.port, 'GET', poll(sid));
  expect(after.status).toBe(400);
  expect(JSON.parse(after.body)).toEqual({ code: 1, message: 'Session ID unknown' });
});

test('a socket.io-client 2.x polling client gets binary attachments through the relay byte for byte', async () => {
  // Round robin by hand: the client's requests alternate between the nodes through a tiny TCP balancer.
  let turn = 0;
  const balancer = net.createServer((client) => {
    const upstream = net.connect((turn++ % 2 === 0 ? a : b).port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  const port = (balancer.address() as net.AddressInfo).port;
  // No agent: a new connection per request (Connection: close), so consecutive requests land on different nodes.
  const socket = ioV2(`http://127.0.0.1:${port}`, { transports: ['polling'], forceNew: true, reconnection: false, agent: false });
  try {
    await withTimeout(new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error: Error) => reject(error));
    }), 10000, 'the 2.x client to connect');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const echoed = await withTimeout(new Promise<unknown[]>((resolve) => {
      socket.once('echo', (...args: unknown[]) => resolve(args));
      socket.emit('echo', { label: 'bytes', data: bytes }, bytes);
    }), 10000, 'the binary echo');
    const [first, second] = echoed as [{ label: string; data: Buffer }, Buffer];
    expect(first.label).toBe('bytes');
    expect(Buffer.from(first.data).equals(bytes)).toBe(true);
    expect(Buffer.from(second).equals(bytes)).toBe(true);
  } finally {
    socket.close();
    await new Promise((resolve) => balancer.close(resolve));
  }
});

/** One relay frame, as a relaying node writes it (see the layout in src/cluster/relay.ts). */
function relayFrame(type: number, id: number, meta: string, body = Buffer.alloc(0)): Buffer {
  const metaBytes = Buffer.from(meta);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(9 + metaBytes.length + body.length, 0);
  header[4] = type;
  header.writeUInt32BE(id, 5);
  header.writeUInt32BE(metaBytes.length, 9);
  return Buffer.concat([header, metaBytes, body]);
}

/** A raw relay link to `node`: the upgrade, then whatever the test writes; resolves with what came back when the node closes it. */
function rawRelayLink(node: ClusterNode, write: (socket: net.Socket) => void): Promise<Buffer> {
  return withTimeout(
    new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(node.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let upgraded = false;
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!upgraded && Buffer.concat(chunks).includes('\r\n\r\n')) {
          upgraded = true;
          write(socket);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.write('GET /socket.io/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tornadio-relay\r\n\r\n');
    }),
    10000,
    'the node to close the relay link',
  );
}

test('a relay link that sends garbage is closed with a logged reason, and the node serves on', async () => {
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(0xfffffff0, 0);
  const answers = await Promise.all([
    rawRelayLink(a, (socket) => socket.write(huge)),
    rawRelayLink(a, (socket) => socket.write(relayFrame(1, 1, '{not json'))),
    rawRelayLink(a, (socket) => socket.write(relayFrame(9, 1, ''))),
    rawRelayLink(a, (socket) => socket.write(relayFrame(1, 1, '["eio4","GET"]'))),
  ]);
  for (const answer of answers) expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  await eventually('the reasons in the log', async () => (await a.call<string[]>('logs')).filter((line) => line.includes('relay link closed')).length >= 4);
  const handshake = await httpRequest(a.port, 'GET', '/socket.io/?EIO=4&transport=polling');
  expect(handshake.status).toBe(200);
  await sessionOn(b, a);
});

/** The ANSWER frames a relay link sent (after its 101, when `received` has it): [id, meta, body] each. */
function answerFrames(received: Buffer): Array<[number, unknown, string]> {
  let rest = received.toString('latin1', 0, 5) === 'HTTP/' ? received.subarray(received.indexOf('\r\n\r\n') + 4) : received;
  const frames: Array<[number, unknown, string]> = [];
  while (rest.length >= 4 && rest.length >= 4 + rest.readUInt32BE(0)) {
    const length = rest.readUInt32BE(0);
    expect(rest[4]).toBe(3);
    const metaEnd = 13 + rest.readUInt32BE(9);
    frames.push([rest.readUInt32BE(5), JSON.parse(rest.toString('utf8', 13, metaEnd)), rest.toString('utf8', metaEnd, 4 + length)]);
    rest = rest.subarray(4 + length);
  }
  return frames;
}

test('a relayed request naming a protocol without a relay, or no session, is answered with a refusal over the link', async () => {
  const received = await rawRelayLink(a, (socket) => {
    let seen = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      if (answerFrames(seen).length === 2) socket.end();
    });
    socket.write(relayFrame(1, 7, JSON.stringify(['0.6', 'GET', '/socket.io/xhr-polling/abc', null, null, 0])));
    socket.write(relayFrame(1, 8, JSON.stringify(['eio4', 'GET', '/socket.io/?EIO=4&transport=polling', null, null, 0])));
  });
  const frames = answerFrames(received);
  expect(frames.map(([id, meta]) => [id, (meta as unknown[])[0]])).toEqual([
    [7, 400],
    [8, 400],
  ]);
  expect(frames[0][2]).toContain('takes no relayed requests');
  expect(JSON.parse(frames[1][2])).toEqual({ code: 3, message: 'Bad request' });
});

test('an owner killed while a relayed poll is held: the client gets NODE_UNREACHABLE at once, and the relaying node serves on', async () => {
  // Pings far apart on c: nothing answers the held poll before c dies.
  const c = await ClusterNode.start({ redis: redis.url, nodeId: 'c', cluster: { requestTimeout: 1, heartbeatInterval: 0.2 }, settings: { pingInterval: 20, pingTimeout: 5 } });
  try {
    await eventually('a to see c', async () => (await a.call<ClusterHealth>('health')).nodes.includes('c'));
    const sid = await sessionOn(c, a);
    const held = httpRequest(a.port, 'GET', poll(sid));
    await c.kill();
    const answer = await held;
    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/^NODE_UNREACHABLE/);
    // b's sessions are still served through a.
    await sessionOn(b, a);
  } finally {
    await c.kill();
  }
});
