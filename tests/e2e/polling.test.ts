/**
 * The real Socket.IO 0.6 browser client, in headless Chromium, forced onto
 * each long-polling transport (xhr-polling, then jsonp-polling) against a
 * real tornadio server on 127.0.0.1, with short timings so that polls time
 * out, sessions are swept and heartbeats would fire while the tests run.
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

/** Short timings: every long-poll is answered empty after 1 s, an unattended session expires after 3 s. */
const SETTINGS = { heartbeatInterval: 0.5, xhrPollingTimeout: 1, sessionExpiry: 3, sessionCheckInterval: 0.5 };

/** Longer than the heartbeat interval and the polling timeout together (plus margin): a liveness wait, not a timing check. */
const IDLE_MS = 2_500;

let browser: Browser;
let server: SocketServer;
let router: SocketRouter;
let pageUrl: string;
let context: BrowserContext | undefined;
let blocked: string[];
let client: HarnessPage;
/** Every alert/confirm/prompt the page opened: injected script would show up here. */
let dialogs: string[];

beforeAll(async () => {
  router = getRouter(EchoConnection, { logger, enabledProtocols: ['xhr-polling', 'jsonp-polling'], ...SETTINGS });
  const application = new Application([router.route(), ['/', fileHandler(TEST_PAGE_PATH)]], {
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
  dialogs = [];
  client.page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(blocked).toEqual([]);
  expect(dialogs).toEqual([]);
  expect(serverErrors.splice(0)).toEqual([]);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(['xhr-polling', 'jsonp-polling'])('the 0.6 client over %s', (transport) => {
  /** Connects the page over this transport only and returns what the server recorded for it. */
  async function connect(options: ClientOptions = {}): Promise<ServerRecord> {
    // The client's isXDomain() compares this host and port with the page's: the page is loaded from them too.
    await client.connect({ transports: [transport], rememberTransport: false, port: server.port, ...options }, '127.0.0.1');
    const sessionId = await client.sessionId();
    const record = records.get(sessionId);
    if (!record) throw new Error(`the server has no record of session ${sessionId}`);
    return record;
  }

  test('connects, and the server sees onOpen with that transport', async () => {
    const record = await connect();

    expect(await client.evaluate('harness.socket.transport.type')).toBe(transport);
    expect(await client.events()).toEqual(['connecting', 'connect']);
    expect(record.info.transport).toBe(transport);
    expect(record.info.request.remoteAddress).toBe('127.0.0.1');
    expect(router.connections.get(record.info.sessionId)?.transport).toBe(transport);
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

  test('echoes emoji, astral characters and combining marks exactly', async () => {
    const record = await connect();
    const text = '😀 héllo 中文 e\u0301 𝄞';

    await client.send(text);

    expect(await client.waitForMessages(1)).toEqual([text]);
    expect(record.received).toEqual([text]);
  });

  test('echoes line breaks, script-breaking text and U+2028 exactly, running none of it', async () => {
    const record = await connect();
    const posted: string[] = [];
    client.page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(request.postData() ?? '');
    });
    // jsonp-polling posts through a form's textarea, which turns "\n" into "\r\n";
    // the responses are scripts, which "</script>", "<!--" and U+2028 could break.
    const texts = [
      'line one\nline two\n\nend\n',
      '</script><script>alert(1)</script>',
      'para\u2028graph\u2029end',
      'all at once: a\nb</script><script>alert(2)</script><!--c\u2028d "quoted" \\ back',
    ];

    // The first goes out alone; the others queue while it is posted and go in one payload.
    for (const text of texts) await client.send(text);

    expect(await client.waitForMessages(texts.length)).toEqual(texts);
    expect(record.received).toEqual(texts);
    expect(await client.evaluate('harness.socket.connected')).toBe(true);
    // The case this test is for: the form really did post CRLFs for the client's LFs (xhr-polling posts them as is).
    expect(posted.some((body) => body.includes('%0D%0A'))).toBe(transport === 'jsonp-polling');
  });

  test('a burst of 200 messages from the page is echoed complete and in order', async () => {
    const record = await connect();
    const expected = Array.from({ length: 200 }, (_, i) => `burst ${i}`);

    await client.evaluate('for (var i = 0; i < 200; i++) harness.socket.send("burst " + i)');

    expect(await client.waitForMessages(200)).toEqual(expected);
    expect(record.received).toEqual(expected);
  });

  test('a 200-element array in one send() from the server arrives complete and in order', async () => {
    const record = await connect();
    const expected = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `item ${i}` : { item: i }));

    const connection = router.connections.get(record.info.sessionId);
    if (!connection) throw new Error('the connection is not open on the server');
    connection.send(expected);

    expect(await client.waitForMessages(200)).toEqual(expected);
  });

  test('stays connected through empty polls and heartbeat intervals while idle', async () => {
    const record = await connect();

    // Liveness, not timing: polls are answered empty and re-sent, and no sweep may expire the session.
    await sleep(IDLE_MS);
    await client.send('still here');

    expect(await client.waitForMessages(1)).toEqual(['still here']);
    expect(await client.events()).toEqual(['connecting', 'connect']);
    expect(await client.evaluate('harness.socket.connected')).toBe(true);
    expect(record.closes).toBe(0);
    expect(router.connections.get(record.info.sessionId)?.transport).toBe(transport);
  });

  test('a close from the server is a disconnect event in the page, and onClose runs once', async () => {
    const record = await connect({ reconnect: false });

    await client.send('close-me');

    await client.waitFor('harness.events.indexOf("disconnect") !== -1');
    await waitUntil(() => !router.connections.has(record.info.sessionId), 'the router to drop the connection');
    expect(await client.events()).toEqual(['connecting', 'connect', 'disconnect']);
    expect(await client.evaluate('harness.socket.connected')).toBe(false);
    expect(record.received).toEqual(['close-me']);
    expect(record.closes).toBe(1);
  });
});
