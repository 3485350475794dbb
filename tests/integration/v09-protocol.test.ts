/**
 * Socket.IO 0.7-0.9 at the protocol level, over real HTTP and WebSocket on
 * 127.0.0.1: the handshake (GET, POST, `jsonp=N`), all five transports,
 * heartbeats, close timeout, endpoints with queries and refusal, bad input,
 * and what `onOpen` is given.
 */
import WebSocket from 'ws';
import { request } from 'node:http';
import { Application, getRouter, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage, type RouterSettings } from '../../src';
import { silentLogger } from '../../src/logger';
import { decodePayload, encodePayload } from '../../src/protocols/v09/codec';
import { httpRequest, waitFor } from '../helpers/test-client';

interface Log {
  opened: ConnectionInfo[];
  messages: IncomingMessage[];
  closed: string[];
  acks: unknown[][];
  root: Map<string, SocketConnection>;
}

async function startServer(settings: RouterSettings = {}) {
  const log: Log = { opened: [], messages: [], closed: [], acks: [], root: new Map() };
  class Root extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      log.opened.push(info);
      log.root.set(info.sessionId, this);
      this.on('echo', (...args: unknown[]) => {
        const ack = args.pop();
        if (typeof ack === 'function') ack(...args);
      });
      this.on('ask', () => this.emit('question', 'q?', (...answer: unknown[]) => void log.acks.push(answer)));
      return info.request.query.deny !== '1';
    }
    override onMessage(message: IncomingMessage) {
      log.messages.push(message);
      if (message === 'close-me') return this.close();
      this.send(message);
    }
    override onClose() {
      log.closed.push(`/:${this.sessionId}`);
    }
  }
  class Chat extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      log.opened.push(info);
      return info.request.query.deny !== '1';
    }
    override onMessage(message: IncomingMessage) {
      this.send(`chat:${String(message)}`);
    }
    override onClose() {
      log.closed.push(`/chat:${this.sessionId}`);
    }
  }
  const router = getRouter(Root, { logger: silentLogger, namespaces: { '/chat': Chat }, ...settings });
  const app = new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger });
  const server = new SocketServer(app, {});
  await server.listening;
  return { server, port: server.port, log, close: () => server.close() };
}
type Server = Awaited<ReturnType<typeof startServer>>;

async function handshake(port: number, query = '', method = 'GET'): Promise<{ sid: string; heartbeat: string; close: string; transports: string[] }> {
  const result = await httpRequest(port, method, `/socket.io/1/?t=${Date.now()}${query}`);
  expect(result.status).toBe(200);
  const [sid, heartbeat, close, transports] = result.body.split(':');
  return { sid, heartbeat, close, transports: transports.split(',') };
}

const poll = async (port: number, sid: string, transport = 'xhr-polling'): Promise<string[]> => {
  const result = await httpRequest(port, 'GET', `/socket.io/1/${transport}/${sid}?t=${Date.now()}`);
  expect(result.status).toBe(200);
  return result.body === '' ? [] : decodePayload(result.body, 1000);
};
const post = (port: number, sid: string, body: string, transport = 'xhr-polling') => httpRequest(port, 'POST', `/socket.io/1/${transport}/${sid}?t=${Date.now()}`, body, { 'Content-Type': 'text/plain;charset=UTF-8' });

/** Polls until `count` packets arrived (or the wait times out). */
async function collect(port: number, sid: string, count: number, transport = 'xhr-polling'): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + 5000;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(got)} arrived`);
    got.push(...(await poll(port, sid, transport)));
  }
  return got;
}

/** A websocket (or flashsocket) 0.9 client: every message is a payload of packets. */
async function openSocket(port: number, sid: string, transport = 'websocket', headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/1/${transport}/${sid}`, { headers });
  const packets: string[] = [];
  ws.on('message', (data) => packets.push(...decodePayload(String(data), 1000)));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, packets, closed };
}

