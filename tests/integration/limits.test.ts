/**
 * Limits and faults: every way a client can try to exhaust the server gets a
 * bounded answer, and everyone else keeps being served.
 */
import { createConnection, type Socket } from 'node:net';
import { request, type IncomingMessage as HttpRequest } from 'node:http';
import WebSocket from 'ws';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type IncomingMessage } from '../../src';
import { connect, formBody, httpRequest, waitFor, WebSocketClient } from '../helpers/test-client';
import { expireProbeSession, RecordingLogger, startEchoServer, type TestServer } from '../helpers/server';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

async function handshake(port: number): Promise<string> {
  const result = await httpRequest(port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
  expect(result.status).toBe(200);
  return result.body.slice(-24);
}

/** Sends raw bytes and resolves with what came back once the server closed the socket. */
function rawExchange(port: number, data: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('the server did not close the socket in time'));
    });
  });
}

describe('send queue caps', () => {
  let server: TestServer;
  let logger: RecordingLogger;
  afterEach(async () => server.close());

  it('closes a polling session whose client stops collecting, past maxQueuedMessages', async () => {
    logger = new RecordingLogger();
    server = await startEchoServer({ maxQueuedMessages: 10, logger });
    const sid = await handshake(server.port);
    const connection = server.log.connections.get(sid)!;
    for (let i = 0; i < 10; i++) connection.send(`m${i}`);
    expect(connection.isClosed).toBe(false);
    connection.send('one too many');
    expect(connection.isClosed).toBe(true);
    expect(server.log.closed).toEqual([sid]);
    expect(logger.lines.some((line) => line.startsWith('warn') && line.includes(sid) && line.includes('queue over its limit'))).toBe(true);
    expect((await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`)).status).toBe(404);
  });

  it('closes a polling session past maxQueuedBytes', async () => {
    server = await startEchoServer({ maxQueuedBytes: 1000 });
    const sid = await handshake(server.port);
    const connection = server.log.connections.get(sid)!;
    connection.send('é'.repeat(400)); // 800 bytes
    expect(connection.isClosed).toBe(false);
    connection.send('é'.repeat(100));
    expect(connection.isClosed).toBe(true);
  });

  it('closes a websocket whose peer stops reading, and keeps serving the others', async () => {
    server = await startEchoServer({ maxQueuedBytes: 1 << 20 });
    const stalled = (await connect('websocket', server.port)) as WebSocketClient;
    const healthy = await connect('websocket', server.port);
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const connection = server.log.connections.get(stalled.sessionId)!;
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 400 && !connection.isClosed; i++) {
      connection.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connection.isClosed).toBe(true);
    expect(server.log.closed).toEqual([stalled.sessionId]);
    await healthy.send('still fine');
    expect(await healthy.waitForMessages(1)).toEqual(['still fine']);
    stalled.socket.terminate();
  });
});

describe('stream caps', () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it('closes an htmlfile stream whose reader stopped reading', async () => {
    server = await startEchoServer({ maxQueuedBytes: 1 << 20, heartbeatInterval: 60 });
    let sid = '';
    const req = request({ host: '127.0.0.1', port: server.port, path: `/socket.io/htmlfile//${Date.now()}`, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.once('data', function first(chunk: string) {
        sid = /~m~24~m~([A-Za-z0-9_-]{24})/.exec(chunk)?.[1] ?? '';
        res.pause(); // and never read again
      });
    });
    req.on('error', () => undefined);
    req.end();
    await waitFor(() => sid !== '' || server.log.opened.length > 0, 3000, 'the stream to open');
    const connection = [...server.log.connections.values()][0];
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 400 && !connection.isClosed; i++) {
      connection.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(connection.isClosed).toBe(true);
    req.destroy();
  });
});

describe('maxSessions', () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it('answers 503 to new sessions beyond the limit, over HTTP and upgrades, and recovers', async () => {
    server = await startEchoServer({ maxSessions: 2 });
    const a = await connect('websocket', server.port);
    const b = await connect('xhr-polling', server.port);
    const refused = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('TOO_MANY_SESSIONS');
    const upgradeStatus = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/websocket`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(upgradeStatus).toBe(503);
    await a.send('existing sessions work');
    expect(await a.waitForMessages(1)).toEqual(['existing sessions work']);
    a.close();
    await waitFor(() => server.router.connections.size === 1, 3000, 'a slot to free up');
    const c = await connect('websocket', server.port);
    expect(c.sessionId).toBeTruthy();
    b.close();
    c.close();
  });
});

describe('URLs and headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startEchoServer({ maxUrlLength: 1024 });
  });
  afterAll(async () => server.close());

  it('answers 414 to a URL over maxUrlLength', async () => {
    const result = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${'1'.repeat(2000)}`);
    expect(result.status).toBe(414);
  });

  it("answers a 64 KB URL and headers beyond Node's limit with 431, and keeps serving", async () => {
    const hugeUrl = await rawExchange(server.port, `GET /socket.io/xhr-polling//${'1'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(hugeUrl).toMatch(/^HTTP\/1\.1 431/);
    const hugeHeader = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(hugeHeader).toMatch(/^HTTP\/1\.1 431/);
    expect((await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`)).status).toBe(200);
  });
});

