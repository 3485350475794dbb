import { io, type Socket } from 'socket.io-client';
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { Application, getRouter, SocketConnection, SocketServer, type ConnectionInfo, type IncomingMessage, type RouterSettings } from '../../src';
import type { TransportName } from '../../src/protocols/v06/transport-names';
import { RecordingLogger } from '../helpers/server';
import { httpRequest, PollingClient, StreamingClient, waitFor, WebSocketClient, type ClientOptions } from '../helpers/test-client';

/*
 * The seed fork's annotated framing end to end: real clients on every 0.6
 * transport speaking `(type):(length):(data),` to a router with
 * `framing: 'annotated'`. The clients read frames with their own small
 * parser (not the server's codec), so a symmetric codec bug cannot hide.
 */

// ---- the client side of the framing ----

interface Received {
  realm: string | null;
  json: boolean;
  text: string;
}

/** Frames as the client builds them: length in UTF-16 code units, as the fork's JavaScript counts. */
const frame = (type: number, data: string) => `${type}:${data.length}:${data},`;
const message = (text: string, realm?: string) => frame(1, realm === undefined ? `:${text}` : `r:${realm}:${text}`);
const jsonMessage = (value: unknown, realm?: string) => frame(1, `${realm === undefined ? '' : `r:${realm}\n`}j\n:${JSON.stringify(value)}`);

/** What the server writes in a message's data: `r:<realm>\n`, then `j\n`, then `:` and the text. */
const SERVER_MESSAGE_DATA = /^(?:r:([^\n]*)\n)?(j\n)?:([\s\S]*)$/;

/** One client's view of the annotated session: session id, messages by realm, heartbeats, force disconnects. */
class AnnotatedPeer {
  readonly payloads: string[] = [];
  readonly messages: Received[] = [];
  readonly heartbeats: string[] = [];
  disconnects = 0;
  readonly errors: string[] = [];
  answerHeartbeats = true;
  readonly connected: Promise<void>;
  #connected!: () => void;

  constructor(private readonly carrier: { sessionId: string; sendRaw(payload: string): Promise<void> }) {
    this.connected = new Promise((resolve) => (this.#connected = resolve));
  }

  read(payload: string): void {
    if (payload === '') return;
    this.payloads.push(payload);
    let position = 0;
    while (position < payload.length) {
      const head = /^(\d):(\d+):/.exec(payload.substring(position, position + 24));
      if (!head) return void this.errors.push(`no frame head at ${position} in ${JSON.stringify(payload)}`);
      const start = position + head[0].length;
      const end = start + Number(head[2]);
      if (payload[end] !== ',') return void this.errors.push(`length does not match at ${position} in ${JSON.stringify(payload)}`);
      this.#frame(Number(head[1]), payload.substring(start, end));
      position = end + 1;
    }
  }

  #frame(type: number, data: string): void {
    if (!this.carrier.sessionId) {
      if (type !== 3) return void this.errors.push(`first frame is type ${type}, not a session id`);
      this.carrier.sessionId = data;
      this.#connected();
      return;
    }
    switch (type) {
      case 0:
        this.disconnects++;
        return;
      case 2:
        this.heartbeats.push(data);
        if (this.answerHeartbeats) void this.carrier.sendRaw(frame(2, data)).catch(() => undefined);
        return;
      case 1: {
        const parts = SERVER_MESSAGE_DATA.exec(data);
        if (!parts) return void this.errors.push(`message data not in the encoder's form: ${JSON.stringify(data)}`);
        this.messages.push({ realm: parts[1] ?? null, json: parts[2] !== undefined, text: parts[3] });
        return;
      }
      default:
        this.errors.push(`unexpected frame type ${type}`);
    }
  }
}

class AnnotatedWebSocket extends WebSocketClient {
  readonly peer = new AnnotatedPeer(this);
  protected override onPayload(payload: string): void {
    this.peer.read(payload);
  }
}

class AnnotatedPolling extends PollingClient {
  readonly peer = new AnnotatedPeer(this);
  protected override onPayload(payload: string): void {
    this.peer.read(payload);
  }
}

class AnnotatedStreaming extends StreamingClient {
  readonly peer = new AnnotatedPeer(this);
  protected override onPayload(payload: string): void {
    this.peer.read(payload);
  }
}

/** hixie-75 (Safari 5, old Chrome) on raw TCP: no key challenge, text frames `0x00 … 0xFF`, closed by closing TCP. */
class AnnotatedHixie75 {
  sessionId = '';
  readonly peer = new AnnotatedPeer(this);
  readonly socket: NetSocket;
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #inHead = true;

