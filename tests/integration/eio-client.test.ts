import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { waitForCallback as waitFor } from '../helpers/callback';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage, type RouterSettings } from '../../src';
import { connect as connect06 } from '../helpers/test-client';


interface Harness {
  server: SocketServer;
  port: number;
  router: ReturnType<typeof getRouter>;
  opened: ConnectionInfo[];
  closed: string[];
  close(): Promise<void>;
}

async function startServer(settings: RouterSettings = {}): Promise<Harness> {
  const opened: ConnectionInfo[] = [];
  const closed: string[] = [];
  class Chat extends SocketConnection {
    override onOpen(info: ConnectionInfo) {
      opened.push(info);
      if (info.auth.token === 'bad') {
        const error = new Error('bad token') as Error & { data: unknown };
        error.data = { retry: false };
        throw error;
      }
      if (info.auth.token === 'no') return false;
      this.join('lobby');
      this.on('add', (a: number, b: number, ack?: (sum: number) => void) => ack?.(a + b));
      this.on('echo', (...args: unknown[]) => this.emit('echo', ...args));
      this.on('shout', (text: string) => this.to('lobby').emit('shout', text));
      this.on('ask', async () => {
        const answer = await this.emitWithAck('question', 'why?');
        this.emit('answered', answer);
      });
      this.on('kick-me', () => this.disconnect());
      // One tick, one flush: small packets are joined into one write, large ones (a binary attachment, a long text) written on their own.
      this.on('burst', () => {
        this.emit('burst', 1);
        this.emit('burst', Buffer.alloc(100_000, 7));
        this.emit('burst', 2);
        this.emit('burst', 'x'.repeat(20_000));
        this.emit('burst', 3, Buffer.from([1, 2, 3]));
        this.emit('burst', 4);
      });
      this.on('wait-for-nothing', async () => {
        try {
          await this.timeout(100).emitWithAck('ignored');
          this.emit('timeout-result', 'acked?!');
        } catch (error) {
          this.emit('timeout-result', (error as Error).message);
        }
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
    override onOpen(): void {
      this.emit('welcome', 'admin');
    }
  }
  const router = getRouter(Chat, { logger: silentLogger, namespaces: { '/admin': Admin }, ...settings });
  const app = new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger });
  const server = new SocketServer(app);
  await server.listening;
  return { server, port: server.port, router, opened, closed, close: () => server.close() };
}

describe('socket.io-client 4.x against tornadio', () => {
  let harness: Harness;
  const clients: Socket[] = [];
  beforeAll(async () => {
    harness = await startServer();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => harness.close());

  function connect(options: Parameters<typeof io>[1] = {}, namespace = ''): Socket {
    const client = io(`http://127.0.0.1:${harness.port}${namespace}`, { reconnection: false, forceNew: true, ...options });
    clients.push(client);
    return client;
  }

  async function connected(client: Socket): Promise<void> {
    await waitFor<void>('connect', (done) => {
      client.once('connect', () => done());
      client.once('connect_error', (error) => {
        throw error;
      });
    });
  }

  it.each([
    ['polling only', ['polling']],
    ['websocket only', ['websocket']],
    ['polling then upgrade', ['polling', 'websocket']],
  ])('connects (%s), echoes send(), and answers an ack', async (_name, transports) => {
    const client = connect({ transports });
    await connected(client);
    expect(client.id).toBeTruthy();
    const info = harness.opened[harness.opened.length - 1];
    expect(info).toMatchObject({ protocol: 'eio4', namespace: '/', sessionId: client.id });
    const echoed = waitFor<unknown>('message', (done) => client.once('message', done));
    client.send({ hello: 'world' });
    await expect(echoed).resolves.toEqual({ hello: 'world' });
    await expect(client.timeout(3000).emitWithAck('add', 2, 3)).resolves.toBe(5);
  });

  it('upgrades to websocket without losing or reordering events', async () => {
    const client = connect();
    await connected(client);
    const received: number[] = [];
    const all = waitFor<void>('500 echoes', (done) =>
      client.on('echo', (n: number) => {
        received.push(n);
        if (received.length === 500) done();
      }),
    );
    for (let n = 0; n < 500; n++) client.emit('echo', n);
    await all;
    expect(received).toEqual(Array.from({ length: 500 }, (_, n) => n));
    await waitFor<void>('upgrade', (done) => (client.io.engine.transport.name === 'websocket' ? done() : client.io.engine.once('upgrade', () => done())));
    expect(client.io.engine.transport.name).toBe('websocket');
  });

  it('a burst of events from one tick, small and large, text and binary, arrives whole and in order over websocket', async () => {
    const client = connect({ transports: ['websocket'] });
    await connected(client);
    const received: unknown[][] = [];
    const all = waitFor<void>('the burst', (done) =>
      client.on('burst', (...args: unknown[]) => {
        received.push(args);
        if (received.length === 6) done();
      }),
    );
    client.emit('burst');
    await all;
    const describe = (value: unknown) => (value instanceof ArrayBuffer || Buffer.isBuffer(value) ? `bytes:${Buffer.from(value as ArrayBuffer).toString('hex').slice(0, 6)}:${(value as ArrayBuffer).byteLength}` : value);
    expect(received.map((args) => args.map(describe))).toEqual([[1], ['bytes:070707:100000'], [2], ['x'.repeat(20_000)], [3, 'bytes:010203:3'], [4]]);
  });

  it('sends the server emit its own ack and gets the answer', async () => {
    const client = connect({ transports: ['websocket'] });
    client.on('question', (text: string, ack: (answer: string) => void) => ack(`because ${text}`));
    await connected(client);
    const answered = waitFor<unknown>('answered', (done) => client.once('answered', done));
    client.emit('ask');
    await expect(answered).resolves.toBe('because why?');
  });

  it('rejects a server emitWithAck that the client never acknowledges, after timeout(ms)', async () => {
    const client = connect({ transports: ['websocket'] });
    client.on('ignored', () => undefined); // no ack
    await connected(client);
    const result = waitFor<unknown>('timeout-result', (done) => client.once('timeout-result', done));
    client.emit('wait-for-nothing');
    await expect(result).resolves.toBe('operation has timed out');
  });

  it('carries nested binary both ways', async () => {
    const client = connect({ transports: ['polling'] });
    await connected(client);
    const back = waitFor<unknown[]>('echo', (done) => client.once('echo', (...args: unknown[]) => done(args)));
    client.emit('echo', { file: Buffer.from([1, 2, 3]), list: [Buffer.from('xyz')] }, 'text');
    const [payload, text] = await back;
    expect(text).toBe('text');
    const { file, list } = payload as { file: Buffer; list: Buffer[] };
    expect(Buffer.from(file)).toEqual(Buffer.from([1, 2, 3]));
    expect(Buffer.from(list[0]).toString()).toBe('xyz');
  });

  it('refuses with the thrown message and its data, or Not authorized for false', async () => {
    const bad = connect({ auth: { token: 'bad' } });
    const error = await waitFor<Error & { data?: unknown }>('connect_error', (done) => bad.once('connect_error', done));
    expect(error.message).toBe('bad token');
    expect(error.data).toEqual({ retry: false });
    const refused = connect({ auth: { token: 'no' }, transports: ['websocket'] });
    const second = await waitFor<Error>('connect_error', (done) => refused.once('connect_error', done));
    expect(second.message).toBe('Not authorized');
  });

  it('joins two namespaces over one manager, and refuses an unknown one', async () => {
    const main = connect({ transports: ['websocket'] });
    const admin = main.io.socket('/admin');
    clients.push(admin);
    const welcome = waitFor<unknown>('welcome', (done) => admin.once('welcome', done));
    admin.connect();
    await connected(main);
    await expect(welcome).resolves.toBe('admin');
    const nowhere = main.io.socket('/nowhere');
    clients.push(nowhere);
    const error = waitFor<Error>('connect_error', (done) => nowhere.once('connect_error', done));
    nowhere.connect();
    await expect(error).resolves.toMatchObject({ message: 'Invalid namespace' });
  });

  it('tells the client io server disconnect when the server ends it', async () => {
    const client = connect({ transports: ['websocket'] });
    await connected(client);
    const reason = waitFor<string>('disconnect', (done) => client.once('disconnect', done));
    client.emit('kick-me');
    await expect(reason).resolves.toBe('io server disconnect');
  });

  it('shares rooms and broadcasts with 0.6 clients of the same router', async () => {
    const v4 = connect({ transports: ['websocket'] });
    await connected(v4);
    const old = await connect06('websocket', harness.port);
    await old.connected;
    // The 0.6 connection joined the lobby in onOpen too; the v4 client shouts to it.
    v4.emit('shout', 'hi all');
    await expect(old.waitForMessages(1)).resolves.toEqual(['~j~{"name":"shout","args":["hi all"]}']);
    const news = waitFor<unknown>('news', (done) => v4.once('news', done));
    harness.router.to('lobby').emit('news', 42);
    await expect(news).resolves.toBe(42);
    await expect(old.waitForMessages(2)).resolves.toEqual(['~j~{"name":"shout","args":["hi all"]}', '~j~{"name":"news","args":[42]}']);
    old.close();
  });

  it.each([
    ['an unknown engine packet', '9'],
    ['invalid JSON in an event', '42["a"'],
    ['an ack nobody asked for', '4399["x"]'],
    ['a binary attachment with no packet', null],
    ['too many attachments', '4599-["a"]'],
  ])('closes a websocket client that sends %s, and serves the others', async (_what, frame) => {
    const bystander = connect({ transports: ['websocket'] });
    await connected(bystander);
    const hostile = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/?EIO=4&transport=websocket`);
    const closed = waitFor<number>('the hostile socket to be closed', (done) => hostile.once('close', (code) => done(code)));
    await waitFor<void>('the open packet', (done) => hostile.once('message', () => done()));
    hostile.send('40');
    await waitFor<void>('the CONNECT answer', (done) => hostile.once('message', () => done()));
    if (frame === null) hostile.send(Buffer.from([1, 2, 3]));
    else hostile.send(frame);
    await closed;
    await expect(bystander.timeout(3000).emitWithAck('add', 1, 1)).resolves.toBe(2);
  });

  it('reconnects by itself after the server restarts on the same port', async () => {
    const restartable = await startServer();
    const port = restartable.port;
    const client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    clients.push(client);
    await connected(client);
    const firstId = client.id;
    const lost = waitFor<string>('disconnect', (done) => client.once('disconnect', done));
    await restartable.close();
    await expect(lost).resolves.toBe('transport close');
    const router = getRouter(
      class extends SocketConnection {
        override onOpen(): void {
          this.emit('hello-again');
        }
      },
      { logger: silentLogger },
    );
    const again = new SocketServer(new Application([router.route()], { socketIoPort: port, socketIoAddress: '127.0.0.1', logger: silentLogger }));
    try {
      await again.listening;
      await waitFor<void>('hello-again after the reconnect', (done) => client.once('hello-again', () => done()), 8000);
      expect(client.id).not.toBe(firstId);
    } finally {
      client.disconnect();
      await again.close();
    }
  });

  it('sends binary as base64 text frames to a websocket client that asked for b64=1', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/?EIO=4&transport=websocket&b64=1`);
    const frames: Array<{ text: string; binary: boolean }> = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => frames.push({ text: data.toString(), binary: isBinary }));
    await waitFor<void>('the open packet', (done) => ws.once('message', () => done()));
    ws.send('40');
    await waitFor<void>('the CONNECT answer', (done) => ws.once('message', () => done()));
    const attachment = waitFor<void>('the attachment', (done) => ws.on('message', (data: Buffer) => data.toString().startsWith('b') && done()));
    ws.send('451-["echo",{"_placeholder":true,"num":0}]');
    ws.send('bAQID'); // the attachment, base64 text as well: bytes 1, 2, 3
    await attachment;
    expect(frames.some((frame) => frame.text === '451-["echo",{"_placeholder":true,"num":0}]')).toBe(true);
    expect(frames.find((frame) => frame.text.startsWith('b'))).toEqual({ text: 'bAQID', binary: false });
    ws.close();
  });
});

describe('router.stats for Engine.IO sessions', () => {
  it('counts transport sessions created and closed alike: one joined to two namespaces, one that never joins', async () => {
    const harness = await startServer({ connectTimeout: 0.2 });
    try {
      const client = io(`http://127.0.0.1:${harness.port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
      const admin = client.io.socket('/admin');
      const welcome = waitFor<unknown>('welcome', (done) => admin.once('welcome', done));
      admin.connect();
      await expect(welcome).resolves.toBe('admin');
      // A session that opens its transport and never sends CONNECT: closed by connectTimeout.
      const silent = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/?EIO=4&transport=websocket`);
      const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
      await silentClosed;
      expect(harness.router.stats).toMatchObject({ sessionsCreated: 2, sessionsClosed: 1, connections: 2 });
      // The Manager closes its transport once neither namespace is left.
      admin.close();
      client.close();
      for (let tries = 0; harness.router.stats.sessionsClosed < 2; tries++) {
        if (tries > 200) throw new Error(`closed ${harness.router.stats.sessionsClosed} of 2`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(harness.router.stats).toMatchObject({ sessionsCreated: 2, sessionsClosed: 2, connections: 0 });
    } finally {
      await harness.close();
    }
  });
});