describe('0.9 handshake', () => {
  let server: Server;
  beforeAll(async () => (server = await startServer({ heartbeatTimeout: 60, closeTimeout: 25 })));
  afterAll(() => server.close());

  it('answers GET and POST with sid:heartbeatTimeout:closeTimeout:transports', async () => {
    for (const method of ['GET', 'POST']) {
      const answer = await handshake(server.port, '', method);
      expect(answer.sid).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect([answer.heartbeat, answer.close]).toEqual(['60', '25']);
      expect(answer.transports).toEqual(['websocket', 'flashsocket', 'htmlfile', 'xhr-polling', 'jsonp-polling']);
    }
  });

  it('answers jsonp=N as a call of io.j[N]', async () => {
    const result = await httpRequest(server.port, 'GET', `/socket.io/1/?t=1&jsonp=3`);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/^application\/javascript/);
    const calls: string[] = [];
    new Function('io', result.body)({ j: { 3: (text: string) => calls.push(text) } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^[A-Za-z0-9_-]+:60:25:websocket,/);
  });

  it('refuses a bad jsonp index, an unknown protocol version and a path of no 0.9 shape', async () => {
    expect((await httpRequest(server.port, 'GET', '/socket.io/1/?jsonp=alert(1)')).status).toBe(400);
    expect((await httpRequest(server.port, 'GET', '/socket.io/2/')).status).toBe(400);
    expect((await httpRequest(server.port, 'GET', '/socket.io/1/xhr-polling/a/b/c')).status).toBe(400);
  });
});

