/**
 * The real socket.io-client 0.9.16 browser bundle, as tornadio serves it at
 * `/socket.io/socket.io-0.9.js`, in headless Chromium over websocket,
 * xhr-polling and jsonp-polling: connect, send and json, events with acks
 * both ways, endpoints, refusal, heartbeats over several periods, a server
 * disconnect, reconnection after a server restart, 300 ordered messages.
 */
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { getRouter, silentLogger, SocketConnection, type ConnectionInfo, type IncomingMessage, type SocketServer } from '../../src';
import { httpRequest } from '../helpers/test-client';
import { PageSuite, servePage, waitUntil } from './browser';

const closed: string[] = [];
const opened: ConnectionInfo[] = [];

class Root extends SocketConnection {
  override onOpen(info: ConnectionInfo) {
    opened.push(info);
    this.on('echo', (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack === 'function') ack(...args);
    });
    this.on('ask', () => this.emit('question', 'q?', (answer: unknown) => this.emit('answer', answer)));
    return info.request.query.deny !== 'root';
  }
  override onMessage(message: IncomingMessage) {
    if (message === 'close-me') return this.close();
    if (message === 'burst') {
      for (let i = 0; i < 300; i++) this.send(`s${i}`);
      return;
    }
    this.send(message);
  }
  override onClose() {
    closed.push(`/:${this.sessionId}`);
  }
}

class Chat extends SocketConnection {
  override onOpen(info: ConnectionInfo) {
    opened.push(info);
    return info.request.query.deny !== 'chat';
  }
  override onMessage(message: IncomingMessage) {
    this.send(`chat:${String(message)}`);
  }
  override onClose() {
    closed.push(`/chat:${this.sessionId}`);
  }
}

/** Short timers: several heartbeat periods fit in a test; the client's timeouts (whole seconds) stay above them. */
const SETTINGS = { logger: silentLogger, namespaces: { '/chat': Chat }, heartbeatInterval: 0.3, heartbeatTimeout: 2, closeTimeout: 2, xhrPollingTimeout: 0.5 };

function startServer(port = 0): Promise<SocketServer> {
  return servePage(getRouter(Root, SETTINGS), 'v09-page.html', port);
}

/** The page's side: named sockets whose every event lands in `h.log` as one line. */
const HARNESS = `window.h = {
  log: [],
  sockets: {},
  used: {},
  watch(name, s) {
    const log = (entry) => h.log.push(name + ' ' + entry);
    h.sockets[name] = s;
    s.on('connect', () => { h.used[name] = s.socket.transport.name; log('connect'); });
    s.on('disconnect', (reason) => log('disconnect ' + reason));
    s.on('connect_failed', (reason) => log('connect_failed ' + reason));
    s.on('error', (reason) => log('error ' + reason));
    s.on('reconnect', (transport) => log('reconnect ' + transport));
    s.on('message', (message) => log('message ' + JSON.stringify(message)));
    s.on('question', (question, ack) => { log('question ' + question); ack('answer to ' + question); });
    s.on('answer', (answer) => log('answer ' + answer));
  },
  open(name, url, options) {
    // The client deep-merges a \`transports\` option into its default list by index (['jsonp-polling'] becomes
    // ['jsonp-polling', 'flashsocket', ...]) and then takes the server's order: only the global default list pins one.
    io.transports = options.transports;
    h.watch(name, io.connect(url, options));
  },
  of(name, parent, path) { h.watch(name, h.sockets[parent].socket.of(path)); },
};`;

const suite = new PageSuite({ startServer: () => startServer(), ready: 'typeof io === "object" && io.version === "0.9.16"', harness: HARNESS });
const { log, run, waitForLog } = suite;

const base = (): string => `http://127.0.0.1:${suite.server.port}`;
const options = (transport: string, extra: Record<string, unknown> = {}) => ({
  'force new connection': true,
  transports: [transport],
  'try multiple transports': false,
  reconnect: false,
  'connect timeout': 4000,
  ...extra,
});


