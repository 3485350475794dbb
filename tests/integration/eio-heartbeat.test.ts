import WebSocket from 'ws';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer } from '../../src';
import { httpRequest } from '../helpers/test-client';

/** Resolves with the first value `register` hands its callback, or fails after `ms`. */
function waitFor<T>(what: string, register: (done: (value: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

class Quiet extends SocketConnection {}

describe('Engine.IO heartbeat and handshake (the protocol suite\'s settings: 300 ms / 200 ms)', () => {
  let server: SocketServer;
  let port: number;
  beforeAll(async () => {
    const router = getRouter(Quiet, { logger: silentLogger, pingInterval: 0.3, pingTimeout: 0.2, connectTimeout: 1 });
    server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    port = server.port;
  });
  afterAll(async () => server.close());

  function open(): { ws: WebSocket; frames: string[]; next(): Promise<string>; closed: Promise<number> } {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    const waiting: Array<(frame: string) => void> = [];
    ws.on('message', (data) => {
      const frame = data.toString();
      const waiter = waiting.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const next = () => (frames.length > 0 ? Promise.resolve(frames.shift() as string) : waitFor<string>('a frame', (done) => waiting.push(done), 3000));
    return { ws, frames, next, closed };
  }

  it('opens with the handshake the spec describes', async () => {
    const client = open();
    const handshake = JSON.parse((await client.next()).substring(1)) as Record<string, unknown>;
    expect(handshake).toEqual({ sid: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), upgrades: [], pingInterval: 300, pingTimeout: 200, maxPayload: 1_000_000 });
    client.ws.close();
  });

  it('pings every pingInterval while pongs come back, and closes after pingTimeout without one', async () => {
    const client = open();
    await client.next(); // open
    client.ws.send('40');
    expect(await client.next()).toMatch(/^40\{"sid":/);
    for (let beat = 0; beat < 3; beat++) {
      expect(await client.next()).toBe('2');
      client.ws.send('3');
    }
    expect(await client.next()).toBe('2');
    // No pong this time: the server closes the session.
    await waitFor<number>('the close', (done) => void client.closed.then(done), 3000);
  });

  it('closes a session that joins no namespace within connectTimeout', async () => {
    const client = open();
    await client.next();
    // Answer pings, so only the missing CONNECT can end it.
    client.ws.on('message', (data) => {
      if (data.toString() === '2') client.ws.send('3');
    });
    await waitFor<number>('the close', (done) => void client.closed.then(done), 4000);
  });

  it.each([
    ['an unknown transport', '/socket.io/?EIO=4&transport=carrier-pigeon', 'GET', 400, { code: 0, message: 'Transport unknown' }],
    ['an unknown sid', '/socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAAAAAA', 'GET', 400, { code: 1, message: 'Session ID unknown' }],
    ['a handshake that is not a GET', '/socket.io/?EIO=4&transport=polling', 'POST', 400, { code: 2, message: 'Bad handshake method' }],
    ['an unsupported version', '/socket.io/?EIO=5&transport=polling', 'GET', 400, { code: 5, message: 'Unsupported protocol version' }],
  ])('answers %s as engine.io does', async (_what, path, method, status, body) => {
    const result = await httpRequest(port, method, path);
    expect(result.status).toBe(status);
    expect(JSON.parse(result.body)).toEqual(body);
  });
});
