/**
 * The real Socket.IO 0.6 browser client, in headless Chromium, forced onto
 * the websocket transport against a real tornadio server on 127.0.0.1.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import {
  Application,
  fileHandler,
  getRouter,
  SocketConnection,
  SocketServer,
  type ConnectionInfo,
  type IncomingMessage,
  type Logger,
  type SocketRouter,
} from '../../src'; // what 'tornadio' maps to under jest; tsc (moduleResolution node) cannot resolve the self-reference
import { HarnessPage, launchBrowser, newLocalContext, TEST_PAGE_PATH, waitUntil, type ClientOptions } from './browser';

/** What the server saw of one connection, by session id. */
interface ServerRecord {
  info: ConnectionInfo;
  received: IncomingMessage[];
  closes: number;
}

const records = new Map<string, ServerRecord>();

class EchoConnection extends SocketConnection {
  #record: ServerRecord | undefined;

  override onOpen(info: ConnectionInfo): void {
    this.#record = { info, received: [], closes: 0 };
    records.set(info.sessionId, this.#record);
  }

  override onMessage(message: IncomingMessage): void {
    this.#record?.received.push(message);
    if (message === 'close-me') this.close();
    else this.send(message);
  }

  override onClose(): void {
    if (this.#record) this.#record.closes++;
  }
}

/** Server errors fail the test that caused them. */
const serverErrors: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (message) => serverErrors.push(message),
};

let browser: Browser;
let server: SocketServer;
let router: SocketRouter;
/** Same connection class under another resource, with heartbeats every 0.3 s instead of 12 s. */
let heartbeatRouter: SocketRouter;
let pageUrl: string;
let context: BrowserContext | undefined;
let blocked: string[];
let client: HarnessPage;


beforeAll(async () => {
  router = getRouter(EchoConnection, { logger });
  heartbeatRouter = getRouter(EchoConnection, { logger, resource: 'heartbeat', heartbeatInterval: 0.3 });
  const application = new Application([router.route(), heartbeatRouter.route(), ['/', fileHandler(TEST_PAGE_PATH)]], {
    socketIoPort: 0,
    socketIoAddress: '127.0.0.1',
    logger,
  });
  server = new SocketServer(application);
  [browser] = await Promise.all([launchBrowser(), server.listening]);
  pageUrl = `http://127.0.0.1:${server.port}/`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  ({ context, blocked } = await newLocalContext(browser));
  client = await HarnessPage.open(context, pageUrl);
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(blocked).toEqual([]);
  expect(serverErrors.splice(0)).toEqual([]);
});

/** Connects the page over websocket only and returns what the server recorded for it. */
async function connect(options: ClientOptions = {}): Promise<ServerRecord> {
  // The client's isXDomain() compares this host with document.domain: the page is loaded from it too.
  await client.connect({ transports: ['websocket'], rememberTransport: false, port: server.port, ...options }, '127.0.0.1');
  const sessionId = await client.sessionId();
  const record = records.get(sessionId);
  if (!record) throw new Error(`the server has no record of session ${sessionId}`);
  return record;
}

describe('the 0.6 client over websocket', () => {
  test('connects, and the server sees onOpen with transport websocket', async () => {
    const record = await connect();

    expect(await client.evaluate('harness.socket.transport.type')).toBe('websocket');
    expect(await client.events()).toEqual(['connecting', 'connect']);
    expect(record.info.transport).toBe('websocket');
    expect(record.info.request.remoteAddress).toBe('127.0.0.1');
    expect(router.connections.get(record.info.sessionId)?.transport).toBe('websocket');
  });

  test('echoes a string', async () => {
    const record = await connect();

    await client.send('hello, tornadio');

    expect(await client.waitForMessages(1)).toEqual(['hello, tornadio']);
    expect(record.received).toEqual(['hello, tornadio']);
  });

  test('echoes a JSON object, which arrives parsed', async () => {
    const record = await connect();
    const value = { text: 'hi', count: 3, ok: true, nothing: null, nested: { list: [1, 'two', { three: 3 }] } };

    await client.send(value);

    const [echoed] = await client.waitForMessages(1);
    expect(echoed).toEqual(value);
    expect(record.received).toEqual([value]);
  });

  test('echoes emoji, accents, CJK and combining marks exactly', async () => {
    const record = await connect();
    const text = '😀 héllo 中文 e\u0301 🇫🇷 𝄞';

    await client.send(text);

    expect(await client.waitForMessages(1)).toEqual([text]);
    expect(record.received).toEqual([text]);
  });

  test('echoes text that looks like the framing itself', async () => {
    const record = await connect();
    const texts = ['~m~5~m~hello', '~m~', 'a~m~1~m~b~m~', '12~m~'];

    for (const text of texts) await client.send(text);

    expect(await client.waitForMessages(texts.length)).toEqual(texts);
    expect(record.received).toEqual(texts);
  });

  test('carries several messages sent in one payload, in order', async () => {
    const record = await connect();

    // An array is one websocket message holding three frames.
    await client.send(['one', 'two', 'three']);

    expect(await client.waitForMessages(3)).toEqual(['one', 'two', 'three']);
    expect(record.received).toEqual(['one', 'two', 'three']);
  });

  test('answers heartbeats and stays connected across them', async () => {
    const record = await connect({ resource: 'heartbeat' });

    await client.waitFor('harness.heartbeats.length >= 3');
    await client.send('still here');

    expect(await client.waitForMessages(1)).toEqual(['still here']);
    expect((await client.evaluate<string[]>('harness.heartbeats')).slice(0, 3)).toEqual(['1', '2', '3']);
    expect(await client.events()).toEqual(['connecting', 'connect']);
    expect(record.closes).toBe(0);
    expect(heartbeatRouter.connections.get(record.info.sessionId)?.transport).toBe('websocket');
  });

  test('a close from the server is a disconnect event in the page', async () => {
    const record = await connect({ reconnect: false });

    await client.send('close-me');

    await client.waitFor('harness.events.indexOf("disconnect") !== -1');
    expect(await client.events()).toEqual(['connecting', 'connect', 'disconnect']);
    expect(await client.evaluate('harness.socket.connected')).toBe(false);
    expect(record.closes).toBe(1);
    expect(router.connections.has(record.info.sessionId)).toBe(false);
  });

  test('a disconnect from the page closes the connection on the server, once', async () => {
    const record = await connect();

    await client.evaluate('void harness.socket.disconnect()');

    await waitUntil(() => record.closes > 0, 'onClose on the server');
    await client.waitFor('harness.events.indexOf("disconnect") !== -1');
    expect(record.closes).toBe(1);
    expect(router.connections.has(record.info.sessionId)).toBe(false);
  });
});