const TRANSPORTS = ['websocket', 'xhr-polling', 'jsonp-polling'];

it('serves the vendored 0.9.16 client with an ETag, 304 revalidation and gzip', async () => {
  const vendored = readFileSync(join(__dirname, '../../vendor/socket.io-client-0.9/socket.io.js'), 'utf8');
  for (const [file, source] of [
    ['socket.io-0.9.js', vendored],
    ['socket.io-0.9.min.js', readFileSync(join(__dirname, '../../vendor/socket.io-client-0.9/socket.io.min.js'), 'utf8')],
  ]) {
    const plain = await httpRequest(suite.server.port, 'GET', `/socket.io/${file}`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/javascript/);
    expect(plain.body).toBe(source);
    const etag = String(plain.headers.etag);
    expect((await httpRequest(suite.server.port, 'GET', `/socket.io/${file}`, undefined, { 'If-None-Match': etag })).status).toBe(304);
  }
  const zipped = await new Promise<Buffer>((resolve, reject) => {
    void import('node:http').then(({ get }) =>
      get({ host: '127.0.0.1', port: suite.server.port, path: '/socket.io/socket.io-0.9.js', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        expect(res.headers['content-encoding']).toBe('gzip');
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
  });
  expect(gunzipSync(zipped).toString('utf8')).toBe(vendored);
  expect(vendored).toMatch(/^\/\*! Socket\.IO\.js build:0\.9\.16/);
});

describe.each(TRANSPORTS)('over %s', (transport) => {
  it('connects, sends text and json, events with acks both ways', async () => {
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options(transport))})`);
    await waitForLog('s connect');
    expect(await run('h.used.s')).toBe(transport);
    await run(`h.sockets.s.send('hello é😀'); h.sockets.s.json.send({ a: [1, 'x'] });`);
    await run(`h.sockets.s.emit('echo', 1, 'two', (a, b) => h.log.push('s ack ' + JSON.stringify([a, b])))`);
    await run(`h.sockets.s.emit('ask')`);
    await waitForLog('s answer');
    const lines = (await log()).filter((line) => !line.startsWith('s connect'));
    expect(lines).toEqual(['s message "hello é😀"', 's message {"a":[1,"x"]}', 's ack [1,"two"]', 's question q?', 's answer answer to q?']);
  });

  it('endpoints: /chat over the same socket, its query from io.connect, refusal and unknown as connect_failed', async () => {
    await run(`h.open('root', ${JSON.stringify(`${base()}/?x=1`)}, ${JSON.stringify(options(transport))})`);
    await run(`h.of('chat', 'root', '/chat'); h.of('nowhere', 'root', '/nowhere');`);
    await waitForLog('chat connect');
    expect(await run('h.used.root')).toBe(transport);
    expect(opened[opened.length - 1].transport).toBe(transport);
    await waitForLog('nowhere connect_failed unauthorized');
    await run(`h.sockets.chat.send('hi'); h.sockets.root.send('root hi');`);
    await waitForLog('chat message "chat:hi"');
    await waitForLog('root message "root hi"');
    // The 0.9 client sends `1::/chat` bare: an endpoint's query is the handshake's (io.connect's URL), never the packet's.
    const chatInfo = opened.filter((info) => info.namespace === '/chat').pop();
    expect(chatInfo?.request.query).toMatchObject({ x: '1' });
    expect(chatInfo?.protocol).toBe('0.9');

    await run(`h.open('denied', ${JSON.stringify(`${base()}/chat?deny=chat`)}, ${JSON.stringify(options(transport))})`);
    await waitForLog('denied connect_failed unauthorized');
    await run(`h.open('rootDenied', ${JSON.stringify(`${base()}/?deny=root`)}, ${JSON.stringify(options(transport))})`);
    await waitForLog('rootDenied connect_failed unauthorized');
    // The default endpoint refused: the server ends the session with `0::`, which the client takes as booted.
    expect((await log()).filter((line) => line.startsWith('rootDenied'))).toEqual(['rootDenied connect_failed unauthorized']);
    await run(`h.sockets.root.send('still')`);
    await waitForLog('root message "still"');
  });

  it('stays connected through several heartbeat periods: beats answered on websocket, none sent to a poller', async () => {
    const beats: string[] = [];
    let polls = 0;
    suite.page.on('websocket', (ws) => ws.on('framesent', (frame) => void (String(frame.payload) === '2::' && beats.push('ws'))));
    suite.page.on('request', (request) => {
      const body = request.postData();
      if (request.method() === 'GET' && request.url().includes('-polling/')) polls++;
      if (request.method() === 'POST' && body !== null && decodeURIComponent(body.replace(/\+/g, ' ')).includes('2::')) beats.push('post');
    });
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options(transport))})`);
    await waitForLog('s connect');
    expect(await run('h.used.s')).toBe(transport);
    const sid = String(await run('h.sockets.s.socket.sessionid'));
    if (transport === 'websocket') {
      await waitUntil(() => beats.length >= 5, 'five heartbeats answered by the client', 10_000);
    } else {
      // Five empty polls span eight heartbeat periods: the session lives on its polls alone.
      await waitUntil(() => polls >= 6, 'six polls', 10_000);
      expect(beats).toEqual([]);
    }
    expect(await log()).toEqual(['s connect']);
    expect(closed).not.toContain(`/:${sid}`);
    await run(`h.sockets.s.send('after beats')`);
    await waitForLog('s message "after beats"');
  });

  it('a server disconnect reaches the client as booted, and it does not reconnect', async () => {
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options(transport, { reconnect: true, 'reconnection delay': 100 }))})`);
    await waitForLog('s connect');
    expect(await run('h.used.s')).toBe(transport);
    const sid = String(await run('h.sockets.s.socket.sessionid'));
    await run(`h.sockets.s.send('close-me')`);
    await waitForLog('s disconnect booted');
    await waitUntil(() => closed.includes(`/:${sid}`), 'onClose');
    // A beat of the server's own heartbeat period later, no reconnection has started.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await log()).toEqual(['s connect', 's disconnect booted']);
  });

  it('300 messages each way arrive in order', async () => {
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options(transport))})`);
    await waitForLog('s connect');
    expect(await run('h.used.s')).toBe(transport);
    await run(`for (let i = 0; i < 300; i++) h.sockets.s.send('c' + i);`);
    await waitForLog('s message "c', 300, 15_000);
    await run(`h.sockets.s.send('burst')`);
    await waitForLog('s message "s', 300, 15_000);
    const messages = (await log()).filter((line) => line.startsWith('s message'));
    expect(messages).toEqual([...Array.from({ length: 300 }, (_, i) => `s message "c${i}"`), ...Array.from({ length: 300 }, (_, i) => `s message "s${i}"`)]);
  });

  it('reconnects after a server restart on the same port', async () => {
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options(transport, { reconnect: true, 'reconnection delay': 100, 'reconnection limit': 400, 'max reconnection attempts': 100 }))})`);
    await waitForLog('s connect');
    expect(await run('h.used.s')).toBe(transport);
    const port = suite.server.port;
    const first = String(await run('h.sockets.s.socket.sessionid'));
    await suite.server.close();
    await waitForLog('s disconnect', 1, 10_000);
    suite.server = await startServer(port);
    await waitForLog('s reconnect', 1, 15_000);
    const second = String(await run('h.sockets.s.socket.sessionid'));
    expect(second).not.toBe(first);
    expect(await run('h.used.s')).toBe(transport);
    await run(`h.sockets.s.send('back')`);
    await waitForLog('s message "back"');
  }, 30_000);
});
