/**
 * The chatroom example (examples/chatroom) as users see it: two browsers on
 * its page, forced onto websocket, chatting through the real 0.6 client; a 0.6
 * and a v4 page in one room; and a 0.6, a 0.9, a 2.x and a v4 page at once.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SocketRouter, type SocketServer } from 'tornadio';
import { launchBrowser, newLocalContext, WAIT_MS, waitUntil } from './browser';

interface ChatroomModule {
  startChatroom(options?: {
    port?: number;
    address?: string;
    flashPolicyPort?: number;
    routerSettings?: Record<string, unknown>;
  }): { server: SocketServer; router: SocketRouter };
}

// The example is plain JavaScript that does require('tornadio'): under jest
// that resolves to src/index.ts, the same module this file imports.
const { startChatroom } = require('../../examples/chatroom/chatroom.js') as ChatroomModule;

let browser: Browser;
let server: SocketServer;
let router: SocketRouter;
let pageUrl: string;
/** Every user's browser context, with the requests it tried beyond 127.0.0.1. */
const users: Array<{ context: BrowserContext; blocked: string[] }> = [];

beforeAll(async () => {
  ({ server, router } = startChatroom({ port: 0, address: '127.0.0.1', flashPolicyPort: 0 }));
  [browser] = await Promise.all([launchBrowser(), server.listening]);
  pageUrl = `http://127.0.0.1:${server.port}/?transport=websocket`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async () => {
  const done = users.splice(0);
  await Promise.all(done.map(({ context }) => context.close()));
  expect(done.flatMap(({ blocked }) => blocked)).toEqual([]);
});

/** A user: their own browser context, on the chatroom page (0.6 by default, or the v4 page), welcomed. */
async function join(url = pageUrl): Promise<Page> {
  const user = await newLocalContext(browser);
  users.push(user);
  const page = await user.context.newPage();
  await page.goto(url);
  await waitForLines(page, 1);
  return page;
}

/** Waits until the page lists at least `count` messages, then returns them all. */
/** The guest name in a welcome line ("Welcome, guest-ab12! …"). */
function nameIn(welcome: string): string {
  const match = /^Welcome, (guest-\S+)! Type \/nick and a name to choose yours\.$/.exec(welcome);
  if (!match) throw new Error(`not a welcome line: ${welcome}`);
  return match[1];
}

/** Types `text` into the page's chat box and sends it. */
async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.click('button[type=submit]');
}

async function waitForLines(page: Page, count: number): Promise<string[]> {
  const lines = page.locator('#messages li');
  await lines.nth(count - 1).waitFor({ timeout: WAIT_MS });
  return lines.allTextContents();
}

test('the example runs on the library under test', () => {
  expect(router).toBeInstanceOf(SocketRouter);
});

test('two users chat over websocket: welcome, a message to both, a leave notice', async () => {
  const alice = await join();
  const bob = await join();

  const aliceName = nameIn((await waitForLines(alice, 1))[0]);
  const bobName = nameIn((await waitForLines(bob, 1))[0]);
  // Alice hears Bob arrive; Bob, who came later, only gets his welcome.
  expect((await waitForLines(alice, 2))[1]).toBe(`${bobName} joined (Socket.IO 0.6).`);
  expect(await alice.textContent('#status')).toBe('Connected (websocket)');
  expect(await bob.textContent('#status')).toBe('Connected (websocket)');
  expect(router.stats.connectionsByTransport.websocket).toBe(2);

  await say(alice, 'Hello from Alice 👋');

  expect((await waitForLines(bob, 2))[1]).toBe(`${aliceName}: Hello from Alice 👋`);
  expect((await waitForLines(alice, 3))[2]).toBe(`${aliceName}: Hello from Alice 👋`);
  expect(await alice.inputValue('#text')).toBe('');

  await bob.close();

  expect(await waitForLines(alice, 4)).toEqual([
    expect.stringMatching(/^Welcome, /),
    `${bobName} joined (Socket.IO 0.6).`,
    `${aliceName}: Hello from Alice 👋`,
    `${bobName} has left.`,
  ]);
  // The notice goes out from Bob's onClose, after the router dropped him.
  expect(router.connections.size).toBe(1);
});

test('GET /stats answers router.stats as JSON: two users on websocket are two connections', async () => {
  // Users of an earlier test may still be leaving: their sockets close as their contexts do.
  await waitUntil(() => router.connections.size === 0, 'the connections of earlier tests to close');
  const alice = await join();
  await join();

  // From the page, as a dashboard on the same origin would.
  const { status, contentType, body } = (await alice.evaluate(
    `fetch('/stats').then((r) => r.text().then((body) => ({ status: r.status, contentType: r.headers.get('content-type'), body })))`,
  )) as { status: number; contentType: string; body: string };

  expect(status).toBe(200);
  expect(contentType).toMatch(/^application\/json/);
  const stats = JSON.parse(body);
  expect(stats).toMatchObject({ connections: 2, connectionsByTransport: { websocket: 2 } });
  expect(Object.values(stats.connectionsByTransport).reduce((sum: number, count) => sum + (count as number), 0)).toBe(2);
  expect(Object.keys(stats).sort()).toEqual(Object.keys(router.stats).sort());
});

