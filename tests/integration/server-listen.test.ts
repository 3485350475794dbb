import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type IncomingMessage } from '../../src';
import { RecordingLogger } from '../helpers/server';

const ROOT = join(__dirname, '../..');

class Echo extends SocketConnection {
  override onMessage(message: IncomingMessage): void {
    this.send(message);
  }
}

/** Holds a port on 127.0.0.1 so the server under test cannot bind it. */
async function occupyPort(): Promise<Server> {
  const blocker = createServer();
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(0, '127.0.0.1', () => resolve());
  });
  return blocker;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function newServer(port: number, options: { logger?: RecordingLogger; autoStart?: boolean } = {}): SocketServer {
  const router = getRouter(Echo, { logger: silentLogger });
  const app = new Application([router.route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: options.logger ?? silentLogger });
  return new SocketServer(app, { autoStart: options.autoStart });
}

/**
 * Lets the work the failure queued run: the listen error arrives in a
 * nextTick, the crash path throws from another nextTick, so two turns of
 * the event loop are enough for a stray uncaught throw to fail the test.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

describe('SocketServer listen failures', () => {
  let blocker: Server | null = null;
  let child: ChildProcess | null = null;

  beforeEach(async () => {
    blocker = await occupyPort();
  });

  afterEach(async () => {
    // Only the child this test spawned, by its pid, and only if it is still running.
    if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    child = null;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = null;
  });

  /** Runs `body` in a fresh node process against the built package, with `server` a SocketServer on `port`. */
  async function runChild(port: number, body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const script = `
      const { SocketConnection, getRouter, Application, SocketServer, silentLogger } = require(${JSON.stringify(join(ROOT, 'dist'))});
      class Echo extends SocketConnection { onMessage(m) { this.send(m); } }
      const port = Number(process.env.BUSY_PORT);
      const stdoutLogger = { ...silentLogger, error: (m) => process.stdout.write('LOGGED ' + m + '\\n') };
      ${body}
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, BUSY_PORT: String(port) };
    delete env.NODE_DEBUG;
    const spawned = spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    let stdout = '';
    let stderr = '';
    spawned.stdout.on('data', (chunk) => (stdout += chunk));
    spawned.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child did not exit within 10 s; stderr: ${stderr}`)), 10000);
      spawned.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    return { code, stdout, stderr };
  }

  it('crashes the process with the real error when nobody awaits listening', async () => {
    const port = portOf(blocker!);
    const { code, stderr } = await runChild(
      port,
      `new SocketServer(new Application([getRouter(Echo, { logger: silentLogger }).route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger }));`,
    );
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain('EADDRINUSE');
    expect(stderr).toContain(`127.0.0.1:${port}`);
    // Reported once, as the uncaught exception, not also as a warning.
    expect(stderr).not.toContain('Warning');
  });

  it('logs the failure with the application logger before crashing', async () => {
    const port = portOf(blocker!);
    const { code, stdout, stderr } = await runChild(
      port,
      `new SocketServer(new Application([getRouter(Echo, { logger: silentLogger }).route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: stdoutLogger }));`,
    );
    expect(code).not.toBe(0);
    expect(stdout).toMatch(new RegExp(`^LOGGED \\[server\\] cannot listen on 127\\.0\\.0\\.1:${port}: Error: listen EADDRINUSE`, 'm'));
    expect(stderr).toContain('EADDRINUSE');
  });

  it('does not crash a process that handles the rejection of listening', async () => {
    const port = portOf(blocker!);
    const { code, stdout, stderr } = await runChild(
      port,
      `const server = new SocketServer(new Application([getRouter(Echo, { logger: silentLogger }).route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger }));
       server.listening.then(() => console.log('listening?!'), (error) => console.log('handled ' + error.code + ' ' + error.port));`,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`handled EADDRINUSE ${port}`);
  });

  it('reports an unhandled rejection when listening is read but its failure ignored', async () => {
    const port = portOf(blocker!);
    const { code, stderr } = await runChild(
      port,
      `const server = new SocketServer(new Application([getRouter(Echo, { logger: silentLogger }).route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger }));
       server.listening.then(() => console.log('listening?!'));`,
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain('EADDRINUSE');
    expect(stderr).toContain(`127.0.0.1:${port}`);
  });

  it('rejects an awaited listening with EADDRINUSE and leaves the process alone', async () => {
    const port = portOf(blocker!);
    const server = newServer(port);
    try {
      await expect(server.listening).rejects.toMatchObject({ code: 'EADDRINUSE', port, address: '127.0.0.1' });
      // Every later look at `listening` sees the same failure; nothing listens.
      await expect(server.listening).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await settle();
      expect(server.httpServer.listening).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('rejects an explicit start() with autoStart false, without crashing', async () => {
    const port = portOf(blocker!);
    const server = newServer(port, { autoStart: false });
    try {
      await settle();
      expect(server.httpServer.listening).toBe(false);
      await expect(server.start()).rejects.toMatchObject({ code: 'EADDRINUSE', port });
      await expect(server.start()).rejects.toMatchObject({ code: 'EADDRINUSE', port });
      await settle();
    } finally {
      await server.close();
    }
  });

  it('logs the listen error with the port to the application logger', async () => {
    const port = portOf(blocker!);
    const logger = new RecordingLogger();
    const server = newServer(port, { logger });
    try {
      await expect(server.listening).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await settle();
      const errors = logger.lines.filter((line) => line.startsWith('error '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`[server] cannot listen on 127.0.0.1:${port}`);
      expect(errors[0]).toContain('EADDRINUSE');
    } finally {
      await server.close();
    }
  });

  it('still listens normally on a free port', async () => {
    const server = newServer(0);
    try {
      await server.listening;
      expect(server.port).toBeGreaterThan(0);
      await expect(server.start()).resolves.toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
