/**
 * The real Socket.IO 0.6 browser client, in headless Chromium, forced onto
 * each long-polling transport (xhr-polling, then jsonp-polling) against a
 * real tornadio server on 127.0.0.1, with short timings so that polls time
 * out, sessions are swept and heartbeats would fire while the tests run.
 */
import { fileHandler, getRouter, type SocketRouter } from 'tornadio';
import { HarnessPage, recordDialogs, TEST_PAGE_PATH, WAIT_MS, waitUntil, type ClientOptions } from './browser';
import { createRecordingEcho, useServerAndBrowser, type ServerRecord } from './echo-server';
import { testConnectAndEcho } from './echo-tests';

const echo = createRecordingEcho();
const { EchoConnection, logger, recordOf } = echo;

/** Short timings: every long-poll is answered empty after 1 s, an unattended session expires after 3 s. */
const SETTINGS = { heartbeatInterval: 0.5, xhrPollingTimeout: 1, sessionExpiry: 3, sessionCheckInterval: 0.5 };

/** Idle long-polls the page must see answered (each after xhrPollingTimeout) and re-sent: a liveness wait, not a timing check. */
const IDLE_POLLS = 3;

let router: SocketRouter;
const suite = useServerAndBrowser(echo, () => {
  router = getRouter(EchoConnection, { logger, enabledProtocols: ['xhr-polling', 'jsonp-polling'], ...SETTINGS });
  return [router.route(), ['/', fileHandler(TEST_PAGE_PATH)]];
});

let client: HarnessPage;
/** Every alert/confirm/prompt the page opened: injected script would show up here. */
let dialogs: string[];

beforeEach(async () => {
  client = await HarnessPage.open(suite.context, suite.pageUrl);
  dialogs = recordDialogs(client.page);
});

afterEach(() => {
  expect(dialogs).toEqual([]);
});

describe.each(['xhr-polling', 'jsonp-polling'])('the 0.6 client over %s', (transport) => {
  /** Connects the page over this transport only and returns what the server recorded for it. */
  async function connect(options: ClientOptions = {}): Promise<ServerRecord> {
    // The client's isXDomain() compares this host and port with the page's: the page is loaded from them too.
    await client.connect({ transports: [transport], rememberTransport: false, port: suite.server.port, ...options }, '127.0.0.1');
    return recordOf(await client.sessionId());
  }

  testConnectAndEcho({ name: transport, client: () => client, router: () => router, connect }, '😀 héllo 中文 e\u0301 𝄞');

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
    const pollPath = `/socket.io/${transport}/${record.info.sessionId}/`;
    let answeredPolls = 0;
    client.page.on('requestfinished', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname.startsWith(pollPath)) answeredPolls++;
    });

    // Liveness, not timing: wait until the page has seen several idle polls answered (empty, after
    // xhrPollingTimeout each) and sent again, longer than the heartbeat interval and the polling
    // timeout together; meanwhile no sweep may expire the session.
    await waitUntil(() => answeredPolls >= IDLE_POLLS, `${IDLE_POLLS} idle polls answered`, IDLE_POLLS * 1000 * SETTINGS.xhrPollingTimeout + WAIT_MS);
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
