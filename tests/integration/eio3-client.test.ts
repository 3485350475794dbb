import { io as ioV4, type Socket as V4Socket } from 'socket.io-client';
import { waitForCallback as waitFor } from '../helpers/callback';
import { RecordingLogger } from '../helpers/server';
import { connect as connect06, httpRequest } from '../helpers/test-client';
import { ioV2, type V2Options, type V2Socket } from '../helpers/v2-client';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage, type RouterSettings } from '../../src';

/** The real socket.io-client 2.5.0 (Engine.IO 3, Socket.IO protocol 4) against tornadio. */

interface Harness {
  server: SocketServer;
  port: number;
  router: ReturnType<typeof getRouter>;
  opened: ConnectionInfo[];
  closed: string[];
  close(): Promise<void>;
}

async function startServer(settings: RouterSettings = {}, port = 0): Promise<Harness> {
  const opened: ConnectionInfo[] = [];
  const closed: string[] = [];
  class Chat extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      opened.push(info);
      if (info.request.query.token === 'bad') throw new Error('bad token');
      if (info.request.query.token === 'no') return false;
      this.join('lobby');
      this.on('add', (a: number, b: number, ack?: (sum: number) => void) => ack?.(a + b));
      this.on('echo', (...args: unknown[]) => this.emit('echo', ...args));
      this.on('shout', (text: string) => this.to('lobby').emit('shout', text));
      this.on('ask', async () => this.emit('answered', await this.emitWithAck('question', 'why?')));
      this.on('ask-binary', async () => this.emit('answered', await this.emitWithAck('question', { blob: Buffer.from([9, 8, 7]) })));
      this.on('kick-me', () => this.disconnect());
      this.on('burst', (count: number) => {
        for (let n = 0; n < count; n++) this.emit('n', n);
      });
      return undefined;
    }
    override onMessage(message: IncomingMessage): void {
      this.send(message);
    }
    override onClose(): void {
      closed.push(this.id);
    }
  }
  class Admin extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      opened.push(info);
      this.emit('welcome', info.request.query.room ?? null);
      if (info.request.query.token === 'bad') {
        const error = new Error('no admins') as Error & { data: unknown };
        error.data = { reason: 'not an admin' };
        throw error;
      }
    }
  }
  const router = getRouter(Chat, { logger: silentLogger, namespaces: { '/admin': Admin }, ...settings });
  const app = new Application([router.route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger });
  const server = new SocketServer(app);
  await server.listening;
  return { server, port: server.port, router, opened, closed, close: () => server.close() };
}

async function connected(client: V2Socket): Promise<void> {
  if (client.connected) return;
  await waitFor<void>('connect', (done) => client.once('connect', () => done()));
}

function ack<T>(client: V2Socket, event: string, ...args: unknown[]): Promise<T> {
  return waitFor<T>(`the ack of ${event}`, (done) => client.emit(event, ...args, (value: T) => done(value)));
}