describe('0.9 transports', () => {
  let server: Server;
  beforeEach(async () => (server = await startServer({ xhrPollingTimeout: 0.5, maxBodySize: 4096 })));
  afterEach(() => server.close());

  it('xhr-polling: connect, message, json, event with ack both ways, ordered', async () => {
    const { sid } = await handshake(server.port, '&user=ann');
    expect(await poll(server.port, sid)).toEqual(['1::']);
    expect((await post(server.port, sid, encodePayload(['3:::hi', '4:::{"a":[1]}', '5:7+::{"name":"echo","args":[1,"x"]}', '3:9::plain']))).body).toBe('1');
    const got = await collect(server.port, sid, 5);
    expect(got).toEqual(['3:::hi', '4:::{"a":[1]}', '6:::7+[1,"x"]', '6:::9', '3:::plain']);
    await post(server.port, sid, '5:::{"name":"ask"}');
    const [question] = await collect(server.port, sid, 1);
    expect(question).toBe('5:1+::{"name":"question","args":["q?"]}');
    await post(server.port, sid, '6:::1+["a!",2]');
    await waitFor(() => server.log.acks.length === 1, 5000, 'the ack');
    expect(server.log.acks[0]).toEqual(['a!', 2]);
  });


  it('a POST that overtakes the first GET opens the session: its message is kept, not lost (a balancer may reorder them)', async () => {
    const { sid } = await handshake(server.port);
    expect((await post(server.port, sid, '3:::early')).body).toBe('1');
    expect(server.log.messages).toEqual(['early']);
    expect(server.log.opened.map((info) => info.transport)).toEqual(['xhr-polling']);
    expect(await collect(server.port, sid, 2)).toEqual(['1::', '3:::early']);
  });
  it('jsonp-polling: answers are io.j[i] calls and POSTs are the form field d', async () => {
    const { sid } = await handshake(server.port);
    const jsonpPoll = async (): Promise<string[]> => {
      const result = await httpRequest(server.port, 'GET', `/socket.io/1/jsonp-polling/${sid}?t=1&i=2`);
      expect(result.headers['content-type']).toMatch(/^text\/javascript/);
      const calls: string[] = [];
      new Function('io', result.body)({ j: { 2: (text: string) => calls.push(text) } });
      expect(calls).toHaveLength(1);
      return calls[0] === '' ? [] : decodePayload(calls[0], 100);
    };
    expect(await jsonpPoll()).toEqual(['1::']);
    const form = `d=${encodeURIComponent(JSON.stringify(encodePayload(['3:::é😀', '3:::</script>'])))}`;
    const sent = await httpRequest(server.port, 'POST', `/socket.io/1/jsonp-polling/${sid}?t=1&i=2`, form, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(sent.body).toBe('1');
    const got: string[] = [];
    while (got.length < 2) got.push(...(await jsonpPoll()));
    expect(got).toEqual(['3:::é😀', '3:::</script>']);
    expect((await httpRequest(server.port, 'GET', `/socket.io/1/jsonp-polling/${sid}?i=x`)).status).toBe(400);
    expect((await httpRequest(server.port, 'POST', `/socket.io/1/jsonp-polling/${sid}?i=2`, 'd=notjson', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(400);
  });

  it('htmlfile: one streamed document, a script call per packet', async () => {
    const { sid } = await handshake(server.port);
    const chunks: string[] = [];
    const req = request({ host: '127.0.0.1', port: server.port, path: `/socket.io/1/htmlfile/${sid}?t=1` });
    const response = new Promise<void>((resolve) =>
      req.on('response', (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => chunks.push(chunk));
        resolve();
      }),
    );
    req.end();
    await response;
    const packets = (): string[] => {
      const seen: string[] = [];
      const scripts = chunks.join('').match(/<script>_\([^<]*\);<\/script>/g) ?? [];
      for (const script of scripts) new Function('_', script.slice(8, -9))((packet: string) => seen.push(packet));
      return seen;
    };
    await waitFor(() => packets().length === 1, 5000, 'the connect packet');
    expect(chunks.join('')).toMatch(/^<html><body><script>/);
    await post(server.port, sid, '3:::a</script>b', 'htmlfile');
    await waitFor(() => packets().length === 2, 5000, 'the echo');
    expect(packets()).toEqual(['1::', '3:::a</script>b']);
    req.destroy();
  });

  it.each(['websocket', 'flashsocket'])('%s: connect, messages in order, acks, server close', async (transport) => {
    const { sid } = await handshake(server.port);
    const client = await openSocket(server.port, sid, transport);
    await waitFor(() => client.packets.length === 1, 5000, 'connect');
    expect(client.packets[0]).toBe('1::');
    for (let i = 0; i < 50; i++) client.ws.send(`3:::m${i}`);
    client.ws.send('5:1+::{"name":"echo","args":["e"]}');
    await waitFor(() => client.packets.length === 52, 5000, 'echoes');
    expect(client.packets.slice(1)).toEqual([...Array.from({ length: 50 }, (_, i) => `3:::m${i}`), '6:::1+["e"]']);
    client.ws.send('3:::close-me');
    await client.closed;
    expect(client.packets[client.packets.length - 1]).toBe('0::');
    expect(server.log.closed).toEqual([`/:${sid}`]);
  });

  it('a websocket dropped by the client ends the session and runs onClose once', async () => {
    const { sid } = await handshake(server.port);
    const client = await openSocket(server.port, sid);
    await waitFor(() => client.packets.length === 1, 5000, 'connect');
    client.ws.terminate();
    await waitFor(() => server.log.closed.length === 1, 5000, 'onClose');
    expect((await httpRequest(server.port, 'GET', `/socket.io/1/xhr-polling/${sid}`)).status).toBe(404);
  });
});

describe('0.9 heartbeats and close timeout', () => {
  let server: Server;
  beforeEach(async () => (server = await startServer({ heartbeatInterval: 0.2, xhrPollingTimeout: 0.3, closeTimeout: 0.6 })));
  afterEach(() => server.close());

  it('beats 2:: on a websocket and keeps a session that answers through several periods', async () => {
    const { sid } = await handshake(server.port);
    const client = await openSocket(server.port, sid);
    client.ws.on('message', (data) => {
      if (String(data) === '2::') client.ws.send('2::');
    });
    await waitFor(() => client.packets.filter((packet) => packet === '2::').length >= 4, 5000, 'four heartbeats');
    expect(server.log.closed).toEqual([]);
    client.ws.close();
    await client.closed;
  });

  it('closes a websocket whose heartbeat goes unanswered', async () => {
    const { sid } = await handshake(server.port);
    const client = await openSocket(server.port, sid);
    await client.closed;
    expect(client.packets.filter((packet) => packet === '2::').length).toBeGreaterThanOrEqual(1);
    expect(server.log.closed).toEqual([`/:${sid}`]);
  });

  it('closes a polling session nobody polls after closeTimeout, and a handshake never used', async () => {
    const { sid } = await handshake(server.port);
    expect(await poll(server.port, sid)).toEqual(['1::']);
    const unused = await handshake(server.port);
    await waitFor(() => server.log.closed.length === 1, 5000, 'close timeout');
    expect(server.log.closed).toEqual([`/:${sid}`]);
    expect((await httpRequest(server.port, 'GET', `/socket.io/1/xhr-polling/${sid}`)).status).toBe(404);
    // A POST does not attach (so it cannot keep the session alive): it answers 404 once the close timeout ran.
    const deadline = Date.now() + 5000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await post(server.port, unused.sid, '8::')).status;
    expect(status).toBe(404);
  });
});

describe('0.9 endpoints', () => {
  let server: Server;
  beforeEach(async () => (server = await startServer({ xhrPollingTimeout: 0.3 })));
  afterEach(() => server.close());

  it('1::/chat?x=1 connects the endpoint with its query, 0::/chat leaves it, the default stays', async () => {
    const { sid } = await handshake(server.port, '&base=1');
    const client = await openSocket(server.port, sid);
    client.ws.send('1::/chat?x=1');
    await waitFor(() => client.packets.includes('1::/chat'), 5000, 'the endpoint connect');
    expect(server.log.opened[1].namespace).toBe('/chat');
    expect(server.log.opened[1].request.query).toMatchObject({ base: '1', x: '1' });
    client.ws.send('3::/chat:hey');
    await waitFor(() => client.packets.includes('3::/chat:chat:hey'), 5000, 'the chat echo');
    client.ws.send('0::/chat');
    await waitFor(() => server.log.closed.length === 1, 5000, 'the chat onClose');
    expect(server.log.closed).toEqual([`/chat:${sid}`]);
    client.ws.send('3::/chat:dropped');
    client.ws.send('3:::still here');
    await waitFor(() => client.packets.includes('3:::still here'), 5000, 'the default echo');
    expect(client.packets).not.toContain('3::/chat:chat:dropped');
    client.ws.close();
    await client.closed;
  });

  it('an endpoint refused in onOpen, or unknown, gets an error packet for that endpoint only', async () => {
    const { sid } = await handshake(server.port);
    const client = await openSocket(server.port, sid);
    client.ws.send('1::/chat?deny=1');
    client.ws.send('1::/nowhere');
    await waitFor(() => client.packets.length === 3, 5000, 'two refusals');
    expect(client.packets).toEqual(['1::', '7::/chat:2', '7::/nowhere:2']);
    client.ws.send('3:::ok');
    await waitFor(() => client.packets.includes('3:::ok'), 5000, 'the default still works');
    client.ws.close();
    await client.closed;
  });

  it('a refused default endpoint gets 7:::2 and the session ends with 0::', async () => {
    const { sid } = await handshake(server.port, '&deny=1');
    const client = await openSocket(server.port, sid);
    await client.closed;
    expect(client.packets).toEqual(['7:::2', '0::']);
  });
});

describe('0.9 bad input', () => {
  let server: Server;
  beforeEach(async () => (server = await startServer({ xhrPollingTimeout: 0.3, maxBodySize: 1024 })));
  afterEach(() => server.close());

  it('a forged sid, malformed packets, an oversized body get bounded answers; other clients keep working', async () => {
    const bystander = await handshake(server.port);
    const bystanderSocket = await openSocket(server.port, bystander.sid);
    expect((await httpRequest(server.port, 'GET', '/socket.io/1/xhr-polling/forged-id-0000000000000')).status).toBe(404);
    expect((await httpRequest(server.port, 'GET', '/socket.io/1/xhr-polling/../../etc')).status).toBeGreaterThanOrEqual(400);
    expect((await httpRequest(server.port, 'GET', '/socket.io/1/carrier-pigeon/abc')).status).toBeGreaterThanOrEqual(400);
    const forgedWs = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/1/websocket/forged-id-0000000000000`);
    const forgedStatus = await new Promise<number>((resolve) => forgedWs.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(forgedStatus).toBe(404);

    const malformed = await handshake(server.port);
    await poll(server.port, malformed.sid);
    expect((await post(server.port, malformed.sid, '\ufffd99\ufffd3:::x')).status).toBe(400);
    // The session that broke the protocol is closed; the answer says so.
    expect((await post(server.port, malformed.sid, '3:::x')).status).toBe(404);

    const big = await handshake(server.port);
    await poll(server.port, big.sid);
    const oversized = await post(server.port, big.sid, `3:::${'x'.repeat(5000)}`).catch((error: Error) => ({ status: 0, body: error.message }));
    expect([413, 0]).toContain(oversized.status);

    const bad = await handshake(server.port);
    const badSocket = await openSocket(server.port, bad.sid);
    badSocket.ws.send('not a packet');
    await badSocket.closed;

    bystanderSocket.ws.send('3:::alive');
    await waitFor(() => bystanderSocket.packets.includes('3:::alive'), 5000, 'the bystander echo');
    bystanderSocket.ws.close();
    await bystanderSocket.closed;
  });
});

describe('0.9 ConnectionInfo', () => {
  let server: Server;
  beforeAll(async () => (server = await startServer()));
  afterAll(() => server.close());

  it('gives ip, cookies and the handshake query, as Tornadio2 does', async () => {
    const result = await httpRequest(server.port, 'GET', '/socket.io/1/?t=5&room=a&room=b', undefined, { Cookie: 'sess=abc; lang=fr' });
    const sid = result.body.split(':')[0];
    const client = await openSocket(server.port, sid);
    await waitFor(() => server.log.opened.length === 1, 5000, 'onOpen');
    const info = server.log.opened[0];
    expect(info.protocol).toBe('0.9');
    expect(info.transport).toBe('websocket');
    expect(info.sessionId).toBe(sid);
    expect(info.request.remoteAddress).toBe('127.0.0.1');
    expect(info.request.cookies).toEqual({ sess: 'abc', lang: 'fr' });
    expect(info.request.query).toMatchObject({ t: '5', room: ['a', 'b'] });
    client.ws.close();
    await client.closed;
  });
});
