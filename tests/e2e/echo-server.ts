/**
 * The server side of the browser tests: an echo connection that records what
 * the server saw of each session, a logger that collects server errors, and
 * the hooks that run a tornadio server on 127.0.0.1 (and a free port) and
 * Chromium for one test file.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import {
  Application,
  SocketConnection,
  SocketServer,
  type ConnectionClass,
  type ConnectionInfo,
  type IncomingMessage,
  type Logger,
  type Route,
} from 'tornadio';
import { launchBrowser, newLocalContext } from './browser';

/** What the server saw of one connection. */
export interface ServerRecord {
  info: ConnectionInfo;
  received: IncomingMessage[];
  closes: number;
}

export interface RecordingEcho {
  /** Echoes every message back, except 'close-me', which closes the connection instead. */
  EchoConnection: ConnectionClass;
  /** The record of the session with this id; throws if the server has none. */
  recordOf(sessionId: string): ServerRecord;
  /** Logs errors to `serverErrors`, and nothing else. */
  logger: Logger;
  serverErrors: string[];
}

/** A fresh echo connection class, with its own records and its own error log. */
export function createRecordingEcho(): RecordingEcho {
  const records = new Map<string, ServerRecord>();
  const serverErrors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message) => serverErrors.push(message),
  };

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

  function recordOf(sessionId: string): ServerRecord {
    const record = records.get(sessionId);
    if (!record) throw new Error(`the server has no record of session ${sessionId}`);
    return record;
  }

  return { EchoConnection, recordOf, logger, serverErrors };
}

/** What the hooks of `useServerAndBrowser` set up. */
export interface ServerAndBrowser {
  /** Before all tests: the server, listening, and Chromium. */
  server: SocketServer;
  browser: Browser;
  /** The server's '/': http://127.0.0.1:<port>/. */
  pageUrl: string;
  /** Before each test: a fresh context that cannot reach beyond 127.0.0.1 (see newLocalContext). */
  context: BrowserContext;
}

/**
 * Registers the hooks of a browser test file. Before all tests, starts a
 * server for `routes()` on 127.0.0.1 and a free port, logging to `logger`,
 * and launches Chromium; after all, closes both. Before each test, opens a
 * fresh context; after each, closes it, and fails the test if a page in it
 * tried to reach beyond 127.0.0.1 or the server logged an error.
 */
export function useServerAndBrowser(
  { logger, serverErrors }: Pick<RecordingEcho, 'logger' | 'serverErrors'>,
  routes: () => Route[],
): ServerAndBrowser {
  const suite = {} as ServerAndBrowser;
  let context: BrowserContext | undefined;
  let blocked: string[] = [];

  beforeAll(async () => {
    suite.server = new SocketServer(new Application(routes(), { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger }));
    [suite.browser] = await Promise.all([launchBrowser(), suite.server.listening]);
    suite.pageUrl = `http://127.0.0.1:${suite.server.port}/`;
  }, 60_000);

  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });

  beforeEach(async () => {
    ({ context, blocked } = await newLocalContext(suite.browser));
    suite.context = context;
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(blocked).toEqual([]);
    expect(serverErrors.splice(0)).toEqual([]);
  });

  return suite;
}
