/**
 * The htmlfile transport in headless Chromium. The 0.6 htmlfile client needs
 * IE's ActiveXObject, so htmlfile-page.html plays its part with the same
 * contract: it defines `s._(data, doc)` and opens a real forever iframe on
 * /socket.io/htmlfile//<timestamp>, whose scripts call `parent.s._(…)`.
 * The page records each call raw; the frames are decoded here.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fileHandler, getRouter, type SocketRouter } from 'tornadio';
import { recordDialogs, WAIT_MS, waitUntil } from './browser';
import { createRecordingEcho, useServerAndBrowser, type ServerRecord } from './echo-server';

const HTMLFILE_PAGE_PATH = join(__dirname, 'htmlfile-page.html');

const echo = createRecordingEcho();
const { EchoConnection, logger, recordOf } = echo;

/** One `s._` call as the page recorded it. */
interface Call {
  data: string;
  /** The iframe document's readyState when its script ran: 'loading' while the response is still open. */
  readyState: string;
  /** The `doc` argument was the iframe's own document. */
  fromIframe: boolean;
}

let router: SocketRouter;
let heartbeatRouter: SocketRouter;
const suite = useServerAndBrowser(echo, () => {
  // Heartbeats every 10 s: none is due while a test runs, though the page would answer one.
  const settings = { logger, enabledProtocols: ['htmlfile' as const], sessionExpiry: 3, sessionCheckInterval: 0.5 };
  router = getRouter(EchoConnection, { ...settings, heartbeatInterval: 10 });
  // The same under another resource, with a heartbeat every second; the page has until the next one to answer.
  heartbeatRouter = getRouter(EchoConnection, { ...settings, resource: 'heartbeat', heartbeatInterval: 1 });
  return [router.route(), heartbeatRouter.route(), ['/', fileHandler(HTMLFILE_PAGE_PATH)]];
});

let page: Page;
let dialogs: string[];

beforeEach(async () => {
  page = await suite.context.newPage();
  dialogs = recordDialogs(page);
  await page.goto(suite.pageUrl, { timeout: WAIT_MS });
  await page.waitForFunction('typeof htmlfile === "object" && typeof s === "object"', undefined, { timeout: WAIT_MS });
});

afterEach(() => {
  expect(dialogs).toEqual([]);
});

/** The data of one `~m~<length>~m~<data>` frame; each script carries exactly one, its length in UTF-16 code units. */
function decodeFrame(frame: string): string {
  const match = /^~m~(\d+)~m~/.exec(frame);
  if (!match) throw new Error(`not a frame: ${JSON.stringify(frame)}`);
  const data = frame.slice(match[0].length);
  if (data.length !== Number(match[1])) {
    throw new Error(`frame says ${match[1]} code units but carries ${data.length}: ${JSON.stringify(frame)}`);
  }
  return data;
}

function calls(): Promise<Call[]> {
  return page.evaluate('htmlfile.calls') as Promise<Call[]>;
}

/** Every message after the session id, heartbeats left out, decoded. */
async function messages(): Promise<string[]> {
  return (await calls())
    .slice(1)
    .map((call) => decodeFrame(call.data))
    .filter((data) => !data.startsWith('~h~'));
}

/** Waits until the page has received `count` messages (heartbeats and the session id aside), then returns them. */
async function waitForMessages(count: number): Promise<string[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const seen = await messages();
    if (seen.length >= count) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} messages; the page has ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens the forever iframe (under `resource`) and waits for the session id; returns the server's record of the session. */
async function open(resource = 'socket.io'): Promise<ServerRecord> {
  await page.evaluate(`htmlfile.open(${JSON.stringify(resource)})`);
  await page.waitForFunction('htmlfile.calls.length >= 1', undefined, { timeout: WAIT_MS });
  const [first] = await calls();
  return recordOf(decodeFrame(first.data));
}

function iframeReadyState(): Promise<string> {
  return page.evaluate('htmlfile.iframe.contentDocument.readyState') as Promise<string>;
}

/** `window.pwned` in the page and in the iframe: set only if a message's text ran as script. */
function pwned(): Promise<unknown[]> {
  return page.evaluate('[window.pwned, htmlfile.iframe.contentWindow.pwned]') as Promise<unknown[]>;
}

function post(sessionId: string, frames: string): Promise<string> {
  return page.evaluate(`htmlfile.post(${JSON.stringify(sessionId)}, ${JSON.stringify(frames)})`) as Promise<string>;
}

function frame(text: string): string {
  return `~m~${text.length}~m~${text}`;
}