  constructor(
    readonly transport: 'websocket' | 'flashsocket',
    port: number,
  ) {
    const head = [`GET /socket.io/${transport} HTTP/1.1`, 'Upgrade: WebSocket', 'Connection: Upgrade', `Host: 127.0.0.1:${port}`, 'Origin: http://127.0.0.1'];
    this.socket = netConnect(port, '127.0.0.1', () => this.socket.write(`${head.join('\r\n')}\r\n\r\n`));
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (this.#inHead) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const status = this.#buffer.subarray(0, end).toString('latin1').split('\r\n')[0];
      if (!status.startsWith('HTTP/1.1 101')) {
        this.peer.errors.push(`handshake answered ${status}`);
        return void this.socket.destroy();
      }
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#inHead = false;
    }
    let end: number;
    while (this.#buffer[0] === 0x00 && (end = this.#buffer.indexOf(0xff)) !== -1) {
      this.peer.read(this.#buffer.subarray(1, end).toString('utf8'));
      this.#buffer = this.#buffer.subarray(end + 1);
    }
  }

  sendRaw(payload: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.socket.writable) return reject(new Error('socket closed'));
      this.socket.write(Buffer.concat([Buffer.from([0x00]), Buffer.from(payload, 'utf8'), Buffer.from([0xff])]), (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

type AnnotatedClient = AnnotatedWebSocket | AnnotatedPolling | AnnotatedStreaming | AnnotatedHixie75;

async function open(transport: TransportName | 'websocket hixie-75' | 'flashsocket hixie-75', port: number, options: ClientOptions = {}): Promise<AnnotatedClient> {
  let client: AnnotatedClient;
  switch (transport) {
    case 'websocket hixie-75':
      client = new AnnotatedHixie75('websocket', port);
      break;
    case 'flashsocket hixie-75':
      client = new AnnotatedHixie75('flashsocket', port);
      break;
    case 'websocket':
    case 'flashsocket':
      client = new AnnotatedWebSocket(transport, port, options);
      break;
    case 'xhr-polling':
    case 'jsonp-polling':
      client = new AnnotatedPolling(transport, port, options);
      break;
    default:
      client = new AnnotatedStreaming(transport, port, options);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.peer.connected,
      client.closed.then(() => {
        throw new Error(`${transport} closed before its session id`);
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${transport} handshake timed out`)), 5000))),
    ]);
  } finally {
    clearTimeout(timer);
  }
  clients.push(client);
  return client;
}

async function waitForMessages(client: AnnotatedClient, count: number): Promise<Received[]> {
  await waitFor(() => client.peer.messages.length >= count || client.peer.errors.length > 0, 5000, `${count} messages on ${client.transport}`);
  expect(client.peer.errors).toEqual([]);
  return client.peer.messages.slice(0, count);
}

/** Waits until the server has ended this client's transport (socket closed, or a poll refused). */
async function waitClosed(client: AnnotatedClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.closed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${client.transport} not closed by the server`)), 5000)))]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- the server side: one class per namespace, the same behaviour ----

interface World {
  logger: RecordingLogger;
  opened: ConnectionInfo[];
  messages: Array<{ namespace: string; id: string; message: IncomingMessage }>;
  closed: string[];
}

type Opening = 'at once' | 'later' | 'refuse' | 'throw';

function connectionClass(world: World, label: string, opening: Opening = 'at once') {
  return class extends SocketConnection {
    override onOpen(info: ConnectionInfo): void | boolean | Promise<void> {
      world.opened.push(info);
      if (opening === 'refuse') return false;
      if (opening === 'throw') throw new Error(`${label} onOpen failed`);
      if (opening === 'later') {
        // Sent while onOpen is pending: held until it accepts, then ahead of everything else.
        this.send(`${label} welcome`);
        // An onOpen that settles later: messages sent meanwhile must still arrive, in order.
        return new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    override onMessage(incoming: IncomingMessage): void {
      world.messages.push({ namespace: this.namespace, id: this.id, message: incoming });
      if (typeof incoming !== 'string') return void this.send(incoming);
      const [command, argument = ''] = incoming.split('|');
      switch (command) {
        case 'close-me':
          return this.close();
        case 'throw':
          throw new Error(`${label} onMessage failed`);
        case 'object':
          return void this.send({ from: label });
        case 'emit':
          return void this.emit('news', label, 1);
        case 'join':
          this.join(argument);
          return void this.send(`joined ${argument}`);
        case 'to':
          return void this.to(argument).send(`${label} to ${argument}`);
        case 'broadcast':
          return void this.broadcast(`${label} says ${argument}`);
        default:
          this.send(`${label}: ${incoming}`);
      }
    }
    override onClose(): void {
      world.closed.push(`${this.namespace} ${this.id}`);
    }
  };
}

interface AnnotatedServer {
  port: number;
  world: World;
  router: ReturnType<typeof getRouter>;
  server: SocketServer;
}

const servers: SocketServer[] = [];
const clients: AnnotatedClient[] = [];

async function startServer(settings: RouterSettings = {}): Promise<AnnotatedServer> {
  const world: World = { logger: new RecordingLogger(), opened: [], messages: [], closed: [] };
  const router = getRouter(connectionClass(world, 'root'), {
    framing: 'annotated',
    namespaces: {
      '/chat': connectionClass(world, 'chat'),
      '/news': connectionClass(world, 'news', 'later'),
      '/closed': connectionClass(world, 'closed', 'refuse'),
      '/broken': connectionClass(world, 'broken', 'throw'),
    },
    logger: world.logger,
    ...settings,
  });
  const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: world.logger }));
  await server.listening;
  servers.push(server);
  return { port: server.port, world, router, server };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const warnings = (world: World) => world.logger.lines.filter((line) => line.startsWith('warn '));

// ---- the tests ----

describe.each(['websocket', 'xhr-polling'] as const)('annotated framing over %s', (transport) => {
  it('hands the session id as 3:<length>:<sid>, and nothing else first', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    expect(client.peer.payloads[0]).toBe(`3:24:${client.sessionId},`);
    expect(client.sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(world.opened.map((info) => [info.namespace, info.sessionId, info.transport])).toEqual([['/', client.sessionId, transport]]);
  });

  it('carries messages of / both ways without annotations, and counts lengths in UTF-16 units', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(message('hi') + message('héllo 😀'));
    expect(await waitForMessages(client, 2)).toEqual([
      { realm: null, json: false, text: 'root: hi' },
      { realm: null, json: false, text: 'root: héllo 😀' },
    ]);
    expect(client.peer.payloads.slice(1).join('')).toBe('1:9::root: hi,1:15::root: héllo 😀,');
    expect(world.messages.map((m) => [m.namespace, m.message])).toEqual([
      ['/', 'hi'],
      ['/', 'héllo 😀'],
    ]);
  });

  it("routes realms to their namespace classes (the README's form and the newline form), and annotates their sends", async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw('1:18:r:chat:Hello world,');
    expect(await waitForMessages(client, 1)).toEqual([{ realm: 'chat', json: false, text: 'chat: Hello world' }]);
    expect(client.peer.payloads[1]).toBe('1:25:r:chat\n:chat: Hello world,');
    await client.sendRaw('1:19:r:chat\n:Hello again,' + message('plain'));
    expect((await waitForMessages(client, 3)).slice(1)).toEqual([
      { realm: 'chat', json: false, text: 'chat: Hello again' },
      { realm: null, json: false, text: 'root: plain' },
    ]);
    // The realm opened its own connection of /chat, with the session's id and the /chat namespace.
    const chat = world.opened.filter((info) => info.namespace === '/chat');
    expect(chat.map((info) => info.sessionId)).toEqual([client.sessionId]);
    expect(world.messages.map((m) => [m.namespace, m.id, m.message])).toEqual([
      ['/chat', client.sessionId, 'Hello world'],
      ['/chat', client.sessionId, 'Hello again'],
      ['/', client.sessionId, 'plain'],
    ]);
  });

  it('delivers messages sent into a realm while its onOpen is pending, in order', async () => {
    const { port } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(message('one', 'news') + message('two', 'news') + message('three', 'news'));
    expect((await waitForMessages(client, 4)).map((m) => `${m.realm} ${m.text}`)).toEqual(['news news welcome', 'news news: one', 'news news: two', 'news news: three']);
  });

  it('a realm whose onOpen refuses or throws stays closed for the session; / and other realms go on', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(message('a', 'closed') + message('b', 'broken') + message('c', 'closed') + message('d', 'chat') + message('e'));
    expect(await waitForMessages(client, 2)).toEqual([
      { realm: 'chat', json: false, text: 'chat: d' },
      { realm: null, json: false, text: 'root: e' },
    ]);
    // Each opened once (the second message to /closed finds it closed), never reached onMessage, no onClose.
    expect(world.opened.map((info) => info.namespace)).toEqual(['/', '/closed', '/broken', '/chat']);
    expect(world.messages.map((m) => m.namespace)).toEqual(['/chat', '/']);
    expect(world.closed).toEqual([]);
    expect(world.logger.lines.some((line) => line.startsWith('error ') && line.includes('onOpen of /broken threw'))).toBe(true);
  });

