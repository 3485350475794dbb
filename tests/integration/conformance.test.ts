/**
 * One conformance suite, run against every transport: what a client sees
 * must not depend on how it is connected.
 */
import { TRANSPORT_NAMES, type TransportName } from '../../src/protocols/v06/transport-names';
import { connect, waitFor, type TestClient } from '../helpers/test-client';
import { expireProbeSession, startEchoServer, type TestServer } from '../helpers/server';

const STREAMING_OR_SOCKET: TransportName[] = ['websocket', 'flashsocket', 'xhr-multipart', 'htmlfile'];

describe.each(TRANSPORT_NAMES)('%s', (transport) => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const open = async (options = {}) => {
    const client = await connect(transport, server.port, options);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startEchoServer({ sessionExpiry: 0.4, sessionCheckInterval: 0.1, xhrPollingTimeout: 0.5, heartbeatInterval: 0.25 });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('hands out an unguessable session id first and calls onOpen with the request', async () => {
    const client = await open();
    expect(client.sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(server.log.opened).toHaveLength(1);
    const info = server.log.opened[0];
    expect(info.sessionId).toBe(client.sessionId);
    expect(info.transport).toBe(transport);
    expect(info.request.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(info.extra).toBeNull();
    expect(server.router.connections.get(client.sessionId)).toBeDefined();
  });

  it('echoes strings, JSON and unicode exactly', async () => {
    const client = await open();
    const texts = ['hello', '~j~{"a":[1,2],"b":"é"}', '😀 中文 e\u0301 \u2028', '</script><script>alert(1)</script>', ''];
    await client.send(...texts);
    expect(await client.waitForMessages(texts.length)).toEqual(texts);
    expect(server.log.messages.map((entry) => entry.message)).toEqual(['hello', { a: [1, 2], b: 'é' }, '😀 中文 e\u0301 \u2028', texts[3], '']);
  });

  it('sends an array as one message per element', async () => {
    const client = await open();
    await client.send('burst:3');
    expect(await client.waitForMessages(3)).toEqual(['m0', 'm1', 'm2']);
  });

  it('delivers 500-message bursts both ways, complete and in order', async () => {
    const client = await open();
    const outbound = Array.from({ length: 500 }, (_, i) => `c${i}`);
    await client.send(...outbound);
    await client.send('burst:500');
    const received = await client.waitForMessages(1000, 10000);
    expect(received.slice(0, 500)).toEqual(outbound);
    expect(received.slice(500)).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
    expect(server.log.messages.slice(0, 500).map((entry) => entry.message)).toEqual(outbound);
  });

  it('keeps serving a session after a malformed payload', async () => {
    const client = await open();
    await client.sendRaw('~m~99~m~short');
    await client.sendRaw('~m~3~m~~j~{');
    await client.send('still here');
    expect(await client.waitForMessages(1)).toEqual(['still here']);
  });

  it('closes a session whose onMessage throws, and only that one', async () => {
    const doomed = await open();
    const bystander = await open();
    await doomed.send('throw');
    await doomed.closed;
    await waitFor(() => server.log.closed.includes(doomed.sessionId), 5000, 'onClose');
    await bystander.send('fine');
    expect(await bystander.waitForMessages(1)).toEqual(['fine']);
  });

  it('server close() ends the connection, calls onClose once, and delivers what was sent before', async () => {
    const client = await open();
    await client.send('bye-then-close');
    await client.closed;
    expect(client.messages).toEqual(['bye']);
    expect(server.log.closed.filter((id) => id === client.sessionId)).toHaveLength(1);
    expect(server.router.connections.has(client.sessionId)).toBe(false);
  });

  it('a client that goes away is closed once (socket close or session expiry)', async () => {
    const client = await open();
    client.close();
    await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'onClose');
    // "Once": a second close could come from the other path (socket close vs. a later sweep), so
    // wait until the sweep has expired a probe session too, which takes several more sweeps.
    const probe = await expireProbeSession(server);
    expect(server.log.closed.filter((id) => id === client.sessionId)).toHaveLength(1);
    expect(server.log.closed).toEqual([client.sessionId, probe]);
    expect(server.router.connections.size).toBe(0);
  });

  it('refuses the connection when onOpen returns false', async () => {
    await server.close();
    server = await startEchoServer({}, { onOpen: () => false });
    await expect(connect(transport, server.port)).rejects.toThrow(/closed before it had a session id/);
    expect(server.log.closed).toEqual([]);
    expect(server.router.connections.size).toBe(0);
  });

  it('accepts an onOpen that resolves asynchronously', async () => {
    await server.close();
    server = await startEchoServer({}, { onOpen: () => new Promise((resolve) => setTimeout(() => resolve(true), 50)) });
    const client = await open();
    await client.send('late');
    expect(await client.waitForMessages(1)).toEqual(['late']);
  });

  it('shuts down cleanly with connections open: every onClose runs once', async () => {
    const a = await open();
    const b = await open();
    await server.close();
    expect(server.log.closed.sort()).toEqual([a.sessionId, b.sessionId].sort());
    await Promise.all([a.closed, b.closed]);
  });

  if (STREAMING_OR_SOCKET.includes(transport)) {
    it('sends heartbeats that keep an answering client alive', async () => {
      const client = await open();
      await waitFor(() => client.heartbeats.length >= 3, 5000, 'three heartbeats');
      expect(client.heartbeats.slice(0, 3)).toEqual(['~h~1', '~h~2', '~h~3']);
      expect(server.log.closed).toEqual([]);
    });

    it('closes a client that stops answering heartbeats, once', async () => {
      const client = await open({ answerHeartbeats: false });
      await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'heartbeat timeout');
      expect(server.log.closed).toEqual([client.sessionId]);
    });
  }
});
