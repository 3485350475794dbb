import { createConnection } from 'node:net';
import WebSocket from 'ws';
import { decodePayload } from '../../src/protocols/v06/codec';
import { connect, waitFor, WebSocketClient } from '../helpers/test-client';
import { startEchoServer, type TestServer } from '../helpers/server';

describe('websocket transport', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it('closes an oversized message with 1009 and keeps serving others', async () => {
    server = await startEchoServer({ maxMessageSize: 1024 });
    const big = (await connect('websocket', server.port)) as WebSocketClient;
    const other = await connect('websocket', server.port);
    await big.sendRaw(`~m~2000~m~${'x'.repeat(2000)}`).catch(() => undefined);
    await big.closed;
    expect(big.closeCode).toBe(1009);
    await waitFor(() => server.log.closed.includes(big.sessionId), 5000, 'onClose');
    await other.send('ok');
    expect(await other.waitForMessages(1)).toEqual(['ok']);
  });

  it('closes a connection that sends invalid UTF-8 (1007), others unaffected', async () => {
    server = await startEchoServer();
    const client = (await connect('websocket', server.port)) as WebSocketClient;
    const other = await connect('websocket', server.port);
    // A text frame whose payload is not UTF-8: ws (the library) must refuse it.
    client.socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    await client.closed;
    expect(client.closeCode).toBe(1007);
    await other.send('ok');
    expect(await other.waitForMessages(1)).toEqual(['ok']);
  });

  it('coalesces frames sent in the same tick into one websocket message', async () => {
    server = await startEchoServer();
    const client = (await connect('websocket', server.port)) as WebSocketClient;
    const raw: string[] = [];
    client.socket.on('message', (data) => raw.push(data.toString()));
    await client.send('burst:3');
    await client.waitForMessages(3);
    expect(raw).toEqual(['~m~2~m~m0~m~2~m~m1~m~2~m~m2']);
  });

  it('refuses upgrades to unknown paths and disabled transports with a status', async () => {
    server = await startEchoServer({ enabledProtocols: ['websocket', 'xhr-polling'] });
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`);
        socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('open', () => reject(new Error('upgrade accepted')));
        socket.on('error', () => undefined);
      });
    expect(await statusOf('/socket.io/flashsocket')).toBe(403);
    expect(await statusOf('/socket.io/xhr-polling')).toBe(403);
    expect(await statusOf('/socket.io/nonsense')).toBe(400);
    expect(await statusOf('/elsewhere')).toBe(404);
    const ok = await connect('websocket', server.port);
    expect(ok.sessionId).toBeTruthy();
  });

  it('answers a garbage upgrade request without crashing', async () => {
    server = await startEchoServer();
    const reply = await new Promise<string>((resolve) => {
      const socket = createConnection(server.port, '127.0.0.1', () => {
        socket.write('GET /socket.io/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.setTimeout(5000, () => socket.destroy());
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const client = await connect('websocket', server.port);
    await client.send('alive');
    expect(await client.waitForMessages(1)).toEqual(['alive']);
  });

  it('refuses an upgrade from a forbidden origin', async () => {
    server = await startEchoServer({ origins: ['good.example:80'] });
    const refused = await connect('websocket', server.port, { headers: { Origin: 'http://evil.example' } }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    const allowed = await connect('websocket', server.port, { headers: { Origin: 'http://good.example' } });
    expect(allowed.sessionId).toBeTruthy();
  });

  it('delivers messages sent by the client while an async onOpen is pending', async () => {
    let release!: () => void;
    server = await startEchoServer({}, { onOpen: () => new Promise<void>((resolve) => (release = resolve)) });
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/websocket`);
    const received: string[] = [];
    socket.on('message', (data) => received.push(data.toString()));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send('~m~5~m~early');
    await waitFor(() => typeof release === 'function', 2000, 'onOpen');
    // The frame has reached the server (its bytes are counted on arrival) but waits for onOpen.
    await waitFor(() => server.router.stats.bytesIn >= '~m~5~m~early'.length, 2000, 'the early frame to reach the server');
    expect(server.log.messages).toEqual([]);
    release();
    await waitFor(() => received.join('').endsWith('~m~5~m~early'), 2000, 'echo');
    expect(decodePayload(received.join('')).messages).toHaveLength(2);
    socket.close();
  });
});
