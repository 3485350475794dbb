import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Application, getRouter, SocketConnection, SocketServer, silentLogger, type IncomingMessage } from '../../src';
import { DEFAULT_POLICY } from '../../src/flash-policy-server';
import { RecordingLogger } from '../helpers/server';

class Echo extends SocketConnection {
  override onMessage(message: IncomingMessage): void {
    this.send(message);
  }
}

const POLICY_FILE = join(__dirname, '../../flashpolicy.xml');

/** Sends raw bytes (possibly in pieces) and collects everything until the server closes. */
function exchange(port: number, pieces: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timed out')));
    socket.on('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

describe('Flash policy', () => {
  let server: SocketServer;
  afterEach(async () => {
    await server.close();
  });

  async function start(settings = {}) {
    const router = getRouter(Echo, { logger: silentLogger });
    const app = new Application([router.route()], {
      socketIoPort: 0,
      socketIoAddress: '127.0.0.1',
      flashPolicyPort: 0,
      flashPolicyFile: POLICY_FILE,
      logger: silentLogger,
      ...settings,
    });
    server = new SocketServer(app);
    await server.listening;
  }

  it('answers the policy request on its own port with the file and a NUL', async () => {
    await start();
    expect(server.flashPolicyPort).toEqual(expect.any(Number));
    const reply = await exchange(server.flashPolicyPort!, ['<policy-file-request/>\0']);
    expect(reply).toBe(`${DEFAULT_POLICY}\0`);
  });

  it('answers a request that arrives in pieces, and several clients independently', async () => {
    await start();
    const replies = await Promise.all([
      exchange(server.flashPolicyPort!, ['<policy-file', '-request/>', '\0']),
      exchange(server.flashPolicyPort!, ['<policy-file-request/>\0']),
      exchange(server.flashPolicyPort!, ['GET / HTTP/1.1\r\n\r\n']),
    ]);
    expect(replies[0]).toBe(`${DEFAULT_POLICY}\0`);
    expect(replies[1]).toBe(`${DEFAULT_POLICY}\0`);
    expect(replies[2]).toBe('');
  });

  it('answers the policy request inline on the HTTP port', async () => {
    await start();
    expect(await exchange(server.port, ['<policy-file-request/>\0'])).toBe(`${DEFAULT_POLICY}\0`);
  });

  it('answers other garbage on the HTTP port with 400 and keeps serving HTTP', async () => {
    await start();
    expect(await exchange(server.port, ['\x00\x01garbage\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400/);
    const response = await fetch(`http://127.0.0.1:${server.port}/socket.io/xhr-polling//1`);
    expect(response.status).toBe(200);
  });

  it('keeps the HTTP server running when the policy port cannot be bound, and says why', async () => {
    const blocker = new SocketServer(
      new Application([getRouter(Echo, { logger: silentLogger }).route()], {
        socketIoPort: 0,
        socketIoAddress: '127.0.0.1',
        flashPolicyPort: 0,
        flashPolicyFile: POLICY_FILE,
        logger: silentLogger,
      }),
    );
    await blocker.listening;
    const logger = new RecordingLogger();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await start({ flashPolicyPort: blocker.flashPolicyPort!, logger });
      expect(server.flashPolicyPort).toBeNull();
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes('cannot listen'))).toBe(true);
      // Said even with a silent logger: a process warning on stderr.
      expect(emitWarning).toHaveBeenCalledWith(expect.stringContaining('cannot listen'), { code: 'TORNADIO_FLASH_POLICY_PORT' });
      const response = await fetch(`http://127.0.0.1:${server.port}/socket.io/xhr-polling//1`);
      expect(response.status).toBe(200);
    } finally {
      emitWarning.mockRestore();
      await blocker.close();
    }
  });

  it('does not start the policy server when flashsocket is disabled', async () => {
    const router = getRouter(Echo, { enabledProtocols: ['websocket'], logger: silentLogger });
    server = new SocketServer(
      new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', flashPolicyPort: 0, flashPolicyFile: POLICY_FILE, logger: silentLogger }),
    );
    await server.listening;
    expect(server.flashPolicyPort).toBeNull();
  });

  it('refuses an unreadable policy file at construction, naming the setting', () => {
    const router = getRouter(Echo, { logger: silentLogger });
    const app = new Application([router.route()], { socketIoPort: 0, flashPolicyFile: '/nonexistent/policy.xml', logger: silentLogger });
    expect(() => new SocketServer(app, { autoStart: false })).toThrow(/"flashPolicyFile"/);
    server = new SocketServer(new Application([router.route()], { socketIoPort: 0, logger: silentLogger }), { autoStart: false });
  });
});

describe('SocketServer', () => {
  it('does not listen until start() with autoStart: false', async () => {
    const router = getRouter(Echo, { logger: silentLogger });
    const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }), {
      autoStart: false,
    });
    expect(server.httpServer.listening).toBe(false);
    await server.start();
    expect(server.httpServer.listening).toBe(true);
    await server.close();
    expect(server.httpServer.listening).toBe(false);
  });

  it('serves the 0.6 client file', async () => {
    const router = getRouter(Echo, { logger: silentLogger });
    const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/socket.io/socket.io.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/javascript; charset=UTF-8');
      expect(await response.text()).toContain('io.Socket');
    } finally {
      await server.close();
    }
  });

  it('refuses unknown options, naming them', () => {
    const app = new Application([], { socketIoPort: 0, logger: silentLogger });
    expect(() => new SocketServer(app, { autostart: false } as never)).toThrow(/"autostart"/);
  });
});