describe('the htmlfile transport in a forever iframe', () => {
  test('the first call carries the session id, and the server sees onOpen over htmlfile', async () => {
    const record = await open();

    const [first] = await calls();
    expect(first.data).toMatch(/^~m~24~m~[A-Za-z0-9_-]{24}$/);
    expect(first.data).toBe(`~m~24~m~${record.info.sessionId}`);
    expect(first).toMatchObject({ readyState: 'loading', fromIframe: true });
    expect(record.info.transport).toBe('htmlfile');
    expect(record.info.request.remoteAddress).toBe('127.0.0.1');
    expect(router.connections.get(record.info.sessionId)?.transport).toBe('htmlfile');
  });

  test('messages from the server arrive exactly, each in its own script, while the response is still open', async () => {
    const record = await open();
    const connection = router.connections.get(record.info.sessionId);
    if (!connection) throw new Error('the connection is not open on the server');
    const texts = [
      '</script><script>window.pwned=1</script>',
      '<!--',
      '<!-- <script>window.pwned=2</script> -->',
      'para\u2028graph\u2029end',
      '😀 héllo 中文 e\u0301 𝄞',
      'quotes " \' and \\ backslash, & ampersand, \n newline',
    ];

    // One send at a time, each seen in the page before the next: the stream carries them as they are sent.
    for (const [index, text] of texts.entries()) {
      connection.send(text);
      expect((await waitForMessages(index + 1))[index]).toBe(text);
    }
    // Several in one tick are one write, still one script per message.
    connection.send(['batch 1', { json: '</script><script>window.pwned=3</script>' }, 'batch 3']);

    const expected = [...texts, 'batch 1', '~j~{"json":"</script><script>window.pwned=3</script>"}', 'batch 3'];
    expect(await waitForMessages(expected.length)).toEqual(expected);
    expect(await pwned()).toEqual([undefined, undefined]);
    // Every script ran in the iframe while its document was still loading, and it still is: the response is open.
    for (const call of await calls()) expect(call).toMatchObject({ readyState: 'loading', fromIframe: true });
    expect(await iframeReadyState()).toBe('loading');
    expect(router.connections.get(record.info.sessionId)?.isClosed).toBe(false);
  });

  test('messages POSTed from the page are echoed through the iframe', async () => {
    const record = await open();
    const text = '😀 e\u0301 line\nbreak </script><script>window.pwned=1</script> \u2028';
    const value = { a: 1, b: ['two', null], c: '<!--' };

    expect(await post(record.info.sessionId, frame(text))).toBe('200 ok');
    expect(await waitForMessages(1)).toEqual([text]);
    // Two frames in one body, the second JSON.
    expect(await post(record.info.sessionId, frame('second') + frame(`~j~${JSON.stringify(value)}`))).toBe('200 ok');

    const echoed = await waitForMessages(3);
    expect(echoed.slice(0, 2)).toEqual([text, 'second']);
    expect(JSON.parse(echoed[2].replace(/^~j~/, ''))).toEqual(value);
    expect(echoed[2].startsWith('~j~')).toBe(true);
    expect(record.received).toEqual([text, 'second', value]);
    expect(await pwned()).toEqual([undefined, undefined]);
    expect(await iframeReadyState()).toBe('loading');
  });

  test('stays open across heartbeats that the page answers', async () => {
    const record = await open('heartbeat');

    // Three beats at one a second: a liveness wait, with room for a loaded machine.
    await page.waitForFunction('htmlfile.answered.length >= 3', undefined, { timeout: 10_000 });
    expect(await post(record.info.sessionId, frame('still here'))).toBe('200 ok');

    expect(await waitForMessages(1)).toEqual(['still here']);
    expect(((await page.evaluate('htmlfile.answered')) as string[]).slice(0, 3)).toEqual(['1', '2', '3']);
    expect(await page.evaluate('htmlfile.failedPosts')).toEqual([]);
    expect(record.closes).toBe(0);
    expect(heartbeatRouter.connections.get(record.info.sessionId)?.transport).toBe('htmlfile');
    expect(await iframeReadyState()).toBe('loading');
  });

  test('a close from the server ends the response, and onClose runs once', async () => {
    const record = await open();

    expect(await post(record.info.sessionId, frame('close-me'))).toBe('200 ok');

    await page.waitForFunction('htmlfile.iframe.contentDocument.readyState === "complete"', undefined, { timeout: WAIT_MS });
    await waitUntil(() => !router.connections.has(record.info.sessionId), 'the router to drop the connection');
    expect(record.received).toEqual(['close-me']);
    expect(record.closes).toBe(1);
    expect(await page.evaluate('htmlfile.failedPosts')).toEqual([]);
  });
});
