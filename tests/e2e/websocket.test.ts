/**
 * The real Socket.IO 0.6 browser client, in headless Chromium, forced onto
 * the websocket transport against a real tornadio server on 127.0.0.1.
 */
import { fileHandler, getRouter, type SocketRouter } from 'tornadio';
import { HarnessPage, TEST_PAGE_PATH, waitUntil, type ClientOptions } from './browser';
import { createRecordingEcho, useServerAndBrowser, type ServerRecord } from './echo-server';
import { testConnectAndEcho } from './echo-tests';

const echo = createRecordingEcho();
const { EchoConnection, logger, recordOf } = echo;

let router: SocketRouter;
/** Same connection class under another resource, with heartbeats every 0.3 s instead of 12 s. */
let heartbeatRouter: SocketRouter;
const suite = useServerAndBrowser(echo, () => {
  router = getRouter(EchoConnection, { logger });
  heartbeatRouter = getRouter(EchoConnection, { logger, resource: 'heartbeat', heartbeatInterval: 0.3 });
  return [router.route(), heartbeatRouter.route(), ['/', fileHandler(TEST_PAGE_PATH)]];
});

let client: HarnessPage;

beforeEach(async () => {
  client = await HarnessPage.open(suite.context, suite.pageUrl);
});

/** Connects the page over websocket only and returns what the server recorded for it. */
async function connect(options: ClientOptions = {}): Promise<ServerRecord> {
  // The client's isXDomain() compares this host with document.domain: the page is loaded from it too.
  await client.connect({ transports: ['websocket'], rememberTransport: false, port: suite.server.port, ...options }, '127.0.0.1');
  return recordOf(await client.sessionId());
}

describe('the 0.6 client over websocket', () => {
  testConnectAndEcho({ name: 'websocket', client: () => client, router: () => router, connect }, '😀 héllo 中文 e\u0301 🇫🇷 𝄞');

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