test('a 0.6 browser and a v4 browser chat in the same room, through one connection class', async () => {
  await waitUntil(() => router.connections.size === 0, 'the connections of earlier tests to close');
  const old = await join();
  const current = await join(`http://127.0.0.1:${server.port}/v4`);

  const currentName = nameIn((await waitForLines(current, 1))[0]);
  expect((await waitForLines(old, 2))[1]).toBe(`${currentName} joined (Socket.IO v4).`);
  await waitUntil(() => router.stats.connectionsByProtocol.eio4 === 1, 'the v4 page to connect');
  expect(router.stats.connectionsByProtocol).toMatchObject({ '0.6': 1, eio4: 1 });
  // Who is online, with each one's client generation, on both pages.
  for (const page of [old, current]) {
    await page.waitForFunction(`document.getElementById('online').textContent.split(', ').length === 2`, undefined, { timeout: WAIT_MS });
    const online = (await page.textContent('#online')) ?? '';
    expect(online).toMatch(/^guest-\S+ \(Socket\.IO 0\.6\), guest-\S+ \(Socket\.IO v4\)$/);
  }

  // Both choose a name; each sees the other's, in the messages and in who is online.
  await say(old, '/nick Ada');
  expect((await waitForLines(current, 2))[1]).toMatch(/^guest-\S+ is now Ada\.$/);
  await say(current, '/nick Linus Ü');
  expect((await waitForLines(old, 4))[3]).toBe(`${currentName} is now Linus Ü.`);
  await say(current, '/nick ada');
  expect((await waitForLines(current, 4))[3]).toBe('ada is taken: choose another name.');
  await say(current, '/nick <script>');
  expect((await waitForLines(current, 5))[4]).toBe('A name is 1 to 24 letters, digits, spaces, "_", "." or "-".');
  for (const page of [old, current]) {
    await page.waitForFunction(`document.getElementById('online').textContent === 'Ada (Socket.IO 0.6), Linus Ü (Socket.IO v4)'`, undefined, { timeout: WAIT_MS });
  }

  await say(current, 'hello from 2026');
  expect((await waitForLines(old, 5))[4]).toBe('Linus Ü: hello from 2026');
  expect((await waitForLines(current, 6))[5]).toBe('Linus Ü: hello from 2026');

  await say(old, 'hello from 2010');
  expect((await waitForLines(current, 7))[6]).toBe('Ada: hello from 2010');

  await old.close();
  expect((await waitForLines(current, 8))[7]).toBe('Ada has left.');
  await current.waitForFunction(`document.getElementById('online').textContent === 'Linus Ü (Socket.IO v4)'`, undefined, { timeout: WAIT_MS });
});

test('all four generations in the room at once: 0.6, 0.9, 2.x and v4 pages see each other join, every message, and a leave', async () => {
  await waitUntil(() => router.connections.size === 0, 'the connections of earlier tests to close');
  const base = `http://127.0.0.1:${server.port}`;
  // Joined one after another, so each page hears exactly those who came after it.
  const pages: Array<{ page: Page; generation: string; name: string }> = [];
  for (const [url, generation] of [
    [`${base}/?transport=websocket`, 'Socket.IO 0.6'],
    [`${base}/v09?transport=xhr-polling`, 'Socket.IO 0.9'],
    [`${base}/v2`, 'socket.io-client 2.x'],
    [`${base}/v4?transport=polling`, 'Socket.IO v4'],
  ]) {
    const page = await join(url);
    pages.push({ page, generation, name: nameIn((await waitForLines(page, 1))[0]) });
  }
  await waitUntil(() => router.connections.size === 4, 'four connections');
  expect(router.stats.connectionsByProtocol).toEqual({ '0.6': 1, '0.9': 1, eio3: 1, eio4: 1 });
  const roster = pages.map(({ name, generation }) => `${name} (${generation})`).join(', ');
  for (const { page } of pages) {
    await page.waitForFunction(`document.getElementById('online').textContent === ${JSON.stringify(roster)}`, undefined, { timeout: WAIT_MS });
  }

  // The 2.x page runs the bundle served at /socket.io/socket.io-2.js.
  expect(await pages[2].page.textContent('#status')).toMatch(/^Connected \(2\.x, (polling|websocket)\)$/);
  expect(await pages[2].page.evaluate('io.protocol')).toBe(4);

  const said = pages.map(({ name, generation }) => `${name}: hello from ${generation}`);
  for (const [index, { page, generation }] of pages.entries()) {
    await say(page, `hello from ${generation}`);
    // Everyone has it before the next one speaks, so every page sees the four lines in one order.
    for (const other of pages) await waitForLine(other.page, said[index]);
  }

  const [, , leaver] = pages;
  await leaver.page.close();
  const stayers = pages.filter((entry) => entry !== leaver);
  for (const { page } of stayers) await waitForLine(page, `${leaver.name} has left.`);

  const joined = (from: number) => pages.slice(from + 1).map(({ name, generation }) => `${name} joined (${generation}).`);
  for (const { page } of stayers) {
    const index = pages.findIndex((entry) => entry.page === page);
    expect(await page.locator('#messages li').allTextContents()).toEqual([
      `Welcome, ${pages[index].name}! Type /nick and a name to choose yours.`,
      ...joined(index),
      ...said,
      `${leaver.name} has left.`,
    ]);
    const left = stayers.map(({ name, generation }) => `${name} (${generation})`).join(', ');
    await page.waitForFunction(`document.getElementById('online').textContent === ${JSON.stringify(left)}`, undefined, { timeout: WAIT_MS });
  }
});

/** Waits until the page lists a message containing `text` (the exact lists are checked at the end). */
async function waitForLine(page: Page, text: string): Promise<void> {
  await page.locator('#messages li', { hasText: text }).first().waitFor({ timeout: WAIT_MS });
}