describe('slow and half-open clients', () => {
  let server: SocketServer;
  afterEach(async () => server.close());

  class Echo extends SocketConnection {
    override onMessage(message: IncomingMessage): void {
      this.send(message);
    }
  }

  async function start(app: { headersTimeout: number; requestTimeout: number }, router = {}) {
    server = new SocketServer(
      new Application([getRouter(Echo, { logger: silentLogger, ...router }).route()], {
        socketIoPort: 0,
        socketIoAddress: '127.0.0.1',
        logger: silentLogger,
        ...app,
      }),
    );
    await server.listening;
  }

  it('drops a client that never finishes its headers (slow loris)', async () => {
    await start({ headersTimeout: 0.3, requestTimeout: 0.6 });
    const reply = await rawExchange(server.port, 'GET /socket.io/xhr-polling//1 HTTP/1.1\r\nHost: x\r\n', 5000);
    expect(reply).toMatch(/^(HTTP\/1\.1 408|)/);
  });

  it('drops a client that never finishes its body', async () => {
    await start({ headersTimeout: 0.3, requestTimeout: 0.6 });
    const sid = await handshake(server.port);
    const reply = await rawExchange(
      server.port,
      `POST /socket.io/xhr-polling/${sid}/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ndata=`,
      5000,
    );
    expect(reply).toMatch(/^(HTTP\/1\.1 408|)/);
  });

  it('does not cut long-polls, which outlive requestTimeout by design', async () => {
    await start({ headersTimeout: 0.2, requestTimeout: 0.3 }, { xhrPollingTimeout: 1 });
    const sid = await handshake(server.port);
    const poll = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/1`);
    expect(poll).toMatchObject({ status: 200, body: '' });
  });
});

describe('faults', () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it.each([
    ['the HTTP lane', true],
    ['node:http', false],
  ])('re-queues a message written to a GET whose socket died before the response was flushed (read by %s)', async (_reader, httpLane) => {
    server = await startEchoServer({ xhrPollingTimeout: 5 }, { application: { httpLane } });
    const sid = await handshake(server.port);
    // The server's end of the GET's own connection (agent: false), once the GET has been read: node:http
    // says so with 'request'; the lane reads the socket's 'data', which it hears before this listener.
    let held: Socket | null = null;
    const isTheGet = (text: string | undefined): boolean => text?.includes(`/${sid}/1`) ?? false;
    server.server.httpServer.prependListener('request', (req: HttpRequest) => {
      if (isTheGet(req.url)) held = req.socket;
    });
    server.server.httpServer.prependListener('connection', (socket: Socket) => {
      socket.on('data', (chunk: Buffer) => {
        if (isTheGet(chunk.toString('latin1'))) setImmediate(() => (held = socket));
      });
    });
    const doomed = new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/socket.io/xhr-polling/${sid}/1`, agent: false }, () => resolve());
      req.on('error', () => resolve());
      req.end();
    });
    await waitFor(() => held !== null, 3000, 'the GET to arrive');
    // The socket dies, and before the server hears of it, a message is written to the response.
    held!.destroy();
    server.log.connections.get(sid)!.send('must not be lost');
    await doomed;
    const next = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling/${sid}/2`);
    expect(next).toMatchObject({ status: 200, body: '~m~16~m~must not be lost' });
  });

  it.each(['xhr-polling', 'jsonp-polling', 'xhr-multipart', 'htmlfile', 'websocket'] as const)(
    'a %s client that vanishes mid-request is closed once and leaves nothing behind',
    async (transport) => {
      server = await startEchoServer({ sessionExpiry: 0.3, sessionCheckInterval: 0.1, xhrPollingTimeout: 10 });
      const client = await connect(transport, server.port);
      const other = await connect('websocket', server.port);
      client.close();
      if (client instanceof WebSocketClient) client.socket.terminate();
      await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'onClose');
      // "Once": the vanished request and the session expiry are two ways to close; let later
      // sweeps run (a probe session expiring takes several) before counting.
      const probe = await expireProbeSession(server);
      expect(server.log.closed).toEqual([client.sessionId, probe]);
      expect(server.router.connections.size).toBe(1);
      await other.send('ok');
      expect(await other.waitForMessages(1)).toEqual(['ok']);
      other.close();
    },
  );

  it('closes thousands of live sessions on server.close(), each onClose once', async () => {
    server = await startEchoServer();
    // Open in batches: the point is thousands live at once, not a connect storm.
    const polling: string[] = [];
    for (let batch = 0; batch < 15; batch++) polling.push(...(await Promise.all(Array.from({ length: 100 }, () => handshake(server.port)))));
    const sockets = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const socket = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/websocket`);
            socket.once('message', () => resolve(socket));
            socket.on('error', reject);
          }),
      ),
    );
    expect(server.router.connections.size).toBe(1800);
    await server.close();
    expect(server.log.closed).toHaveLength(1800);
    expect(new Set(server.log.closed).size).toBe(1800);
    expect(server.router.connections.size).toBe(0);
    expect(polling).toHaveLength(1500);
    await Promise.all(sockets.map((socket) => new Promise((resolve) => (socket.readyState === WebSocket.CLOSED ? resolve(null) : socket.on('close', resolve)))));
  });

  it('answers a POST to a session that closed meanwhile with 404, not a crash', async () => {
    server = await startEchoServer();
    const sid = await handshake(server.port);
    server.log.connections.get(sid)!.close();
    const post = await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${sid}/send`, formBody('~m~1~m~x'), FORM);
    expect(post.status).toBe(404);
  });
});
