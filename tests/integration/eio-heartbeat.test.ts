import WebSocket from 'ws';
import { waitForCallback as waitFor } from '../helpers/callback';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type RouterSettings } from '../../src';
import { httpRequest } from '../helpers/test-client';


class Quiet extends SocketConnection {}

describe('Engine.IO heartbeat and handshake (the protocol suite\'s settings: 300 ms / 200 ms)', () => {
  let server: SocketServer;
  let port: number;
  beforeAll(async () => {
    const router = getRouter(Quiet, { logger: silentLogger, pingInterval: 0.3, pingTimeout: 0.2, connectTimeout: 1 });
    server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    port = server.port;
  });
  afterAll(async () => server.close());

  function open(): { ws: WebSocket; frames: string[]; next(): Promise<string>; closed: Promise<number> } {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    const waiting: Array<(frame: string) => void> = [];
    ws.on('message', (data) => {
      const frame = data.toString();
      const waiter = waiting.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const next = () => (frames.length > 0 ? Promise.resolve(frames.shift() as string) : waitFor<string>('a frame', (done) => waiting.push(done), 3000));
    return { ws, frames, next, closed };
  }

  it('opens with the handshake the spec describes', async () => {
    const client = open();
    const handshake = JSON.parse((await client.next()).substring(1)) as Record<string, unknown>;
    expect(handshake).toEqual({ sid: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), upgrades: [], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000 });
    client.ws.close();
  });

  it('pings every pingInterval while pongs come back, and closes after pingTimeout without one', async () => {
    const client = open();
    await client.next(); // open
    client.ws.send('40');
    expect(await client.next()).toMatch(/^40\{"sid":/);
    for (let beat = 0; beat < 3; beat++) {
      expect(await client.next()).toBe('2');
      client.ws.send('3');
    }
    expect(await client.next()).toBe('2');
    // No pong this time: the server closes the session.
    await waitFor<number>('the close', (done) => void client.closed.then(done), 3000);
  });

  it('closes a session that joins no namespace within connectTimeout', async () => {
    const client = open();
    await client.next();
    // Answer pings, so only the missing CONNECT can end it.
    client.ws.on('message', (data) => {
      if (data.toString() === '2') client.ws.send('3');
    });
    await waitFor<number>('the close', (done) => void client.closed.then(done), 4000);
  });

  it('closes a client that sends a packet for a namespace it never joined, or a second CONNECT (as socket.io 4)', async () => {
    for (const offence of ['42/elsewhere,["x"]', '40']) {
      const client = open();
      await client.next();
      client.ws.send('40');
      expect(await client.next()).toMatch(/^40\{"sid":/);
      client.ws.send(offence);
      await waitFor<number>(`the close after ${offence}`, (done) => void client.closed.then(done), 3000);
    }
  });

  it('drops a late packet for a namespace the client has left, and keeps the session', async () => {
    const client = open();
    await client.next();
    client.ws.send('40');
    expect(await client.next()).toMatch(/^40\{"sid":/);
    client.ws.send('41');
    client.ws.send('42["late"]');
    client.ws.send('40');
    expect(await client.next()).toMatch(/^40\{"sid":/);
    client.ws.close();
  });

  it.each([
    ['an unknown transport', '/socket.io/?EIO=4&transport=carrier-pigeon', 'GET', 400, { code: 0, message: 'Transport unknown' }],
    ['an unknown sid', '/socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAAAAAA', 'GET', 400, { code: 1, message: 'Session ID unknown' }],
    ['a handshake that is not a GET', '/socket.io/?EIO=4&transport=polling', 'POST', 400, { code: 2, message: 'Bad handshake method' }],
    ['an unsupported version', '/socket.io/?EIO=5&transport=polling', 'GET', 400, { code: 5, message: 'Unsupported protocol version' }],
  ])('answers %s as engine.io does', async (_what, path, method, status, body) => {
    const result = await httpRequest(port, method, path);
    expect(result.status).toBe(status);
    expect(JSON.parse(result.body)).toEqual(body);
  });

  it.each([
    ['an unknown sid', 'EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAAAAAA', 400, 'Session ID unknown'],
    ['an unsupported version', 'EIO=9&transport=websocket', 400, 'Unsupported protocol version'],
    ['a transport that is not websocket', 'EIO=4&transport=polling', 400, 'Transport unknown'],
  ])('refuses a websocket upgrade with %s in engine.io\'s words', async (_what, query, status, message) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?${query}`);
    ws.on('error', () => undefined); // the refusal also surfaces as an error on the client
    const answer = await waitFor<{ status: number; body: string }>('the refusal', (done) =>
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      }),
    );
    expect(answer).toEqual({ status, body: message });
    ws.terminate();
  });
});

describe('Engine.IO polling rules', () => {
  let server: SocketServer;
  let port: number;
  let router: ReturnType<typeof getRouter>;
  beforeAll(async () => {
    router = getRouter(Quiet, { logger: silentLogger, maxPayload: 1000 });
    server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    port = server.port;
  });
  afterAll(async () => server.close());

  async function handshake(): Promise<string> {
    const opened = await httpRequest(port, 'GET', '/socket.io/?EIO=4&transport=polling');
    expect(opened.status).toBe(200);
    return (JSON.parse(opened.body.substring(1)) as { sid: string }).sid;
  }

  it('a second GET while one is pending ends the session', async () => {
    const sid = await handshake();
    const first = httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    // Wait until the first GET is held by the session, so the second truly overlaps it.
    for (let tries = 0; !router.session(sid)?.attached; tries++) {
      if (tries > 200) throw new Error('the first GET never attached');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect((await first).body).toBe('1'); // the pending poll learns the session closed
    const after = await httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(after.status).toBe(400);
    expect(JSON.parse(after.body)).toEqual({ code: 1, message: 'Session ID unknown' });
  });

  it('a POST over maxPayload is answered 413 and the session is closed', async () => {
    const sid = await handshake();
    const big = await httpRequest(port, 'POST', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, `4${'x'.repeat(2000)}`, { 'Content-Type': 'text/plain' });
    expect(big.status).toBe(413);
    const after = await httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(after.status).toBe(400);
  });

  it('a poll that arrives while the probe is answered is released at once with a noop, so the client can pause', async () => {
    // engine.io-client issues one more GET when the noop that releases its poll lands before `3probe`; it
    // then waits for that GET before sending `5`. Held until the next ping (25 s here), it stalls the upgrade
    // and every message the client buffers meanwhile (the chatroom e2e test once failed on this).
    const sid = await handshake();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    await waitFor<void>('the websocket to open', (done) => ws.once('open', () => done()));
    const probe = waitFor<string>('3probe', (done) => ws.once('message', (data) => done(data.toString())));
    ws.send('2probe');
    expect(await probe).toBe('3probe');
    const late = await httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(late).toMatchObject({ status: 200, body: '6' });
    ws.send('5');
    ws.send('40');
    const connected = waitFor<string>('the CONNECT answer over the socket', (done) => ws.once('message', (data) => done(data.toString())));
    expect(await connected).toMatch(/^40\{"sid":/);
    ws.close();
  });

  it('after an upgrade, polling with the sid and a second websocket are refused', async () => {
    const sid = await handshake();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    await waitFor<void>('the websocket to open', (done) => ws.once('open', () => done()));
    const probe = waitFor<string>('3probe', (done) => ws.once('message', (data) => done(data.toString())));
    ws.send('2probe');
    expect(await probe).toBe('3probe');
    ws.send('5');
    for (let tries = 0; router.session(sid)?.transport !== 'websocket'; tries++) {
      if (tries > 200) throw new Error('the upgrade never completed');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const poll = await httpRequest(port, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(poll.status).toBe(400);
    expect(JSON.parse(poll.body)).toEqual({ code: 3, message: 'Bad request' });
    const second = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
    second.on('error', () => undefined); // the refusal also surfaces as an error on the client
    const refused = await waitFor<number>('the second websocket to be refused', (done) => second.once('unexpected-response', (_req, res) => done(res.statusCode ?? 0)));
    expect(refused).toBe(400);
    second.terminate();
    ws.close();
  });
});

describe('Engine.IO CORS (setting cors)', () => {
  async function serverWith(cors: RouterSettings['cors']): Promise<{ server: SocketServer; port: number }> {
    const router = getRouter(Quiet, { logger: silentLogger, cors });
    const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    return { server, port: server.port };
  }

  it.each([
    ['none by default', undefined, 'http://app.example', undefined, undefined],
    ["'*'", '*' as const, 'http://app.example', '*', undefined],
    ['a list, for a listed origin', ['http://app.example'], 'http://app.example', 'http://app.example', undefined],
    ['a list, for another origin', ['http://app.example'], 'http://evil.example', undefined, undefined],
    ['credentials: the origin echoed, never *', { origin: '*', credentials: true }, 'http://app.example', 'http://app.example', 'true'],
  ] as const)('%s: on the handshake, on a refusal and on the preflight', async (_what, cors, origin, allowOrigin, allowCredentials) => {
    const { server, port } = await serverWith(cors as RouterSettings['cors']);
    try {
      const handshake = await httpRequest(port, 'GET', '/socket.io/?EIO=4&transport=polling', undefined, { Origin: origin });
      const refused = await httpRequest(port, 'GET', '/socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAAAAAA', undefined, { Origin: origin });
      const preflight = await httpRequest(port, 'OPTIONS', '/socket.io/?EIO=4&transport=polling', undefined, {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(preflight.status).toBe(204);
      expect(refused.status).toBe(400);
      for (const response of [handshake, refused, preflight]) {
        expect(response.headers['access-control-allow-origin']).toBe(allowOrigin);
        expect(response.headers['access-control-allow-credentials']).toBe(allowCredentials);
      }
      expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    } finally {
      await server.close();
    }
  });
});
