import { Application, getRouter, SocketConnection, SocketServer, type ApplicationSettings, type ConnectionInfo, type IncomingMessage, type RouterSettings } from '../../src';
import { silentLogger, type Logger } from '../../src/logger';
import { httpRequest, waitFor } from './test-client';

/** What the test server's connections saw, for assertions. */
export interface ServerLog {
  opened: ConnectionInfo[];
  messages: Array<{ sessionId: string; message: IncomingMessage }>;
  closed: string[];
  connections: Map<string, SocketConnection>;
}

export interface TestServer {
  server: SocketServer;
  port: number;
  log: ServerLog;
  router: ReturnType<typeof getRouter>;
  close(): Promise<void>;
}

/** Records every log line so tests can assert on warnings. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(message: string): void {
    this.lines.push(`debug ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

/**
 * An echo server on 127.0.0.1 and a free port. Special messages let tests
 * drive the server: "close-me" closes the connection, "burst:N" sends N
 * numbered messages, "throw" makes onMessage throw, "bye-then-close" sends
 * then closes.
 */
export async function startEchoServer(
  settings: RouterSettings = {},
  hooks: { onOpen?: (info: ConnectionInfo) => unknown; ssl?: { key: Buffer; cert: Buffer }; application?: ApplicationSettings } = {},
): Promise<TestServer> {
  const log: ServerLog = { opened: [], messages: [], closed: [], connections: new Map() };
  class EchoConnection extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      log.opened.push(info);
      log.connections.set(info.sessionId, this);
      return hooks.onOpen?.(info) as boolean | void;
    }
    override onMessage(message: IncomingMessage): void {
      log.messages.push({ sessionId: this.sessionId, message });
      if (message === 'close-me') return this.close();
      if (message === 'throw') throw new Error('user code failed');
      if (message === 'bye-then-close') {
        this.send('bye');
        return this.close();
      }
      if (typeof message === 'string' && message.startsWith('burst:')) {
        const count = Number(message.substring(6));
        this.send(Array.from({ length: count }, (_, i) => `m${i}`));
        return;
      }
      this.send(message);
    }
    override onClose(): void {
      log.closed.push(this.sessionId);
    }
  }
  const router = getRouter(EchoConnection, { logger: silentLogger, ...settings });
  const app = new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger, ...hooks.application });
  const server = new SocketServer(app, hooks.ssl ? { ssl: hooks.ssl } : {});
  await server.listening;
  return { server, port: server.port, log, router, close: () => server.close() };
}

/**
 * Opens a fresh xhr-polling session, never polls it, and waits until the
 * session sweep has expired it (its onClose ran); returns its id. This is an
 * event, not a sleep: it proves that the sweep ran again and again (every
 * `sessionCheckInterval`, for a whole `sessionExpiry`) after the call, with the
 * server's other timers (heartbeats, poll deadlines) running meanwhile. Tests
 * that check something happened only once wait for the first occurrence,
 * then for this: a duplicate caused by a later sweep or timer tick would have
 * happened by then. The probe shows up in `log.closed`, after what came before.
 */
export async function expireProbeSession(server: TestServer, timeoutMs = 5000): Promise<string> {
  const result = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
  const match = /^~m~24~m~([A-Za-z0-9_-]{24})$/.exec(result.body);
  if (result.status !== 200 || !match) throw new Error(`probe handshake answered ${result.status}: ${result.body}`);
  const probe = match[1];
  await waitFor(() => server.log.closed.includes(probe), timeoutMs, `the sweep to expire probe session ${probe}`);
  return probe;
}
