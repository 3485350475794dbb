/**
 * Connection state recovery (setting `recovery`) with the real
 * socket.io-client 4.x: a client that drops for less than
 * `maxDisconnection` comes back with its id, its rooms and every packet it
 * missed, in order, once; anything else starts afresh, and nothing stays
 * behind.
 */
import { io, type Socket } from 'socket.io-client';
import { waitForCallback as waitFor } from '../helpers/callback';
import { ioV2 } from '../helpers/v2-client';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo, type RouterSettings } from '../../src';

interface Harness {
  port: number;
  router: ReturnType<typeof getRouter>;
  opened: Array<{ id: string; info: ConnectionInfo; rooms: string[] }>;
  closed: string[];
  live: Map<string, SocketConnection>;
  close(): Promise<void>;
}

const sockets: Array<{ close(): void }> = [];

async function startServer(settings: RouterSettings = {}): Promise<Harness> {
  const opened: Harness['opened'] = [];
  const closed: string[] = [];
  const live = new Map<string, SocketConnection>();
  class Chat extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      opened.push({ id: this.id, info, rooms: [...this.rooms] });
      live.set(this.id, this);
      if (!info.recovered) this.join('lobby');
      if (info.auth.greet === true) this.emit('hello', 'from onOpen');
      this.on('kick-me', () => this.disconnect());
      this.on('ping-me', (ack?: (text: string) => void) => ack?.('pong'));
    }
    override onClose(): void {
      closed.push(this.id);
      if (live.get(this.id) === this) live.delete(this.id);
    }
  }
  const router = getRouter(Chat, { logger: silentLogger, recovery: { maxDisconnection: 5 }, ...settings });
  const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
  await server.listening;
  return { port: server.port, router, opened, closed, live, close: () => server.close() };
}

let harness: Harness;

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await harness?.close();
});

function connectV4(options: { transports?: string[]; auth?: Record<string, unknown> } = {}): Socket {
  const socket = io(`http://127.0.0.1:${harness.port}`, { reconnection: false, forceNew: true, transports: options.transports ?? ['websocket'], auth: options.auth });
  sockets.push(socket);
  return socket;
}

async function connected(socket: Socket): Promise<void> {
  if (socket.connected) return;
  await waitFor('the connect event', (done) => socket.once('connect', () => done(undefined)));
}

/** Collects the `n` events a client receives (each with the offset recovery appends as its last argument). */
function received(socket: Socket): Array<[number, unknown]> {
  const seen: Array<[number, unknown]> = [];
  socket.on('n', (value: number, offset: unknown) => seen.push([value, offset]));
  return seen;
}