  it('a realm whose onMessage throws is closed (onClose, logged); the session and / go on', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(message('throw', 'chat'));
    await waitFor(() => world.closed.length === 1, 5000, 'onClose of /chat');
    expect(world.closed).toEqual([`/chat ${client.sessionId}`]);
    expect(world.logger.lines.some((line) => line.startsWith('error ') && line.includes('onMessage of /chat threw'))).toBe(true);
    await client.sendRaw(message('dropped', 'chat') + message('alive'));
    expect(await waitForMessages(client, 1)).toEqual([{ realm: null, json: false, text: 'root: alive' }]);
    expect(world.messages.map((m) => m.message)).toEqual(['throw', 'alive']);
  });

  it('invalid JSON under j drops that message, logged; the session goes on', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(frame(1, 'r:chat\nj\n:{not json') + message('next', 'chat'));
    expect(await waitForMessages(client, 1)).toEqual([{ realm: 'chat', json: false, text: 'chat: next' }]);
    expect(warnings(world).some((line) => line.includes(client.sessionId) && line.includes('invalid JSON'))).toBe(true);
    expect(world.closed).toEqual([]);
  });

  it('carries objects with j both ways, in / and in a realm; emit goes as {name, args}', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(jsonMessage({ a: [1, 'b'] }) + jsonMessage({ in: 'chat' }, 'chat') + '1:16:r:chat\nj:{"c":3},' + message('object', 'chat') + message('emit'));
    const received = await waitForMessages(client, 5);
    expect(received).toEqual([
      { realm: null, json: true, text: '{"a":[1,"b"]}' },
      { realm: 'chat', json: true, text: '{"in":"chat"}' },
      { realm: 'chat', json: true, text: '{"c":3}' },
      { realm: 'chat', json: true, text: '{"from":"chat"}' },
      { realm: null, json: true, text: '{"name":"news","args":["root",1]}' },
    ]);
    expect(world.messages.map((m) => m.message).slice(0, 3)).toEqual([{ a: [1, 'b'] }, { in: 'chat' }, { c: 3 }]);
  });

  it('a server close sends 0:0:, and ends the transport; every realm of the session gets onClose', async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    await client.sendRaw(message('x', 'chat'));
    await waitForMessages(client, 1);
    await client.sendRaw(message('close-me'));
    await waitClosed(client);
    expect(client.peer.disconnects).toBe(1);
    expect(client.peer.payloads[client.peer.payloads.length - 1]).toBe('0:0:,');
    await waitFor(() => world.closed.length === 2, 5000, 'onClose of / and /chat');
    expect(world.closed.sort()).toEqual([`/ ${client.sessionId}`, `/chat ${client.sessionId}`]);
  });

  it("the client's 0:0:, ends its session: onClose for / and its realms", async () => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    const other = await open(transport, port);
    await client.sendRaw(message('x', 'chat'));
    await waitForMessages(client, 1);
    await client.sendRaw('0:0:,');
    await waitFor(() => world.closed.length === 2, 5000, 'onClose of / and /chat');
    expect(world.closed.sort()).toEqual([`/ ${client.sessionId}`, `/chat ${client.sessionId}`]);
    await waitClosed(client);
    await other.sendRaw(message('still here'));
    expect(await waitForMessages(other, 1)).toEqual([{ realm: null, json: false, text: 'root: still here' }]);
  });

  const hostile: Array<[string, string, RegExp]> = [
    ['a length shorter than its data', '1:3::hello,', /does not match its data/],
    ['a length longer than its data', '1:40::hello,', /runs past the payload/],
    ['no terminating ","', '1:6::hello', /missing terminating ","/],
    ['an unknown type', '7:2:hi,', /unknown frame type/],
    ['an unknown realm', message('hi', 'nowhere'), /realm nowhere, but the router has no namespace \/nowhere/],
    ['a long unknown realm', message('hi', 'x'.repeat(5000)), new RegExp(`realm ${'x'.repeat(100)}…, but the router has no namespace /${'x'.repeat(99)}…;`)],
    ['a session id frame from the client', '3:3:253,', /session id frame/],
    ['message data with no ":"', '1:5:hello,', /no ":" before its message/],
    ['the ~m~ framing', '~m~5~m~hello', /expected a frame type digit/],
  ];
  it.each(hostile)('closes a client that sends %s, logged; the others keep working', async (_name, payload, reason) => {
    const { port, world } = await startServer();
    const bad = await open(transport, port);
    const good = await open(transport, port);
    await good.sendRaw(message('before', 'chat'));
    await waitForMessages(good, 1);
    // A POST is answered ok even when its payload closes the session: the GET is what ends.
    await bad.sendRaw(payload).catch(() => undefined);
    await waitClosed(bad);
    await waitFor(() => world.closed.includes(`/ ${bad.sessionId}`), 5000, 'onClose of the bad client');
    expect(warnings(world).some((line) => line.includes(bad.sessionId) && reason.test(line))).toBe(true);
    await good.sendRaw(message('after', 'chat') + message('after'));
    expect((await waitForMessages(good, 3)).slice(1)).toEqual([
      { realm: 'chat', json: false, text: 'chat: after' },
      { realm: null, json: false, text: 'root: after' },
    ]);
    expect(world.closed.filter((entry) => entry.endsWith(good.sessionId))).toEqual([]);
  });
});

