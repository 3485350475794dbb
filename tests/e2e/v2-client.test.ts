/**
 * The real socket.io-client 2.5.0 browser bundle, as tornadio serves it at
 * `/socket.io/socket.io-2.js`, in headless Chromium: polling only, websocket
 * only and polling upgraded to websocket; events with acks both ways, nested
 * ArrayBuffers and Blobs, a second namespace, refusal in onOpen, a server
 * disconnect, reconnection after a server restart, 300 ordered events each way.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo } from '../../src';
import { httpRequest } from '../helpers/test-client';
import { PageSuite, servePage, waitUntil } from './browser';

const opened: ConnectionInfo[] = [];
const closed: string[] = [];
/** What the server's `echo` handler got, to check the page's Blobs and ArrayBuffers arrive as Buffers. */
const echoed: unknown[][] = [];

class Root extends SocketConnection {
  override onOpen(info: ConnectionInfo) {
    opened.push(info);
    if (info.request.query.deny === 'throw') throw new Error('bad token');
    if (info.request.query.deny === 'root') return false;
    this.on('echo', (...args: unknown[]) => {
      const ack = args.pop();
      echoed.push(args);
      if (typeof ack === 'function') ack(...args);
    });
    this.on('ask', async () => this.emit('answer', await this.emitWithAck('question', { text: 'q?', blob: Buffer.from([9, 8, 7]) })));
    this.on('kick-me', () => this.disconnect());
    this.on('n', (n: string) => this.emit('n', n));
    this.on('burst', () => {
      for (let i = 0; i < 300; i++) this.emit('n', `s${i}`);
    });
    return undefined;
  }
  override onClose() {
    closed.push(this.id);
  }
}

class Chat extends SocketConnection {
  override onOpen(info: ConnectionInfo) {
    opened.push(info);
    if (info.request.query.deny === 'chat') return false;
    this.on('where', (ack: (where: string) => void) => ack(`chat ${info.protocol}`));
    return undefined;
  }
}

function startServer(port = 0): Promise<SocketServer> {
  return servePage(getRouter(Root, { logger: silentLogger, namespaces: { '/chat': Chat } }), 'v2-page.html', port);
}

/** The page's side: named sockets whose every event lands in `h.log` as one line; binary shows as `{"bytes":[…]}`. */
const HARNESS = `window.h = {
  log: [],
  sockets: {},
  show(value) {
    if (value instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(value)) };
    if (Array.isArray(value)) return value.map(h.show);
    if (value && typeof value === 'object') {
      const shown = {};
      for (const key of Object.keys(value)) shown[key] = h.show(value[key]);
      return shown;
    }
    return value;
  },
  open(name, url, options) {
    const s = io(url, Object.assign({ forceNew: true, reconnection: false }, options));
    const log = (entry) => h.log.push(name + ' ' + entry);
    h.sockets[name] = s;
    s.on('connect', () => log('connect'));
    s.on('disconnect', (reason) => log('disconnect ' + reason));
    s.on('error', (error) => log('error ' + JSON.stringify(error)));
    s.on('connect_error', (error) => log('connect_error ' + error.message));
    s.on('reconnect', () => log('reconnect'));
    s.on('n', (n) => log('n ' + n));
    s.on('question', (question, ack) => {
      log('question ' + JSON.stringify(h.show(question)));
      ack({ back: question.blob, mine: new Blob([new Uint8Array([6, 5])]) });
    });
    s.on('answer', (answer) => log('answer ' + JSON.stringify(h.show(answer))));
    s.io.on('open', () => s.io.engine.on('upgrade', (transport) => log('upgrade ' + transport.name)));
  },
  transport(name) { return h.sockets[name].io.engine.transport.name; },
};`;

const suite = new PageSuite({ startServer: () => startServer(), ready: 'typeof io === "function" && io.protocol === 4', harness: HARNESS, beforeClose: 'Object.values(h.sockets).forEach((s) => s.close())' });
const { log, run, waitForLog } = suite;

const base = (): string => `http://127.0.0.1:${suite.server.port}`;


const VENDORED = readFileSync(join(__dirname, '../../vendor/socket.io-client-2/socket.io.js'), 'utf8');

