/**
 * Seeded fuzzing of the live Engine.IO / Socket.IO paths: mutated packets over
 * websockets and in POST bodies. Each hostile session may be closed; the
 * process, a bystander and the hub's bookkeeping must come through intact.
 * Reproduce a failure with FUZZ_SEED=<seed>.
 */
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer } from '../../src';
import { seededRandom } from '../helpers/random';
import { httpRequest } from '../helpers/test-client';

const SEED = Number(process.env.FUZZ_SEED ?? 0xf00d);
const SEEDS = ['40', '42["echo","x"]', '42/admin,["a"]', '4312["ok"]', '451-["f",{"_placeholder":true,"num":0}]', '41', '2', '3', '6', '1', '4'];
const ALPHABET = '0123456789[]{}",:/-_abc\\x\u00e9\u{1F600}';

class Echo extends SocketConnection {
  override onOpen(): void {
    this.on('echo', (...args: unknown[]) => this.emit('echo', ...args));
    this.on('add', (a: number, b: number, ack?: (sum: number) => void) => ack?.(a + b));
  }
}

function mutated(random: () => number): string {
  let text = SEEDS[Math.floor(random() * SEEDS.length)];
  const edits = Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(random() * (text.length + 1));
    const char = ALPHABET[Math.floor(random() * ALPHABET.length)];
    text = random() < 0.6 ? text.slice(0, at) + char + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  return text;
}

describe(`Engine.IO fuzz (seed ${SEED})`, () => {
  let server: SocketServer;
  let router: ReturnType<typeof getRouter>;
  let bystander: Socket;
  beforeAll(async () => {
    router = getRouter(Echo, { logger: silentLogger });
    server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    await server.listening;
    bystander = io(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bystander did not connect')), 5000);
      bystander.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  afterAll(async () => {
    bystander.disconnect();
    await server.close();
  });

  it('300 websocket sessions of mutated frames, then the bystander still answers and nothing is left behind', async () => {
    const random = seededRandom(SEED);
    for (let session = 0; session < 300; session++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
      ws.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), 2000);
        ws.once('message', () => {
          ws.send('40');
          for (let frame = 0; frame < 10; frame++) {
            if (random() < 0.1) ws.send(Buffer.from([Math.floor(random() * 256)]));
            else ws.send(mutated(random));
          }
          ws.close();
        });
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await expect(bystander.timeout(3000).emitWithAck('add', 20, 22)).resolves.toBe(42);
    // Every hostile session ended: only the bystander's remains (the close of the last ones may still be in flight).
    for (let tries = 0; router.stats.connections !== 1; tries++) {
      if (tries > 500) throw new Error(`${router.stats.connections} connections left`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(router.stats.connections).toBe(1);
  });

  it('300 POSTs of mutated payloads: each answered with a status, and the bystander still answers', async () => {
    const random = seededRandom(SEED + 1);
    const statuses = new Set<number>();
    for (let post = 0; post < 300; post++) {
      const opened = await httpRequest(server.port, 'GET', '/socket.io/?EIO=4&transport=polling');
      const { sid } = JSON.parse(opened.body.substring(1)) as { sid: string };
      const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => mutated(random));
      const body = parts.join(random() < 0.8 ? '\x1e' : '');
      const answer = await httpRequest(server.port, 'POST', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, body, { 'Content-Type': 'text/plain' });
      statuses.add(answer.status);
      expect([200, 400]).toContain(answer.status);
    }
    expect(statuses).toEqual(new Set([200, 400]));
    await expect(bystander.timeout(3000).emitWithAck('add', 1, 2)).resolves.toBe(3);
  });
});