describe('annotated sessions that end by themselves', () => {
  it('an expired polling session closes / and its realms', async () => {
    const { port, world } = await startServer({ sessionExpiry: 0.4, sessionCheckInterval: 0.1 });
    const client = await open('xhr-polling', port);
    await client.sendRaw(message('x', 'chat') + message('y', 'news'));
    await waitForMessages(client, 2);
    client.close();
    await waitFor(() => world.closed.length === 3, 5000, 'onClose of /, /chat and /news');
    expect(world.closed.sort()).toEqual(['/', '/chat', '/news'].map((namespace) => `${namespace} ${client.sessionId}`));
  });

  it('server.close() closes every session and realm', async () => {
    const { port, world, server } = await startServer();
    const [a, b] = await Promise.all([open('websocket', port), open('xhr-polling', port)]);
    for (const client of [a, b]) await client.sendRaw(message('x', 'chat'));
    for (const client of [a, b]) await waitForMessages(client, 1);
    await server.close();
    await waitFor(() => world.closed.length === 4, 5000, 'onClose of every connection');
    expect(world.closed.sort()).toEqual([`/ ${a.sessionId}`, `/ ${b.sessionId}`, `/chat ${a.sessionId}`, `/chat ${b.sessionId}`].sort());
    await waitClosed(a);
  });
});