/** A connected client of `/`, its `n` events collected, that has had the first: `emitFirst` sends it. */
async function clientWithFirstEvent(emitFirst: () => void): Promise<{ client: Socket; seen: Array<[number, unknown]> }> {
  const client = connectV4();
  const seen = received(client);
  await connected(client);
  emitFirst();
  await until('the first', () => seen.length === 1);
  return { client, seen };
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Drops the client's transport as a network failure would, and waits until the server has seen the connection close. */
async function dropTransport(socket: Socket): Promise<void> {
  const before = harness.closed.length;
  const gone = waitFor('the disconnect event', (done) => socket.once('disconnect', (reason) => done(reason)));
  socket.io.engine.close();
  expect(await gone).toBe('forced close');
  await until('the server to see the drop', () => harness.closed.length > before);
}

describe.each([['websocket'], ['polling']])('over %s', (transport) => {
  test('a client that drops gets its id, rooms and every missed packet back, in order and once', async () => {
    harness = await startServer();
    const client = connectV4({ transports: [transport] });
    const seen = received(client);
    await connected(client);
    const firstId = client.id;
    expect(harness.opened[0].info.recovered).toBe(false);
    for (const n of [1, 2, 3]) harness.router.to('lobby').emit('n', n);
    await until('the first three', () => seen.length === 3);
    await dropTransport(client);
    expect(harness.router.stats.connectionsAwaitingRecovery).toBe(1);
    expect(harness.router.stats.connections).toBe(0);
    // Missed while away: room broadcasts, broadcasts to everyone, and packets to its own id.
    harness.router.to('lobby').emit('n', 4);
    harness.router.emit('n', 5);
    harness.router.to(firstId as string).emit('n', 6);
    harness.router.to('elsewhere').emit('n', 99);
    client.connect();
    await connected(client);
    expect(client.recovered).toBe(true);
    expect(client.id).toBe(firstId);
    await until('the missed three', () => seen.length === 6);
    harness.router.to('lobby').emit('n', 7);
    await until('a new one', () => seen.length === 7);
    expect(seen.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Every offset is a string, and each differs from the others.
    expect(new Set(seen.map(([, offset]) => offset)).size).toBe(7);
    const reopened = harness.opened[1];
    expect(reopened.info.recovered).toBe(true);
    expect(reopened.id).toBe(firstId);
    expect(reopened.rooms).toContain('lobby');
    // The private id and offset are tornadio's, not the application's auth.
    expect(reopened.info.auth).toEqual({});
    expect(harness.router.stats.connectionsAwaitingRecovery).toBe(0);
    expect(harness.closed).toEqual([firstId]);
  });
});

test('packets the connection sent itself come back too, and what onOpen sends follows them', async () => {
  harness = await startServer();
  const client = connectV4({ auth: { greet: true } });
  const seen = received(client);
  const hellos: string[] = [];
  client.on('hello', (text: string) => hellos.push(text));
  await connected(client);
  harness.live.get(client.id as string)?.emit('n', 1);
  await until('the first', () => seen.length === 1);
  const id = client.id as string;
  await dropTransport(client);
  // The connection itself is gone; what the server sends to its id waits for it.
  harness.router.to(id).emit('n', 2);
  const order: string[] = [];
  client.onAny((event: string) => order.push(event));
  client.connect();
  await connected(client);
  await until('the missed one and the greeting', () => seen.length === 2 && hellos.length === 2);
  expect(order).toEqual(['n', 'hello']);
  expect(client.recovered).toBe(true);
});

test('a connection that stays away past maxDisconnection starts afresh, and leaves no room behind', async () => {
  harness = await startServer({ recovery: { maxDisconnection: 0.2 } });
  const { client } = await clientWithFirstEvent(() => harness.router.to('lobby').emit('n', 1));
  const firstId = client.id;
  await dropTransport(client);
  await until('the dropped connection to expire', () => harness.router.stats.connectionsAwaitingRecovery === 0);
  expect(await harness.router.in('lobby').fetchConnections()).toEqual([]);
  client.connect();
  await connected(client);
  expect(client.recovered).toBe(false);
  expect(client.id).not.toBe(firstId);
  expect(harness.opened[1].info.recovered).toBe(false);
});

test('a server disconnect and a client disconnect are final: nothing waits for them', async () => {
  harness = await startServer();
  const kicked = connectV4();
  await connected(kicked);
  const reason = waitFor('the kick', (done) => kicked.once('disconnect', (why) => done(why)));
  kicked.emit('kick-me');
  expect(await reason).toBe('io server disconnect');
  const leaving = connectV4();
  await connected(leaving);
  leaving.disconnect();
  await until('both to close', () => harness.closed.length === 2);
  expect(harness.router.stats.connectionsAwaitingRecovery).toBe(0);
});

test('a client that breaks the protocol is not kept for recovery', async () => {
  harness = await startServer();
  const { client } = await clientWithFirstEvent(() => harness.router.emit('n', 1));
  const gone = waitFor('the disconnect', (done) => client.once('disconnect', (reason) => done(reason)));
  // A message packet whose Socket.IO packet type does not exist.
  client.io.engine.write('9');
  await gone;
  await until('the server to close it', () => harness.closed.length === 1);
  expect(harness.router.stats.connectionsAwaitingRecovery).toBe(0);
});

test('a forged private id or an unknown offset gets a fresh connection, and the real one stays recoverable', async () => {
  harness = await startServer();
  const { client, seen } = await clientWithFirstEvent(() => harness.router.emit('n', 1));
  const firstId = client.id;
  await dropTransport(client);
  const forged = connectV4({ auth: { pid: 'forged-private-id', offset: String(seen[0][1]) } });
  await connected(forged);
  expect(forged.recovered).toBe(false);
  expect(forged.id).not.toBe(firstId);
  expect(harness.router.stats.connectionsAwaitingRecovery).toBe(1);
  client.connect();
  await connected(client);
  expect(client.recovered).toBe(true);
  expect(client.id).toBe(firstId);
  // A wrong offset with the right private id: that connection cannot be made whole, so it starts afresh.
  await dropTransport(client);
  const clientWithWrongOffset = client as unknown as { _lastOffset: string };
  clientWithWrongOffset._lastOffset = 'never-sent';
  client.connect();
  await connected(client);
  expect(client.recovered).toBe(false);
  expect(client.id).not.toBe(firstId);
  expect(harness.router.stats.connectionsAwaitingRecovery).toBe(0);
});

test('a connection that misses more than maxMissed packets starts afresh, and stops collecting at the bound', async () => {
  harness = await startServer({ recovery: { maxDisconnection: 5, maxMissed: 3 } });
  const { client, seen } = await clientWithFirstEvent(() => harness.router.emit('n', 0));
  await dropTransport(client);
  for (let n = 1; n <= 10; n++) harness.router.emit('n', n);
  client.connect();
  await connected(client);
  expect(client.recovered).toBe(false);
  expect(seen.map(([n]) => n)).toEqual([0]);
});

test('acked emits carry no offset and are not replayed, as in socket.io', async () => {
  harness = await startServer();
  const client = connectV4();
  await connected(client);
  const args = waitFor<unknown[]>('the question', (done) => client.once('question', (...received: unknown[]) => done(received)));
  const answer = harness.live.get(client.id as string)?.emitWithAck('question', 'why?');
  const [text, ack] = await args;
  expect(text).toBe('why?');
  (ack as (reply: string) => void)('because');
  expect(await answer).toBe('because');
});

test('socket.io-client 2.x beside it gets no offsets and no recovery', async () => {
  harness = await startServer();
  const v2 = ioV2(`http://127.0.0.1:${harness.port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(v2);
  await waitFor('the 2.x connect', (done) => v2.once('connect', () => done(undefined)));
  const args = waitFor<unknown[]>('the 2.x event', (done) => v2.once('n', (...received: unknown[]) => done(received)));
  harness.router.emit('n', 1);
  expect(await args).toEqual([1]);
  v2.io.engine.close();
  await until('the 2.x drop', () => harness.closed.length === 1);
  expect(harness.router.stats.connectionsAwaitingRecovery).toBe(0);
});

test('recovery settings are checked, naming the key', () => {
  expect(() => getRouter(SocketConnection, { recovery: { maxDisconnection: -1 } })).toThrow(/recovery\.maxDisconnection/);
  expect(() => getRouter(SocketConnection, { recovery: { maxMissed: 0 } })).toThrow(/recovery\.maxMissed/);
  expect(() => getRouter(SocketConnection, { recovery: { maxDisconect: 3 } as never })).toThrow(/recovery\.maxDisconect.*unknown/);
});
