/**
 * Hostile input, case by case, over the live websocket and POST paths: each
 * gets a bounded answer, is logged, and the session and everyone else keep
 * being served.
 */
import { Application, getRouter, SocketConnection, SocketServer, type IncomingMessage } from '../../src';
import { connect, formBody, httpRequest, type TestClient } from '../helpers/test-client';
import { RecordingLogger, startEchoServer, type TestServer } from '../helpers/server';

const MALFORMED: Array<[string, string]> = [
  ['a non-digit length', '~m~abc~m~hello'],
  ['an enormous length', `~m~${'9'.repeat(400)}~m~x`],
  ['a length past the end', '~m~999999~m~short'],
  ['a truncated frame', '~m~10~m~abc'],
  ['a missing second marker', '~m~5hello'],
  ['no frame at all', 'hello'],
  ['invalid JSON after ~j~', '~m~9~m~~j~{"a":'],
  ['JSON that is not closed', '~m~4~m~~j~['],
  ['a frame inside noise', 'xx~m~2~m~hi'],
];

describe.each(['websocket', 'xhr-polling'] as const)('malformed payloads over %s', (transport) => {
  let server: TestServer;
  let logger: RecordingLogger;
  let client: TestClient;
  let bystander: TestClient;

  beforeAll(async () => {
    logger = new RecordingLogger();
    server = await startEchoServer({ logger });
    client = await connect(transport, server.port);
    bystander = await connect('websocket', server.port);
  });
  afterAll(async () => {
    client.close();
    bystander.close();
    await server.close();
  });

  it.each(MALFORMED)('%s is logged and dropped; the session lives on', async (_name, payload) => {
    const before = logger.lines.length;
    const echoed = client.messages.length;
    await client.sendRaw(payload);
    await client.send('after');
    const messages = await client.waitForMessages(echoed + 1);
    expect(messages[messages.length - 1]).toBe('after');
    expect(logger.lines.slice(before).some((line) => line.startsWith('warn') && line.includes(client.sessionId))).toBe(true);
    expect(server.log.closed).toEqual([]);
  });

  it('an empty POST payload is answered and logged', async () => {
    if (transport !== 'xhr-polling') return;
    const result = await httpRequest(server.port, 'POST', `/socket.io/xhr-polling/${client.sessionId}/send`, formBody(''), {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(result.status).toBe(200);
    expect(logger.lines.some((line) => line.includes('empty payload'))).toBe(true);
  });

  it('keeps the good frames that came before a bad one', async () => {
    const echoed = client.messages.length;
    await client.sendRaw('~m~4~m~good~m~99~m~bad');
    expect((await client.waitForMessages(echoed + 1)).slice(-1)).toEqual(['good']);
  });

  it('everyone else is still served', async () => {
    await bystander.send('fine');
    expect(await bystander.waitForMessages(1)).toEqual(['fine']);
  });
});

describe('exceptions in user callbacks', () => {
  async function serverWith(connectionClass: new (...args: never[]) => SocketConnection) {
    const logger = new RecordingLogger();
    const router = getRouter(connectionClass as never, { logger });
    const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger }));
    await server.listening;
    return { server, router, logger };
  }

  it('onOpen throwing refuses that connection, logged; others connect', async () => {
    let calls = 0;
    class Picky extends SocketConnection {
      override onOpen() {
        if (++calls === 1) throw new Error('first one refused');
      }
      override onMessage(message: IncomingMessage) {
        this.send(message);
      }
    }
    const { server, logger } = await serverWith(Picky);
    try {
      await expect(connect('websocket', server.port)).rejects.toThrow();
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes('onOpen threw') && line.includes('first one refused'))).toBe(true);
      const next = await connect('websocket', server.port);
      await next.send('hi');
      expect(await next.waitForMessages(1)).toEqual(['hi']);
      next.close();
    } finally {
      await server.close();
    }
  });

  it('onOpen rejecting its promise refuses that connection', async () => {
    class Rejecting extends SocketConnection {
      override onOpen(): Promise<boolean> {
        return Promise.reject(new Error('async refusal'));
      }
      override onMessage() {}
    }
    const { server, logger, router } = await serverWith(Rejecting);
    try {
      await expect(connect('xhr-polling', server.port)).rejects.toThrow();
      expect(logger.lines.some((line) => line.includes('async refusal'))).toBe(true);
      expect(router.connections.size).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('onMessage returning a rejected promise closes that session, logged with its id', async () => {
    class AsyncFail extends SocketConnection {
      override async onMessage(message: IncomingMessage) {
        if (message === 'fail') throw new Error('async failure');
        this.send(message);
      }
    }
    const { server, logger } = await serverWith(AsyncFail);
    try {
      const doomed = await connect('websocket', server.port);
      const other = await connect('websocket', server.port);
      await doomed.send('fail');
      await doomed.closed;
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes(doomed.sessionId) && line.includes('async failure'))).toBe(true);
      await other.send('ok');
      expect(await other.waitForMessages(1)).toEqual(['ok']);
      other.close();
    } finally {
      await server.close();
    }
  });

  it('onClose throwing is logged and changes nothing else', async () => {
    class BadClose extends SocketConnection {
      override onMessage(message: IncomingMessage) {
        this.send(message);
      }
      override onClose() {
        throw new Error('close failed');
      }
    }
    const { server, logger, router } = await serverWith(BadClose);
    try {
      const client = await connect('websocket', server.port);
      client.close();
      await client.closed;
      const deadline = Date.now() + 3000;
      while (router.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(router.connections.size).toBe(0);
      expect(logger.lines.some((line) => line.startsWith('error') && line.includes('onClose threw') && line.includes('close failed'))).toBe(true);
      const next = await connect('websocket', server.port);
      expect(next.sessionId).toBeTruthy();
      next.close();
    } finally {
      await server.close();
    }
  });
});