describe('socket.io-client 2.5.0 against tornadio', () => {
  let harness: Harness;
  const clients: Array<V2Socket | V4Socket> = [];
  beforeAll(async () => {
    harness = await startServer();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => harness.close());

  function connect(options: V2Options = {}, path = ''): V2Socket {
    const client = ioV2(`http://127.0.0.1:${harness.port}${path}`, { reconnection: false, forceNew: true, ...options });
    clients.push(client);
    return client;
  }

  it.each([
    ['polling only', ['polling']],
    ['websocket only', ['websocket']],
    ['polling then upgrade', ['polling', 'websocket']],
  ])('connects to / without a CONNECT (%s), echoes send(), and answers an ack', async (_name, transports) => {
    const client = connect({ transports });
    await connected(client);
    const info = harness.opened[harness.opened.length - 1];
    // socket.io 2's ids: in `/` the socket id is the engine id, which the client shows as its id.
    expect(info).toMatchObject({ protocol: 'eio3', namespace: '/', sessionId: client.id, transport: transports[0] });
    expect(client.id).toBe(client.io.engine.id);
    const echoed = waitFor<unknown>('message', (done) => client.once('message', done));
    client.send({ hello: 'wörld ☃ 😀' });
    await expect(echoed).resolves.toEqual({ hello: 'wörld ☃ 😀' });
    await expect(ack(client, 'add', 2, 3)).resolves.toBe(5);
  });

  it('upgrades to websocket without losing or reordering 300 events either way', async () => {
    const client = connect();
    await connected(client);
    const upgraded = waitFor<void>('upgrade', (done) => client.io.engine.once('upgrade', () => done()));
    const received: number[] = [];
    const all = waitFor<void>('300 echoes', (done) =>
      client.on('echo', (n: number) => {
        received.push(n);
        if (received.length === 300) done();
      }),
    );
    for (let n = 0; n < 300; n++) client.emit('echo', n);
    await all;
    expect(received).toEqual(Array.from({ length: 300 }, (_, n) => n));
    await upgraded;
    expect(client.io.engine.transport.name).toBe('websocket');
    const burst: number[] = [];
    const bursted = waitFor<void>('300 server events', (done) =>
      client.on('n', (n: number) => {
        burst.push(n);
        if (burst.length === 300) done();
      }),
    );
    client.emit('burst', 300);
    await bursted;
    expect(burst).toEqual(Array.from({ length: 300 }, (_, n) => n));
  });

  it.each([['polling'], ['websocket']])('gets the server emit its ack, with binary in it too (%s)', async (transport) => {
    const client = connect({ transports: [transport] });
    client.on('question', (question: unknown, answer: (value: unknown) => void) =>
      answer(typeof question === 'string' ? `because ${question}` : { back: (question as { blob: Buffer }).blob }),
    );
    await connected(client);
    const answered = waitFor<unknown>('answered', (done) => client.once('answered', done));
    client.emit('ask');
    await expect(answered).resolves.toBe('because why?');
    const binaryAnswer = waitFor<{ back: Buffer }>('answered', (done) => client.once('answered', done));
    client.emit('ask-binary');
    // The client's ack holds binary: a BINARY_ACK (6) with a placeholder, and the server gets a Buffer back.
    expect(Buffer.from((await binaryAnswer).back)).toEqual(Buffer.from([9, 8, 7]));
  });

  it.each([['polling (b4 + base64, as the Node client asks b64=1)', ['polling']], ['websocket (binary frames)', ['websocket']]])(
    'carries nested binary both ways over %s',
    async (_name, transports) => {
      const client = connect({ transports });
      await connected(client);
      const back = waitFor<unknown[]>('echo', (done) => client.once('echo', (...args: unknown[]) => done(args)));
      client.emit('echo', { file: Buffer.from([1, 2, 3]), list: [Buffer.from('xyz'), { deep: Buffer.alloc(0) }] }, 'text');
      const [payload, text] = await back;
      expect(text).toBe('text');
      const { file, list } = payload as { file: Buffer; list: [Buffer, { deep: Buffer }] };
      expect(Buffer.from(file)).toEqual(Buffer.from([1, 2, 3]));
      expect(Buffer.from(list[0]).toString()).toBe('xyz');
      expect(Buffer.from(list[1].deep).length).toBe(0);
      await expect(ack<number>(client, 'add', 1, 2)).resolves.toBe(3);
    },
  );

  it('connects another namespace with its query over the same engine session, and refuses an unknown one', async () => {
    const main = connect({ transports: ['websocket'] });
    await connected(main);
    const admin = main.io.socket('/admin', { query: { room: 'blue' } });
    clients.push(admin);
    const welcome = waitFor<unknown>('welcome', (done) => admin.once('welcome', done));
    admin.open();
    await expect(welcome).resolves.toBe('blue');
    await connected(admin);
    const info = harness.opened[harness.opened.length - 1];
    expect(info).toMatchObject({ protocol: 'eio3', namespace: '/admin', sessionId: `/admin#${main.io.engine.id}` });
    expect(admin.id).toBe(`/admin#${main.io.engine.id}`);
    const nowhere = main.io.socket('/nowhere');
    clients.push(nowhere);
    const error = waitFor<unknown>('error', (done) => nowhere.once('error', done));
    nowhere.open();
    await expect(error).resolves.toBe('Invalid namespace');
    // The others keep working.
    await expect(ack(main, 'add', 20, 22)).resolves.toBe(42);
  });

  it('refuses a connection in onOpen: the client gets an error event with the message (or the error data)', async () => {
    const thrown = connect({ query: { token: 'bad' } });
    await expect(waitFor<unknown>('error', (done) => thrown.once('error', done))).resolves.toBe('bad token');
    const refused = connect({ query: { token: 'no' }, transports: ['websocket'] });
    await expect(waitFor<unknown>('error', (done) => refused.once('error', done))).resolves.toBe('Not authorized');
    const admin = connect({ query: { token: 'bad' } }, '/admin');
    // socket.io 2 sends `err.data || err.message`; the refused root reaches every socket of the manager first, so skip it.
    const adminError = await waitFor<unknown>('the /admin error', (done) => admin.on('error', (value: unknown) => value !== 'bad token' && done(value)));
    expect(adminError).toEqual({ reason: 'not an admin' });
  });

  it('tells the client io server disconnect when the server ends it', async () => {
    const client = connect({ transports: ['polling'] });
    await connected(client);
    const closedBefore = harness.closed.length;
    const reason = waitFor<string>('disconnect', (done) => client.once('disconnect', done));
    client.emit('kick-me');
    await expect(reason).resolves.toBe('io server disconnect');
    expect(harness.closed.length).toBe(closedBefore + 1);
  });

  it('gets a pong for each of its pings and stays connected across several ping periods', async () => {
    const quick = await startServer({ pingInterval: 0.1, pingTimeout: 0.2 });
    try {
      const client = ioV2(`http://127.0.0.1:${quick.port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
      clients.push(client);
      await connected(client);
      let pongs = 0;
      await waitFor<void>('five pongs', (done) => client.on('pong', () => ++pongs === 5 && done()));
      expect(client.connected).toBe(true);
      await expect(ack(client, 'add', 1, 1)).resolves.toBe(2);
    } finally {
      await quick.close();
    }
  });

  it('shares rooms and one broadcast with 4.x and 0.6 clients, each once and in order', async () => {
    const v2 = connect({ transports: ['websocket'] });
    const v4 = ioV4(`http://127.0.0.1:${harness.port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
    clients.push(v4);
    const old = await connect06('websocket', harness.port);
    await connected(v2);
    await waitFor<void>('v4 connect', (done) => (v4.connected ? done() : v4.once('connect', () => done())));
    await old.connected;
    const v2News: unknown[] = [];
    const v4News: unknown[] = [];
    v2.on('news', (n: unknown) => v2News.push(n));
    v4.on('news', (n: unknown) => v4News.push(n));
    const v2Done = waitFor<void>('v2 news', (done) => v2.on('news', (n: number) => n === 3 && done()));
    const v4Done = waitFor<void>('v4 news', (done) => v4.on('news', (n: number) => n === 3 && done()));
    for (const n of [1, 2, 3]) harness.router.to('lobby').emit('news', n);
    await Promise.all([v2Done, v4Done]);
    expect(v2News).toEqual([1, 2, 3]);
    expect(v4News).toEqual([1, 2, 3]);
    await expect(old.waitForMessages(3)).resolves.toEqual([1, 2, 3].map((n) => `~j~{"name":"news","args":[${n}]}`));
    // A 2.x client's shout reaches the others in the room.
    const shout = waitFor<unknown>('shout', (done) => v4.once('shout', done));
    v2.emit('shout', 'hi from 2.x');
    await expect(shout).resolves.toBe('hi from 2.x');
    old.close();
  });

  it('reconnects by itself after the server restarts on the same port', async () => {
    const restartable = await startServer();
    const port = restartable.port;
    const client = ioV2(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    clients.push(client);
    await connected(client);
    const firstId = client.id;
    const lost = waitFor<string>('disconnect', (done) => client.once('disconnect', done));
    await restartable.close();
    await expect(lost).resolves.toBe('transport close');
    const again = await startServer({}, port);
    try {
      await waitFor<void>('the reconnect', (done) => client.once('reconnect', () => done()), 8000);
      await connected(client);
      expect(client.id).not.toBe(firstId);
      await expect(ack(client, 'add', 3, 4)).resolves.toBe(7);
    } finally {
      client.close();
      await again.close();
    }
  });

  it('with allowEIO3: false refuses EIO=3 with engine.io\'s code 5 and a clear log line, and the client fails to connect', async () => {
    const logger = new RecordingLogger();
    const off = await startServer({ allowEIO3: false, logger });
    try {
      const response = await httpRequest(off.port, 'GET', '/socket.io/?EIO=3&transport=polling&t=1');
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ code: 5, message: 'Unsupported protocol version' });
      expect(logger.lines.some((line) => line.startsWith('warn') && line.includes('allowEIO3: false'))).toBe(true);
      const client = ioV2(`http://127.0.0.1:${off.port}`, { transports: ['polling'], forceNew: true, reconnection: false });
      clients.push(client);
      await waitFor<unknown>('connect_error', (done) => client.once('connect_error', done));
      expect(client.connected).toBe(false);
      expect(off.opened).toEqual([]);
      // v4 clients are served as before.
      const v4 = ioV4(`http://127.0.0.1:${off.port}`, { transports: ['polling'], forceNew: true, reconnection: false });
      clients.push(v4);
      await waitFor<void>('v4 connect', (done) => v4.once('connect', () => done()));
    } finally {
      await off.close();
    }
  });
});
