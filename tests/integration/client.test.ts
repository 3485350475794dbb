/**
 * The public Node client (`tornadio/client`) against a real tornadio server,
 * over both of its transports, and against small fake servers for what a
 * real server never does (malformed payloads, silence, held POSTs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage as HttpRequest, type Server as HttpServer, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket as ServerWebSocket } from 'ws';
import { Application, getRouter, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage } from '../../src';
import { ClientError, SocketIoClient, type ClientTransportName, type DisconnectReason, type ServerMessage, type SocketIoClientOptions } from '../../src/client';
import { silentLogger } from '../../src/logger';
import { expireProbeSession, startEchoServer, type TestServer } from '../helpers/server';
import { waitFor } from '../helpers/test-client';

const TRANSPORTS: readonly ClientTransportName[] = ['websocket', 'xhr-polling'];
const SID = 'abcdefghijklmnopqrstuvwx';

/** What one client emitted, in order. */
interface Recorded {
  client: SocketIoClient;
  messages: ServerMessage[];
  disconnects: DisconnectReason[];
  errors: ClientError[];
  connects: number;
}

const clients: SocketIoClient[] = [];

/** A client with every event recorded; listeners go on before connect(), as the docs say. */
function record(url: string, options: SocketIoClientOptions): Recorded {
  const client = new SocketIoClient(url, options);
  clients.push(client);
  const recorded: Recorded = { client, messages: [], disconnects: [], errors: [], connects: 0 };
  client.on('message', (message) => recorded.messages.push(message));
  client.on('disconnect', (reason) => recorded.disconnects.push(reason));
  client.on('error', (error) => recorded.errors.push(error));
  client.on('connect', () => recorded.connects++);
  return recorded;
}

async function open(port: number, transport: ClientTransportName, options: SocketIoClientOptions = {}): Promise<Recorded> {
  const recorded = record(`http://127.0.0.1:${port}`, { transport, connectTimeout: 5000, ...options });
  await recorded.client.connect();
  return recorded;
}

async function messages(recorded: Recorded, count: number, timeoutMs = 5000): Promise<ServerMessage[]> {
  await waitFor(() => recorded.messages.length >= count || recorded.disconnects.length > 0, timeoutMs, `${count} messages`);
  if (recorded.messages.length < count) throw new Error(`disconnected (${recorded.disconnects[0]}) after ${recorded.messages.length} of ${count} messages`);
  return recorded.messages.slice(0, count);
}