it('serves the vendored 2.5.0 bundle, unmodified, with an ETag, 304 revalidation and gzip', async () => {
  expect(VENDORED).toMatch(/^\/\*!\n \* Socket\.IO v2\.5\.0\n[^]*Released under the MIT License/);
  expect(VENDORED).toBe(readFileSync(require.resolve('socket.io-client-v2/dist/socket.io.js'), 'utf8'));
  const plain = await httpRequest(suite.server.port, 'GET', '/socket.io/socket.io-2.js');
  expect(plain.status).toBe(200);
  expect(plain.headers['content-type']).toMatch(/^application\/javascript/);
  expect(plain.body).toBe(VENDORED);
  const etag = String(plain.headers.etag);
  expect((await httpRequest(suite.server.port, 'GET', '/socket.io/socket.io-2.js', undefined, { 'If-None-Match': etag })).status).toBe(304);
  // The v4 bundle beside it is another file with another tag.
  expect((await httpRequest(suite.server.port, 'GET', '/socket.io/socket.io.min.js')).headers.etag).not.toBe(etag);
  const zipped = await new Promise<{ encoding: unknown; body: Buffer }>((resolve, reject) => {
    get({ host: '127.0.0.1', port: suite.server.port, path: '/socket.io/socket.io-2.js', headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  expect(zipped.encoding).toBe('gzip');
  expect(gunzipSync(zipped.body).toString('utf8')).toBe(VENDORED);
});

it('serves no 2.x bundle with allowEIO3: false, nor with serveClient: false', async () => {
  for (const settings of [{ allowEIO3: false }, { serveClient: false }]) {
    const router = getRouter(Root, { logger: silentLogger, ...settings });
    const other = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    try {
      await other.listening;
      expect((await httpRequest(other.port, 'GET', '/socket.io/socket.io-2.js')).status).toBe(404);
      expect((await httpRequest(other.port, 'GET', '/socket.io/socket.io.min.js')).status).toBe(settings.serveClient === false ? 404 : 200);
    } finally {
      await other.close();
    }
  }
});

/** [name, client options, the transport the client ends on]. */
const MODES: [string, Record<string, unknown>, string][] = [
  ['polling only', { transports: ['polling'] }, 'polling'],
  ['websocket only', { transports: ['websocket'] }, 'websocket'],
  ['polling upgraded to websocket', {}, 'websocket'],
];

describe.each(MODES)('%s', (_name, options, transport) => {
  /** Opens socket `name` and waits for its connect (and, when upgrading, for the upgrade). */
  async function open(name: string, url: string, extra: Record<string, unknown> = {}): Promise<void> {
    await run(`h.open(${JSON.stringify(name)}, ${JSON.stringify(url)}, ${JSON.stringify({ ...options, ...extra })})`);
    await waitForLog(`${name} connect`);
    if (!('transports' in options)) await waitForLog(`${name} upgrade websocket`);
    expect(await run(`h.transport(${JSON.stringify(name)})`)).toBe(transport);
  }

  it('events with acks both ways, nested ArrayBuffers and Blobs each way', async () => {
    await open('s', base());
    echoed.length = 0;
    await run(`h.sockets.s.emit('echo', 1, 'two é😀', (a, b) => h.log.push('s ack ' + JSON.stringify([a, b])))`);
    await waitForLog('s ack');
    await run(`h.sockets.s.emit('echo', { file: new Blob([new Uint8Array([1, 2, 3])]), list: [new Uint8Array([4]).buffer, { deep: new ArrayBuffer(0) }] }, 'text',
      (value, text) => h.log.push('s binary ack ' + JSON.stringify(h.show([value, text]))))`);
    await waitForLog('s binary ack');
    await run(`h.sockets.s.emit('ask')`);
    await waitForLog('s answer');
    expect((await log()).filter((line) => !/^s (connect|upgrade)/.test(line))).toEqual([
      's ack [1,"two é😀"]',
      's binary ack [{"file":{"bytes":[1,2,3]},"list":[{"bytes":[4]},{"deep":{"bytes":[]}}]},"text"]',
      's question {"text":"q?","blob":{"bytes":[9,8,7]}}',
      's answer {"back":{"bytes":[9,8,7]},"mine":{"bytes":[6,5]}}',
    ]);
    const [file, list] = [echoed[1][0] as { file: unknown; list: unknown[] }, (echoed[1][0] as { list: unknown[] }).list];
    expect(Buffer.isBuffer(file.file)).toBe(true);
    expect(Buffer.isBuffer(list[0])).toBe(true);
    expect(opened[opened.length - 1].protocol).toBe('eio3');
  });

  it('a second namespace over the same session; refusals in onOpen and an unknown namespace reach the client as errors', async () => {
    await open('root', base());
    await run(`h.sockets.chat = h.sockets.root.io.socket('/chat'); h.sockets.chat.on('connect', () => h.log.push('chat connect')); h.sockets.chat.open();`);
    await waitForLog('chat connect');
    await run(`h.sockets.chat.emit('where', (where) => h.log.push('chat where ' + where))`);
    await waitForLog('chat where chat eio3');
    await run(`h.sockets.nowhere = h.sockets.root.io.socket('/nowhere'); h.sockets.nowhere.on('error', (e) => h.log.push('nowhere error ' + e)); h.sockets.nowhere.open();`);
    await waitForLog('nowhere error Invalid namespace');
    await run(`h.open('chatDenied', ${JSON.stringify(`${base()}/chat`)}, ${JSON.stringify({ ...options, query: { deny: 'chat' } })})`);
    await waitForLog('chatDenied error "Not authorized"');
    await run(`h.open('rootDenied', ${JSON.stringify(base())}, ${JSON.stringify({ ...options, query: { deny: 'root' } })})`);
    await waitForLog('rootDenied error "Not authorized"');
    await run(`h.open('thrown', ${JSON.stringify(base())}, ${JSON.stringify({ ...options, query: { deny: 'throw' } })})`);
    await waitForLog('thrown error "bad token"');
    for (const name of ['chatDenied', 'rootDenied', 'thrown']) expect((await log()).filter((line) => line.startsWith(`${name} connect`))).toEqual([]);
    // The first socket and its namespace keep working.
    await run(`h.sockets.chat.emit('where', (where) => h.log.push('chat again ' + where))`);
    await waitForLog('chat again chat eio3');
  });

  it('a server disconnect reaches the client as io server disconnect, and it does not reconnect', async () => {
    await open('s', base(), { reconnection: true, reconnectionDelay: 50 });
    const id = String(await run('h.sockets.s.id'));
    await run(`h.sockets.s.emit('kick-me')`);
    await waitForLog('s disconnect io server disconnect');
    await waitUntil(() => closed.includes(id), 'onClose');
    // Several reconnection delays later, no reconnection has started.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await log()).filter((line) => !/^s upgrade/.test(line))).toEqual(['s connect', 's disconnect io server disconnect']);
  });

  it('300 events each way arrive in order', async () => {
    await run(`h.open('s', ${JSON.stringify(base())}, ${JSON.stringify(options)}); h.sockets.s.on('connect', () => { for (let i = 0; i < 300; i++) h.sockets.s.emit('n', 'c' + i); });`);
    // When upgrading, the 300 are sent from the connect on, so they cross the upgrade.
    await waitForLog('s n c', 300, 15_000);
    await run(`h.sockets.s.emit('burst')`);
    await waitForLog('s n s', 300, 15_000);
    const events = (await log()).filter((line) => line.startsWith('s n '));
    expect(events).toEqual([...Array.from({ length: 300 }, (_, i) => `s n c${i}`), ...Array.from({ length: 300 }, (_, i) => `s n s${i}`)]);
    expect(await run(`h.transport('s')`)).toBe(transport);
  });

  it('reconnects after a server restart on the same port', async () => {
    await open('s', base(), { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const port = suite.server.port;
    const first = String(await run('h.sockets.s.id'));
    await suite.server.close();
    await waitForLog('s disconnect transport close', 1, 10_000);
    suite.server = await startServer(port);
    await waitForLog('s reconnect', 1, 15_000);
    await waitForLog('s connect', 2);
    expect(String(await run('h.sockets.s.id'))).not.toBe(first);
    await run(`h.sockets.s.emit('echo', 'back', (text) => h.log.push('s ack ' + text))`);
    await waitForLog('s ack back');
  }, 30_000);
});
