/**
 * Shared pieces of the browser tests: headless Chromium driven by
 * playwright-core, a context that cannot reach beyond 127.0.0.1, and a test
 * page (test-page.html) that runs the real Socket.IO 0.6 client.
 *
 * Page code is passed to the browser as strings, never as functions: the
 * tests compile without the DOM typings, and a function from this file would
 * carry coverage counters into the page under `jest --coverage`.
 */
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Application, fileHandler, silentLogger, SocketServer, type SocketRouter } from '../../src';

/** Debian's chromium; tests/global-setup.js installs it when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** How long any single wait in the page may take. */
export const WAIT_MS = 5_000;

/** The page the tests serve at '/': loads /socket.io/socket.io.js and exposes `harness`. */
export const TEST_PAGE_PATH = join(__dirname, 'test-page.html');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A fresh context (own cookies and storage) whose every request beyond 127.0.0.1 is aborted and recorded. */
export async function newLocalContext(browser: Browser): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  const blocked: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return { context, blocked };
}

/** Dismisses every alert, confirm and prompt that `page` opens, and lists them ('type: message'): page script that should not run shows up here. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return dialogs;
}

/** Polls a condition in Node (server-side state) until it holds; throws after `timeout` ms. */
export async function waitUntil(condition: () => boolean, description: string, timeout = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Options handed to `new io.Socket(host, options)`; `port` defaults to the page's. */
export interface ClientOptions {
  port?: number;
  resource?: string;
  transports?: string[];
  reconnect?: boolean;
  rememberTransport?: boolean;
  connectTimeout?: number;
  [option: string]: unknown;
}

/** The test page in one tab, with the 0.6 client's state readable from Node. */
export class HarnessPage {
  private constructor(readonly page: Page) {}

  /** Opens the test page served at `url` (http://127.0.0.1:<port>/) in a new tab of `context`. */
  static async open(context: BrowserContext, url: string): Promise<HarnessPage> {
    const page = await context.newPage();
    await page.goto(url, { timeout: WAIT_MS });
    await page.waitForFunction('typeof io === "object" && typeof harness === "object"', undefined, { timeout: WAIT_MS });
    return new HarnessPage(page);
  }

  /** Evaluates an expression in the page (`harness` and `io` are globals there). */
  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }

  /** Waits until `expression` is truthy in the page; on timeout the error shows what the client saw. */
  async waitFor(expression: string, timeout = WAIT_MS): Promise<void> {
    try {
      await this.page.waitForFunction(expression, undefined, { timeout });
    } catch (error) {
      const seen = await this.state().catch(() => 'unavailable');
      throw new Error(`waiting for \`${expression}\`: ${(error as Error).message.split('\n')[0]}; client state: ${JSON.stringify(seen)}`);
    }
  }

  /**
   * Creates the client (`new io.Socket(host, options)`; host defaults to the
   * page's), connects it, and waits until it is connected.
   */
  async connect(options: ClientOptions, host?: string): Promise<void> {
    await this.evaluate(`harness.connect(${JSON.stringify(host ?? null)}, ${JSON.stringify(options)})`);
    await this.waitFor('harness.socket.connected === true');
  }

  /** `socket.send(message)` in the page. */
  async send(message: unknown): Promise<void> {
    await this.evaluate(`void harness.socket.send(${JSON.stringify(message)})`);
  }

  /** Waits until the page has received at least `count` messages, then returns them all. */
  async waitForMessages(count: number): Promise<unknown[]> {
    await this.waitFor(`harness.messages.length >= ${count}`);
    return this.messages();
  }

  messages(): Promise<unknown[]> {
    return this.evaluate('harness.messages');
  }

  events(): Promise<string[]> {
    return this.evaluate('harness.events');
  }

  /** The session id the client got from the server (its first message). */
  sessionId(): Promise<string> {
    return this.evaluate('harness.socket.transport.sessionid');
  }

  state(): Promise<unknown> {
    return this.evaluate(
      '({ connected: harness.socket && harness.socket.connected, transport: harness.socket && harness.socket.transport && harness.socket.transport.type, events: harness.events, messages: harness.messages })',
    );
  }
}

/** What a page suite needs of its server: a port to load the page from, and a way to stop. */
interface PageServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The hooks of a suite whose tests each get a fresh page of `server`'s `/`:
 * once `ready` holds in the page, `harness` is evaluated there, defining
 * `h` whose `h.log` collects one line per client event. No request may leave
 * loopback and no dialog may open. Assign `server` to restart it.
 */
export class PageSuite<S extends PageServer> {
  server!: S;
  page!: Page;

  constructor(options: { startServer: () => Promise<S>; ready: string; harness: string; beforeClose?: string }) {
    let browser: Browser;
    let context: BrowserContext;
    let blocked: string[];
    let dialogs: string[];
    beforeAll(async () => {
      [browser, this.server] = await Promise.all([launchBrowser(), options.startServer()]);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await this.server?.close();
    });
    beforeEach(async () => {
      ({ context, blocked } = await newLocalContext(browser));
      this.page = await context.newPage();
      dialogs = recordDialogs(this.page);
      await this.page.goto(`http://127.0.0.1:${this.server.port}/`);
      await this.page.waitForFunction(options.ready, undefined, { timeout: WAIT_MS });
      await this.page.evaluate(options.harness);
    });
    afterEach(async () => {
      if (options.beforeClose) await this.page.evaluate(options.beforeClose).catch(() => undefined);
      await context.close();
      expect(blocked).toEqual([]);
      expect(dialogs).toEqual([]);
    });
  }

  readonly log = (): Promise<string[]> => this.page.evaluate('h.log') as Promise<string[]>;

  readonly run = (script: string): Promise<unknown> => this.page.evaluate(script);

  /** Waits until the page's log holds `count` lines starting with `line`; the error shows the log's end. */
  readonly waitForLog = async (line: string, count = 1, timeout = WAIT_MS): Promise<void> => {
    try {
      await this.page.waitForFunction(`h.log.filter((entry) => entry.startsWith(${JSON.stringify(line)})).length >= ${count}`, undefined, { timeout });
    } catch (error) {
      throw new Error(`waiting for ${count} × ${JSON.stringify(line)}: ${(error as Error).message.split('\n')[0]}; log: ${JSON.stringify((await this.log()).slice(-20))}`);
    }
  };
}

/** A SocketServer on 127.0.0.1 with `router` and, at `/`, the test page `pageFile` of this folder; listening when it resolves. */
export async function servePage(router: SocketRouter, pageFile: string, port = 0): Promise<SocketServer> {
  const app = new Application([router.route(), ['/', fileHandler(join(__dirname, pageFile))]], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger });
  const server = new SocketServer(app);
  await server.listening;
  return server;
}