/** The rejection of a promise that must reject within `timeoutMs`. */
async function rejection(promise: Promise<unknown>, timeoutMs: number): Promise<ClientError> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise.then(() => {
        throw new Error('expected a rejection, got a session');
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no rejection within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('unreachable');
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe.each(TRANSPORTS)('SocketIoClient over %s', (transport) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startEchoServer({ heartbeatInterval: 0.2, xhrPollingTimeout: 0.3, sessionExpiry: 0.6, sessionCheckInterval: 0.1 });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('connects with the 24-character session id the server gave', async () => {
    const recorded = record(`http://127.0.0.1:${server.port}`, { transport });
    expect(recorded.client.sessionId).toBeNull();
    const sid = await recorded.client.connect();
    expect(sid).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(recorded.client.sessionId).toBe(sid);
    expect(recorded.client.connected).toBe(true);
    expect(recorded.connects).toBe(1);
    expect(await recorded.client.connect()).toBe(sid);
    await waitFor(() => server.log.opened.length === 1, 5000, 'onOpen');
    expect(server.log.opened[0].sessionId).toBe(sid);
    expect(server.log.opened[0].transport).toBe(transport);
  });

  it('echoes strings, JSON, arrays (one message per element) and unicode', async () => {
    const recorded = await open(server.port, transport);
    const { client } = recorded;
    client.send('hello');
    client.send({ a: 1, nested: { list: [1, 'two', null], text: 'x~m~y' } });
    client.send(['first', { second: 2 }, 'third']);
    client.send('😀 héllo 日本語 ~m~3~m~ \u2028');
    client.send(42);
    expect(await messages(recorded, 7)).toEqual([
      'hello',
      { a: 1, nested: { list: [1, 'two', null], text: 'x~m~y' } },
      'first',
      { second: 2 },
      'third',
      '😀 héllo 日本語 ~m~3~m~ \u2028',
      '42',
    ]);
    const received = server.log.messages.map((entry) => entry.message);
    expect(received[1]).toEqual({ a: 1, nested: { list: [1, 'two', null], text: 'x~m~y' } });
    expect(received[5]).toBe('😀 héllo 日本語 ~m~3~m~ \u2028');
    expect(recorded.errors).toEqual([]);
  });

  it('sends a lone surrogate as U+FFFD instead of failing', async () => {
    const recorded = await open(server.port, transport);
    recorded.client.send('a\ud800b');
    recorded.client.send('after');
    expect(await messages(recorded, 2)).toEqual(['a\ufffdb', 'after']);
  });

  it('sends what was queued before the session id once it arrives', async () => {
    const recorded = record(`http://127.0.0.1:${server.port}`, { transport });
    recorded.client.send('early');
    await recorded.client.connect();
    expect(await messages(recorded, 1)).toEqual(['early']);
  });

  it('carries 500 messages each way, in order', async () => {
    const recorded = await open(server.port, transport);
    const { client } = recorded;
    const sent = Array.from({ length: 500 }, (_, i) => (i % 2 ? `c${i}` : { i }));
    // Half in one tick, half spread over ticks (POSTs in flight meanwhile).
    for (let i = 0; i < 250; i++) client.send(sent[i]);
    for (let i = 250; i < 500; i++) {
      client.send(sent[i]);
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await messages(recorded, 500, 10000)).toEqual(sent);
    expect(server.log.messages.map((entry) => entry.message)).toEqual(sent);

    recorded.messages.length = 0;
    client.send('burst:500');
    expect(await messages(recorded, 500, 10000)).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
    expect(recorded.disconnects).toEqual([]);
  });

  it('stays connected past several heartbeat intervals (heartbeats answered, never emitted)', async () => {
    const recorded = await open(server.port, transport);
    // Liveness, tied to events: two probe sessions opened one after the other are expired by the
    // sweep, so twice the session expiry (six heartbeat intervals, four poll timeouts) has gone by
    // with the sweep and heartbeats running, and the client's session was not expired meanwhile.
    const probes = [await expireProbeSession(server)];
    probes.push(await expireProbeSession(server));
    expect(recorded.client.connected).toBe(true);
    expect(recorded.disconnects).toEqual([]);
    expect(server.log.closed).toEqual(probes);
    expect(recorded.messages).toEqual([]);
    recorded.client.send('still here');
    expect(await messages(recorded, 1)).toEqual(['still here']);
  });

  it('emits disconnect once when the server closes, after what it sent first', async () => {
    const recorded = await open(server.port, transport);
    recorded.client.send('bye-then-close');
    await waitFor(() => recorded.disconnects.length > 0, 5000, 'disconnect');
    expect(recorded.messages).toEqual(['bye']);
    expect(recorded.disconnects).toEqual(['server']);
    expect(recorded.client.connected).toBe(false);
    expect(recorded.client.sessionId).toBeNull();
    expect(recorded.client.send('too late')).toBe(false);
    recorded.client.close();
    // "Once": a whole connect-and-echo round trip of another client over the same transport, so
    // that what was still in flight for this one (its socket's close, a late response) is handled.
    const other = await open(server.port, transport);
    other.client.send('round trip');
    expect(await messages(other, 1)).toEqual(['round trip']);
    expect(recorded.disconnects).toEqual(['server']);
    expect(recorded.errors).toEqual([]);
  });

  it('close() emits disconnect once and the server sees onClose once', async () => {
    const recorded = await open(server.port, transport);
    const sid = recorded.client.sessionId!;
    recorded.client.close();
    recorded.client.close();
    expect(recorded.disconnects).toEqual(['client']);
    await waitFor(() => server.log.closed.includes(sid), 5000, 'onClose on the server');
    // "Once": let later sweeps run (a probe session expiring takes several) before counting.
    const probe = await expireProbeSession(server);
    expect(server.log.closed).toEqual([sid, probe]);
    expect(recorded.disconnects).toEqual(['client']);
    await expect(recorded.client.connect()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('delivers what was sent just before close()', async () => {
    const recorded = await open(server.port, transport);
    recorded.client.send('last words');
    recorded.client.close();
    await waitFor(() => server.log.messages.some((entry) => entry.message === 'last words'), 5000, 'the last message');
  });

  it('rejects with HTTP 403 when the transport is disabled', async () => {
    const other = await startEchoServer({ enabledProtocols: TRANSPORTS.filter((name) => name !== transport) });
    try {
      const recorded = record(`http://127.0.0.1:${other.port}`, { transport });
      const error = await rejection(recorded.client.connect(), 5000);
      expect(error.code).toBe('HTTP_STATUS');
      expect(error.status).toBe(403);
      expect(error.message).toMatch(/HTTP 403/);
      expect(error.message).toContain(transport);
      expect(recorded.disconnects).toEqual([]);
      expect(recorded.client.connected).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('rejects with HTTP 404 for a wrong resource', async () => {
    const recorded = record(`http://127.0.0.1:${server.port}`, { transport, resource: 'nope' });
    const error = await rejection(recorded.client.connect(), 5000);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.status).toBe(404);
    expect(error.message).toContain('/nope/');
  });

  it('rejects when nothing listens', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const recorded = record(`http://127.0.0.1:${port}`, { transport });
    const error = await rejection(recorded.client.connect(), 5000);
    expect(error.code).toBe('CONNECTION_REFUSED');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('rejects within connectTimeout when the server accepts and says nothing', async () => {
    const sockets = new Set<Socket>();
    let dropped = 0;
    const silent: NetServer = createNetServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read (and ignore) the request, so the client's end is seen
      socket.on('close', () => dropped++);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const recorded = record(`http://127.0.0.1:${port}`, { transport, connectTimeout: 300 });
      const started = Date.now();
      const error = await rejection(recorded.client.connect(), 3000);
      const elapsed = Date.now() - started;
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toMatch(/within 300 ms/);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(1500);
      await waitFor(() => sockets.size > 0 && dropped === sockets.size, 2000, 'the client to drop its socket');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('SocketIoClient over TLS (secure option)', () => {
  it.each(TRANSPORTS)('echoes over %s with a self-signed certificate', async (transport) => {
    const dir = mkdtempSync(join(tmpdir(), 'tornadio-client-tls-'));
    let server: SocketServer | null = null;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
        stdio: 'ignore',
        timeout: 30000,
      });
      const ssl = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      let secure: boolean | undefined;
      class Echo extends SocketConnection {
        override onOpen(info: ConnectionInfo) {
          secure = info.request.secure;
        }
        override onMessage(message: IncomingMessage) {
          this.send(message);
        }
      }
      const router = getRouter(Echo, { logger: silentLogger });
      server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }), { ssl });
      await server.listening;
      const agent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: false });
      const recorded = await open(server.port, transport, { secure: true, agent });
      recorded.client.send({ over: 'tls' });
      expect(await messages(recorded, 1)).toEqual([{ over: 'tls' }]);
      expect(secure).toBe(true);
      recorded.client.close();
      agent.destroy();
    } finally {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SocketIoClient against a fake websocket server', () => {
  let wss: WebSocketServer;
  let sockets: ServerWebSocket[];
  let received: string[];
  beforeEach(async () => {
    sockets = [];
    received = [];
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) => received.push(data.toString()));
      socket.send(`~m~24~m~${SID}`);
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  const url = () => `http://127.0.0.1:${(wss.address() as { port: number }).port}`;

  it('echoes a heartbeat exactly and does not emit it as a message', async () => {
    const recorded = record(url(), { transport: 'websocket' });
    expect(await recorded.client.connect()).toBe(SID);
    sockets[0].send('~m~4~m~~h~1~m~5~m~hello');
    await waitFor(() => received.length > 0, 5000, 'the heartbeat echo');
    expect(received).toEqual(['~m~4~m~~h~1']);
    expect(recorded.messages).toEqual(['hello']);
  });

  it('coalesces the sends of one tick into one websocket message', async () => {
    const recorded = record(url(), { transport: 'websocket' });
    await recorded.client.connect();
    recorded.client.send('a');
    recorded.client.send({ b: 2 });
    recorded.client.send(['c', 'd']);
    await waitFor(() => received.length > 0, 5000, 'the payload');
    // One message, not several: a send in a later tick arrives after anything the first tick wrote.
    recorded.client.send('marker');
    await waitFor(() => received.length >= 2, 5000, 'the marker');
    expect(received).toEqual(['~m~1~m~a~m~10~m~~j~{"b":2}~m~1~m~c~m~1~m~d', '~m~6~m~marker']);
  });

  it('emits error for a malformed payload or bad JSON and goes on', async () => {
    const recorded = record(url(), { transport: 'websocket' });
    await recorded.client.connect();
    sockets[0].send('~m~5~m~firstgarbage');
    sockets[0].send('~m~8~m~~j~{bad}~m~6~m~second');
    sockets[0].send('~m~99~m~short');
    sockets[0].send('~m~5~m~third');
    await waitFor(() => recorded.messages.length >= 3, 5000, 'the good messages');
    expect(recorded.messages).toEqual(['first', 'second', 'third']);
    expect(recorded.errors.map((error) => error.code)).toEqual(['PROTOCOL', 'PROTOCOL', 'PROTOCOL']);
    expect(recorded.errors[1].message).toMatch(/invalid JSON/);
    expect(recorded.client.connected).toBe(true);
  });

  it('does not throw on a malformed payload when nobody listens for errors', async () => {
    const client = new SocketIoClient(url(), { transport: 'websocket' });
    clients.push(client);
    const got: ServerMessage[] = [];
    client.on('message', (message) => got.push(message));
    await client.connect();
    sockets[0].send('not a frame');
    sockets[0].send('~m~2~m~ok');
    await waitFor(() => got.length > 0, 5000, 'the good message');
    expect(got).toEqual(['ok']);
  });

  it('disconnects with "timeout" when no data comes for heartbeatTimeout', async () => {
    const recorded = record(url(), { transport: 'websocket', heartbeatTimeout: 300 });
    await recorded.client.connect();
    const started = Date.now();
    await waitFor(() => recorded.disconnects.length > 0, 3000, 'the idle disconnect');
    expect(recorded.disconnects).toEqual(['timeout']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('rejects when the server sends a malformed handshake', async () => {
    wss.removeAllListeners('connection');
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.send('<html>not socket.io</html>');
    });
    const recorded = record(url(), { transport: 'websocket' });
    const error = await rejection(recorded.client.connect(), 5000);
    expect(error.code).toBe('PROTOCOL');
  });
});

describe('SocketIoClient against a fake xhr-polling server', () => {
  let server: HttpServer;
  let posts: string[];
  /** Held POST responses, answered by the test. */
  let heldPosts: ServerResponse[];
  let holdPosts: boolean;
  /** Long-polls waiting for a payload. */
  let polls: ServerResponse[];
  let paths: string[];
  let contentTypes: Array<string | undefined>;
  beforeEach(async () => {
    contentTypes = [];
    posts = [];
    heldPosts = [];
    holdPosts = false;
    polls = [];
    paths = [];
    server = createHttpServer((req: HttpRequest, res: ServerResponse) => {
      paths.push(`${req.method} ${req.url}`);
      if (req.method === 'POST') {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          contentTypes.push(req.headers['content-type']);
          posts.push(body.startsWith('data=') ? decodeURIComponent(body.substring(5)) : `(no data field) ${body}`);
          if (holdPosts) heldPosts.push(res);
          else res.end('ok');
        });
        return;
      }
      if (/^\/socket\.io\/xhr-polling\/\/\d+$/.test(req.url ?? '')) {
        res.end(`~m~24~m~${SID}`);
        return;
      }
      polls.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const res of [...polls, ...heldPosts]) if (!res.writableEnded) res.end('');
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = () => `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  /** Answers the oldest waiting long-poll. */
  async function answerPoll(body: string, status = 200): Promise<void> {
    await waitFor(() => polls.some((res) => !res.writableEnded), 5000, 'a long-poll');
    const res = polls.find((candidate) => !candidate.writableEnded)!;
    res.statusCode = status;
    res.end(body);
  }

  it('polls with the session id and a timestamp, and echoes heartbeats by POST', async () => {
    const recorded = record(url(), { transport: 'xhr-polling' });
    expect(await recorded.client.connect()).toBe(SID);
    await answerPoll('~m~4~m~~h~7~m~2~m~hi');
    await waitFor(() => posts.length > 0, 5000, 'the heartbeat echo');
    expect(posts).toEqual(['~m~4~m~~h~7']);
    expect(recorded.messages).toEqual(['hi']);
    expect(paths[0]).toMatch(/^GET \/socket\.io\/xhr-polling\/\/\d+$/);
    expect(paths[1]).toMatch(new RegExp(`^GET /socket\\.io/xhr-polling/${SID}/\\d+$`));
    expect(paths).toContain(`POST /socket.io/xhr-polling/${SID}/send`);
    expect(contentTypes).toEqual(['application/x-www-form-urlencoded; charset=utf-8']);
  });

  it('buffers sends while a POST is in flight and posts them together, in order', async () => {
    const recorded = record(url(), { transport: 'xhr-polling' });
    await recorded.client.connect();
    holdPosts = true;
    recorded.client.send('one');
    await waitFor(() => heldPosts.length === 1, 5000, 'the first POST');
    recorded.client.send('two');
    await new Promise((resolve) => setImmediate(resolve));
    recorded.client.send({ three: 3 });
    await new Promise((resolve) => setImmediate(resolve));
    recorded.client.send(['four', '5 ü😀']);
    // Nothing posted meanwhile: a poll round trip (answered empty, the next poll arrives) comes after
    // the sends above were flushed to the transport, and any POST they started would have come first.
    await answerPoll('');
    const answered = polls.length;
    await waitFor(() => polls.length > answered, 5000, 'the next long-poll');
    expect(paths.filter((path) => path.startsWith('POST '))).toHaveLength(1);
    expect(posts).toEqual(['~m~3~m~one']);
    holdPosts = false;
    heldPosts[0].end('ok');
    await waitFor(() => posts.length === 2, 5000, 'the second POST');
    expect(posts[1]).toBe('~m~3~m~two~m~14~m~~j~{"three":3}~m~4~m~four~m~5~m~5 ü😀');
  });

  it('emits error for a malformed poll and goes on polling', async () => {
    const recorded = record(url(), { transport: 'xhr-polling' });
    await recorded.client.connect();
    await answerPoll('~m~3~m~onegarbage');
    await answerPoll('');
    await answerPoll('~m~3~m~two');
    await waitFor(() => recorded.messages.length >= 2, 5000, 'the good messages');
    expect(recorded.messages).toEqual(['one', 'two']);
    expect(recorded.errors.map((error) => error.code)).toEqual(['PROTOCOL']);
    expect(recorded.client.connected).toBe(true);
  });

  it('treats any status but 200 on a poll as a disconnect', async () => {
    const recorded = record(url(), { transport: 'xhr-polling' });
    await recorded.client.connect();
    await answerPoll('gone', 500);
    await waitFor(() => recorded.disconnects.length > 0, 5000, 'the disconnect');
    expect(recorded.disconnects).toEqual(['server']);
    expect(recorded.errors).toEqual([]);
  });

  it('disconnects with "timeout" when a poll stays unanswered for pollTimeout', async () => {
    const recorded = record(url(), { transport: 'xhr-polling', pollTimeout: 300 });
    await recorded.client.connect();
    await waitFor(() => recorded.disconnects.length > 0, 3000, 'the idle disconnect');
    expect(recorded.disconnects).toEqual(['timeout']);
  });
});
