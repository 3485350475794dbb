/**
 * The socket.io-client 4.x browser bundle, as tornadio serves it, in headless
 * Chromium: polling only, websocket after an upgrade, events and acks both
 * ways, and binary ArrayBuffers.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Application, fileHandler, getRouter, silentLogger, SocketConnection, SocketServer } from '../../src';
import { launchBrowser, newLocalContext, WAIT_MS } from './browser';

class Echo extends SocketConnection {
  override onOpen(): void {
    this.on('add', (a: number, b: number, ack?: (sum: number) => void) => ack?.(a + b));
    this.on('bytes', (data: Buffer, ack?: (reply: Buffer) => void) => ack?.(Buffer.from([...data].reverse())));
    this.on('ask', async () => this.emit('answer', await this.emitWithAck('question', 'six times seven?')));
  }
}

let browser: Browser;
let server: SocketServer;
let context: BrowserContext;
let blocked: string[];
let page: Page;

beforeAll(async () => {
  const router = getRouter(Echo, { logger: silentLogger });
  const app = new Application([router.route(), ['/', fileHandler(join(__dirname, 'v4-page.html'))]], {
    socketIoPort: 0,
    socketIoAddress: '127.0.0.1',
    logger: silentLogger,
  });
  server = new SocketServer(app);
  [browser] = await Promise.all([launchBrowser(), server.listening]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  ({ context, blocked } = await newLocalContext(browser));
  page = await context.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/`);
});

afterEach(async () => {
  await context.close();
  expect(blocked).toEqual([]);
});

/** Runs `script` in the page: it sees `io`, `options` and `done(result)`; fails after WAIT_MS. */
function inPage<T>(script: string, options: Record<string, unknown>): Promise<T> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out in the page')), ${WAIT_MS});
    const done = (value) => { clearTimeout(timer); resolve(value); };
    const options = ${JSON.stringify(options)};
    ${script}
  })`) as Promise<T>;
}

it.each([
  ['polling only', { transports: ['polling'] }, 'polling'],
  ['polling, then the upgrade to websocket', {}, 'websocket'],
])('%s: an ack, a server emit answered with an ack, and an ArrayBuffer both ways', async (_name, options, transport) => {
  const result = await inPage<{ sum: number; answer: string; bytes: number[]; transport: string }>(
    `
    const socket = io({ reconnection: false, ...options });
    socket.on('question', (text, ack) => ack(text === 'six times seven?' ? '42' : '?'));
    socket.on('connect', async () => {
      const sum = await socket.timeout(3000).emitWithAck('add', 2, 3);
      const answer = new Promise((resolve) => socket.once('answer', resolve));
      socket.emit('ask');
      const reply = await socket.timeout(3000).emitWithAck('bytes', new Uint8Array([1, 2, 3]).buffer);
      const bytes = Array.from(new Uint8Array(reply));
      const finish = async () => done({ sum, answer: await answer, bytes, transport: socket.io.engine.transport.name });
      if (${JSON.stringify(transport)} === 'websocket' && socket.io.engine.transport.name !== 'websocket') socket.io.engine.once('upgrade', finish);
      else finish();
    });
    socket.on('connect_error', (error) => done({ error: error.message }));
    `,
    options,
  );
  expect(result).toEqual({ sum: 5, answer: '42', bytes: [3, 2, 1], transport });
});