describe('annotated heartbeats (websocket)', () => {
  it('sends 2:<len>:<n>, and keeps a client that echoes them', async () => {
    const { port, world } = await startServer({ heartbeatInterval: 0.25 });
    const client = await open('websocket', port);
    await waitFor(() => client.peer.heartbeats.length >= 3, 5000, 'three heartbeats');
    expect(client.peer.heartbeats.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(client.peer.payloads).toContain('2:1:1,');
    // A beat the server never sent (0) proves nothing and closes nothing.
    await client.sendRaw('2:1:0,' + message('alive'));
    expect(await waitForMessages(client, 1)).toEqual([{ realm: null, json: false, text: 'root: alive' }]);
    expect(world.closed).toEqual([]);
  });

  it('closes the session and the socket when a heartbeat goes unanswered; realms get onClose', async () => {
    const { port, world } = await startServer({ heartbeatInterval: 0.25 });
    const silent = await open('websocket', port);
    silent.peer.answerHeartbeats = false;
    const lively = await open('websocket', port);
    await silent.sendRaw(message('x', 'chat'));
    await waitForMessages(silent, 1);
    await waitClosed(silent);
    await waitFor(() => world.closed.length === 2, 5000, 'onClose of / and /chat');
    expect(world.closed.sort()).toEqual([`/ ${silent.sessionId}`, `/chat ${silent.sessionId}`]);
    expect(silent.peer.heartbeats.length).toBeGreaterThan(0);
    await lively.sendRaw(message('ok'));
    expect(await waitForMessages(lively, 1)).toEqual([{ realm: null, json: false, text: 'root: ok' }]);
  });
});

describe('every 0.6 transport frames through the one annotated framing', () => {
  const transports = ['websocket', 'flashsocket', 'websocket hixie-75', 'flashsocket hixie-75', 'xhr-polling', 'jsonp-polling', 'xhr-multipart', 'htmlfile'] as const;
  it.each(transports)('%s: handshake, a realm message and JSON both ways, server close with 0:0:,', async (transport) => {
    const { port, world } = await startServer();
    const client = await open(transport, port);
    expect(client.peer.payloads[0]).toBe(`3:24:${client.sessionId},`);
    await client.sendRaw('1:18:r:chat:Hello world,' + jsonMessage({ n: 1 }, 'chat') + message('two\nlines'));
    expect(await waitForMessages(client, 3)).toEqual([
      { realm: 'chat', json: false, text: 'chat: Hello world' },
      { realm: 'chat', json: true, text: '{"n":1}' },
      { realm: null, json: false, text: 'root: two\nlines' },
    ]);
    await client.sendRaw(message('close-me'));
    await waitFor(() => client.peer.disconnects === 1, 5000, '0:0:,');
    await waitFor(() => world.closed.length === 2, 5000, 'onClose of / and /chat');
    expect(client.peer.errors).toEqual([]);
  });

  it('jsonp-polling repairs the CRLFs a form turns a message newline into', async () => {
    const { port } = await startServer();
    const client = (await open('jsonp-polling', port)) as AnnotatedPolling;
    const posted = message('a\nb', 'chat').replace(/\n/g, '\r\n');
    const result = await httpRequest(port, 'POST', `/socket.io/jsonp-polling/${client.sessionId}/${Date.now()}/0`, `data=${encodeURIComponent(posted)}`, {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(result.status).toBe(200);
    expect(await waitForMessages(client, 1)).toEqual([{ realm: 'chat', json: false, text: 'chat: a\nb' }]);
  });
});

/** A value whose every JSON encoding is counted: how many times a broadcast was encoded. */
function countedValue(value: Record<string, unknown>): { value: unknown; encodings: () => number } {
  let count = 0;
  return {
    value: {
      toJSON: () => {
        count++;
        return value;
      },
    },
    encodings: () => count,
  };
}

describe('broadcast and rooms with annotated clients', () => {
  it('to(room) in a realm reaches the other members of the room, annotated with the realm', async () => {
    const { port } = await startServer();
    const [a, b, c, outsider] = await Promise.all([open('websocket', port), open('xhr-polling', port), open('jsonp-polling', port), open('websocket', port)]);
    for (const client of [a, b, c]) await client.sendRaw(message('join|lobby', 'chat'));
    await outsider.sendRaw(message('hello', 'chat'));
    for (const client of [a, b, c, outsider]) await waitForMessages(client, 1);
    await a.sendRaw(message('to|lobby', 'chat'));
    for (const client of [b, c]) expect((await waitForMessages(client, 2))[1]).toEqual({ realm: 'chat', json: false, text: 'chat to lobby' });
    // A message a sends itself afterwards arrives after the broadcast would have: the broadcast skipped it.
    await a.sendRaw(message('done', 'chat'));
    expect((await waitForMessages(a, 2))[1]).toEqual({ realm: 'chat', json: false, text: 'chat: done' });
    await outsider.sendRaw(message('done', 'chat'));
    expect((await waitForMessages(outsider, 2))[1]).toEqual({ realm: 'chat', json: false, text: 'chat: done' });
  });

  it('a broadcast into a namespace is encoded once for all its annotated clients, whatever their transport', async () => {
    const { port, router } = await startServer();
    const transports: TransportName[] = ['websocket', 'websocket', 'flashsocket', 'xhr-polling', 'jsonp-polling', 'xhr-multipart', 'htmlfile'];
    const all = await Promise.all(transports.map((transport) => open(transport, port)));
    for (const client of all) await client.sendRaw(message('join|lobby', 'chat'));
    for (const client of all) await waitForMessages(client, 1);
    const chat = countedValue({ to: 'chat' });
    router.of('/chat').to('lobby').send(chat.value);
    const root = countedValue({ to: 'root' });
    router.of('/').send(root.value);
    for (const client of all) {
      expect((await waitForMessages(client, 3)).slice(1)).toEqual([
        { realm: 'chat', json: true, text: '{"to":"chat"}' },
        { realm: null, json: true, text: '{"to":"root"}' },
      ]);
    }
    expect([chat.encodings(), root.encodings()]).toEqual([1, 1]);
  });

  it('a v4 client in the same namespace and room gets the same broadcast: one encoding per framing', async () => {
    const { port, router } = await startServer();
    const annotated = await Promise.all([open('websocket', port), open('xhr-polling', port)]);
    for (const client of annotated) await client.sendRaw(message('join|lobby', 'chat'));
    for (const client of annotated) await waitForMessages(client, 1);
    const v4: Socket = io(`http://127.0.0.1:${port}/chat`, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const next = () => new Promise<unknown>((resolve) => v4.once('message', resolve));
      for (const room of ['lobby', 'v4-only']) {
        const joined = next();
        v4.send(`join|${room}`);
        expect(await withTimeout(joined, 'the v4 join answer')).toBe(`joined ${room}`);
      }
      // What the v4 encoding alone costs (its parser reads a value's toJSON more than once).
      let got = next();
      const v4Only = countedValue({ v4: true });
      router.of('/chat').to('v4-only').send(v4Only.value);
      expect(await withTimeout(got, 'the v4-only broadcast')).toEqual({ v4: true });
      got = next();
      const counted = countedValue({ both: true });
      router.of('/chat').to('lobby').send(counted.value);
      expect(await withTimeout(got, 'the v4 broadcast')).toEqual({ both: true });
      for (const client of annotated) expect((await waitForMessages(client, 2))[1]).toEqual({ realm: 'chat', json: true, text: '{"both":true}' });
      // Both annotated clients together cost one encoding more than the v4 client alone.
      expect(counted.encodings() - v4Only.encodings()).toBe(1);
    } finally {
      v4.close();
    }
  });

  it('broadcast from / reaches the other sessions unannotated; a closed session leaves its realm rooms', async () => {
    const { port, router, world } = await startServer();
    const [a, b, c] = await Promise.all([open('websocket', port), open('xhr-polling', port), open('websocket', port)]);
    for (const client of [a, b, c]) await client.sendRaw(message('join|lobby', 'chat'));
    for (const client of [a, b, c]) await waitForMessages(client, 1);
    await a.sendRaw(message('broadcast|hi'));
    for (const client of [b, c]) expect((await waitForMessages(client, 2))[1]).toEqual({ realm: null, json: false, text: 'root says hi' });
    expect((await router.of('/chat').in('lobby').fetchConnections()).map((summary) => summary.id).sort()).toEqual([a, b, c].map((client) => client.sessionId).sort());
    await c.sendRaw('0:0:,');
    await waitFor(() => world.closed.includes(`/chat ${c.sessionId}`), 5000, 'onClose of /chat for c');
    expect((await router.of('/chat').in('lobby').fetchConnections()).map((summary) => summary.id).sort()).toEqual([a, b].map((client) => client.sessionId).sort());
  });

  it('disconnectSockets() on a realm ends those realm connections only: the sessions and / go on', async () => {
    const { port, router, world } = await startServer();
    const [a, b] = await Promise.all([open('websocket', port), open('xhr-polling', port)]);
    for (const client of [a, b]) await client.sendRaw(message('join|lobby', 'chat'));
    for (const client of [a, b]) await waitForMessages(client, 1);
    router.of('/chat').disconnectSockets();
    await waitFor(() => world.closed.length === 2, 5000, 'onClose of both /chat connections');
    expect(world.closed.sort()).toEqual([a, b].map((client) => `/chat ${client.sessionId}`).sort());
    for (const client of [a, b]) {
      await client.sendRaw(message('still', 'chat') + message('root still'));
      // The closed realm drops its message; / answers.
      expect((await waitForMessages(client, 2))[1]).toEqual({ realm: null, json: false, text: 'root: root still' });
    }
    expect(world.messages.filter((m) => m.namespace === '/chat' && m.message === 'still')).toEqual([]);
  });
});

async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the client file', () => {
  it("is not served from an annotated router: the shipped 0.6 client speaks ~m~", async () => {
    const { port, world } = await startServer();
    const result = await httpRequest(port, 'GET', '/socket.io/socket.io.js');
    expect(result.status).toBe(404);
    expect(world.logger.lines.some((line) => line.includes("not this router's annotated framing"))).toBe(true);
  });
});

describe('the default framing is still 0.6', () => {
  it('a router without the setting speaks ~m~, even with namespaces', async () => {
    const world: World = { logger: new RecordingLogger(), opened: [], messages: [], closed: [] };
    const router = getRouter(connectionClass(world, 'root'), { namespaces: { '/chat': connectionClass(world, 'chat') }, logger: world.logger });
    const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: world.logger }));
    await server.listening;
    servers.push(server);
    const handshake = await httpRequest(server.port, 'GET', `/socket.io/xhr-polling//${Date.now()}`);
    expect(handshake.body).toMatch(/^~m~24~m~[A-Za-z0-9_-]{24}$/);
    expect((await httpRequest(server.port, 'GET', '/socket.io/socket.io.js')).status).toBe(200);
  });
});
