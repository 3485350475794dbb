/**
 * Every client generation in one room: two Socket.IO 0.6 clients (the test
 * client), two 0.9 clients (raw HTTP and ws, the wire Tornadio2's clients
 * speak), two socket.io-client 2.x and two 4.x clients (the real packages),
 * one over websocket and one over polling each, and a raw-HTTP poller of each
 * Engine.IO version, to see its framing. One `router.to(room)`
 * broadcast of 5 events reaches each exactly once, in order, in its own
 * framing, and each protocol encodes each event once, not once per client.
 */
import WebSocket from 'ws';
import { io as ioV4, type Socket as V4Socket } from 'socket.io-client';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type SocketRouter } from '../../src';
import { BroadcastEncodings, type PacketEncoder } from '../../src/hub/packet';
import { waitForCallback } from '../helpers/callback';
import { packets09 } from '../helpers/cluster-clients';
import { connect as connect06, httpRequest, type TestClient } from '../helpers/test-client';
import { ioV2, type V2Socket } from '../helpers/v2-client';

class Member extends SocketConnection {
  override onOpen() {
    this.join('room');
  }
}


/** A 0.9 client: handshake, then a websocket or a long-polling loop; `packets` holds every packet but heartbeats. */
class Client09 {
  readonly packets: string[] = [];
  #ws: WebSocket | null = null;
  #polling = false;

  private constructor(readonly port: number, readonly sid: string) {}

  static async open(port: number, transport: 'websocket' | 'xhr-polling'): Promise<Client09> {
    const handshake = await httpRequest(port, 'GET', `/socket.io/1/?t=${Date.now()}`);
    if (handshake.status !== 200) throw new Error(`0.9 handshake answered ${handshake.status}`);
    const client = new Client09(port, handshake.body.split(':')[0]);
    if (transport === 'websocket') await client.#openSocket();
    else void client.#poll();
    await client.waitFor((packet) => packet === '1::', 1, '1:: (connected)');
    return client;
  }

  async #openSocket(): Promise<void> {
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/socket.io/1/websocket/${this.sid}`);
    this.#ws = ws;
    ws.on('message', (data) => {
      for (const packet of packets09(String(data))) {
        if (packet === '2::') ws.send('2::');
        else this.packets.push(packet);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    while (this.#polling) {
      const result = await httpRequest(this.port, 'GET', `/socket.io/1/xhr-polling/${this.sid}?t=${Date.now()}`).catch(() => null);
      if (!result || result.status !== 200) return;
      for (const packet of packets09(result.body)) {
        if (packet === '2::') await httpRequest(this.port, 'POST', `/socket.io/1/xhr-polling/${this.sid}`, '2::');
        else this.packets.push(packet);
      }
    }
  }

  async waitFor(match: (packet: string) => boolean, count: number, what: string): Promise<string[]> {
    const deadline = Date.now() + 5000;
    while (this.packets.filter(match).length < count) {
      if (Date.now() > deadline) throw new Error(`0.9 ${this.sid}: waiting for ${count} × ${what}, have ${JSON.stringify(this.packets)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.packets.filter(match);
  }

  async close(): Promise<void> {
    this.#ws?.close();
    if (this.#polling) {
      this.#polling = false;
      await httpRequest(this.port, 'POST', `/socket.io/1/xhr-polling/${this.sid}`, '0::').catch(() => undefined);
    }
  }
}

/** An Engine.IO client's raw socket.io packets (the engine's `packet` event) and its `news` events. */
interface EngineClient {
  wire: string[];
  news: unknown[];
  /** Disconnects and resolves once the engine has closed (a polling client's last request done). */
  close(): Promise<void>;
}

interface Engine {
  on(event: 'packet', listener: (packet: { type: string; data?: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

function watchEngine(socket: V2Socket | V4Socket, engine: Engine): EngineClient {
  const closed = new Promise<void>((resolve) => engine.on('close', () => resolve()));
  const close = async (): Promise<void> => {
    socket.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  };
  const client: EngineClient = { wire: [], news: [], close };
  engine.on('packet', (packet) => void (packet.type === 'message' && typeof packet.data === 'string' && packet.data.includes('"news"') && client.wire.push(packet.data)));
  (socket as V4Socket).on('news', (n: unknown) => void client.news.push(n));
  return client;
}

async function connectV2(port: number, transport: 'polling' | 'websocket'): Promise<EngineClient> {
  const socket = ioV2(`http://127.0.0.1:${port}`, { transports: [transport], forceNew: true, reconnection: false });
  await waitForCallback<void>(`2.x ${transport} connect`, (done) => socket.once('connect', () => done()));
  return watchEngine(socket, socket.io.engine);
}

async function connectV4(port: number, transport: 'polling' | 'websocket'): Promise<EngineClient> {
  const socket = ioV4(`http://127.0.0.1:${port}`, { transports: [transport], forceNew: true, reconnection: false });
  await waitForCallback<void>(`4.x ${transport} connect`, (done) => socket.once('connect', () => done()));
  return watchEngine(socket, socket.io.engine);
}

/** Splits an Engine.IO polling body: EIO3 `<length>:<packet>` records (lengths in characters), EIO4 packets joined by \x1e. */
function splitEngine(version: 3 | 4, body: string): string[] {
  if (version === 4) return body === '' ? [] : body.split('\x1e');
  const packets: string[] = [];
  const chars = [...body];
  let at = 0;
  while (at < chars.length) {
    const colon = chars.indexOf(':', at);
    const length = Number(chars.slice(at, colon).join(''));
    packets.push(chars.slice(colon + 1, colon + 1 + length).join(''));
    at = colon + 1 + length;
  }
  return packets;
}

/** A long-polling Engine.IO 3 or 4 client on raw HTTP, keeping every body it got, to see the framing itself. */
class RawEngine {
  readonly bodies: string[] = [];
  readonly packets: string[] = [];
  #polling = true;

  private constructor(readonly version: 3 | 4, readonly port: number, readonly sid: string) {}

  #url(): string {
    return `/socket.io/?EIO=${this.version}&transport=polling&sid=${this.sid}&t=${Date.now()}`;
  }

  static async open(port: number, version: 3 | 4): Promise<RawEngine> {
    const open = await httpRequest(port, 'GET', `/socket.io/?EIO=${version}&transport=polling&t=${Date.now()}`);
    if (open.status !== 200) throw new Error(`EIO${version} handshake answered ${open.status}`);
    const [first, ...rest] = splitEngine(version, open.body);
    const client = new RawEngine(version, port, (JSON.parse(first.slice(1)) as { sid: string }).sid);
    client.packets.push(...rest);
    // EIO3 connects the default namespace by itself; EIO4 asks with a CONNECT packet.
    if (version === 4) await httpRequest(port, 'POST', client.#url(), '40');
    void client.#poll();
    await client.waitFor((packet) => packet.startsWith('40'), 1, 'the CONNECT packet');
    return client;
  }

  async #poll(): Promise<void> {
    while (this.#polling) {
      const result = await httpRequest(this.port, 'GET', this.#url()).catch(() => null);
      if (!result || result.status !== 200) return;
      if (result.body.includes('"news"')) this.bodies.push(result.body);
      this.packets.push(...splitEngine(this.version, result.body));
    }
  }

  async waitFor(match: (packet: string) => boolean, count: number, what: string): Promise<string[]> {
    const deadline = Date.now() + 5000;
    while (this.packets.filter(match).length < count) {
      if (Date.now() > deadline) throw new Error(`EIO${this.version} ${this.sid}: waiting for ${count} × ${what}, have ${JSON.stringify(this.packets)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.packets.filter(match);
  }

  async close(): Promise<void> {
    this.#polling = false;
    await httpRequest(this.port, 'POST', this.#url(), this.version === 3 ? '1:1' : '1').catch(() => undefined);
  }
}

let server: SocketServer;
let router: SocketRouter;

beforeAll(async () => {
  router = getRouter(Member, { logger: silentLogger });
  server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger }));
  await server.listening;
});

afterAll(async () => {
  await server?.close();
});

it('0.6, 0.9, 2.x and 4.x clients (two or three each) get one router.to(room) broadcast of 5 once, in order, in their own framing, encoded once per protocol', async () => {
  const olds: TestClient[] = [];
  const nines: Client09[] = [];
  const engines: EngineClient[] = [];
  const raws: RawEngine[] = [];
  try {
    for (const transport of ['websocket', 'xhr-polling'] as const) {
      const old = await connect06(transport, server.port);
      await old.connected;
      olds.push(old);
      nines.push(await Client09.open(server.port, transport));
    }
    for (const transport of ['websocket', 'polling'] as const) engines.push(await connectV2(server.port, transport), await connectV4(server.port, transport));
    raws.push(await RawEngine.open(server.port, 3), await RawEngine.open(server.port, 4));
    expect(router.stats.connectionsByProtocol).toEqual({ '0.6': 2, '0.9': 2, eio3: 3, eio4: 3 });

    // Which encoders a broadcast uses, learnt from a first one; then each one's encode() is counted.
    const encodedBy = jest.spyOn(BroadcastEncodings.prototype, 'encodedBy');
    router.to('room').emit('warm-up', 0);
    const encoders = new Set<PacketEncoder<unknown>>(encodedBy.mock.calls.map(([encoder]) => encoder));
    encodedBy.mockRestore();
    await Promise.all(olds.map((old) => old.waitForMessages(1)));
    // EIO3 and EIO4 share the Socket.IO packet text (`2["news",1]`); only the engine framing around it differs.
    // One encoder each for 0.6 and 0.9 (EndpointEncoder), one shared by EIO3 and EIO4 (NamespaceEncoder).
    expect([...encoders].map((encoder) => encoder.constructor.name).sort()).toEqual(['EndpointEncoder', 'NamespaceEncoder', 'Object']);
    const encodes = [...encoders].map((encoder) => jest.spyOn(encoder, 'encode'));

    for (let n = 1; n <= 5; n++) router.to('room').emit('news', n);

    const expected = [1, 2, 3, 4, 5];
    for (const old of olds) {
      const messages = await old.waitForMessages(6);
      expect(messages).toEqual(['~j~{"name":"warm-up","args":[0]}', ...expected.map((n) => `~j~{"name":"news","args":[${n}]}`)]);
    }
    for (const nine of nines) {
      expect(await nine.waitFor((packet) => packet.startsWith('5:'), 6, 'event packets')).toEqual(['5:::{"name":"warm-up","args":[0]}', ...expected.map((n) => `5:::{"name":"news","args":[${n}]}`)]);
    }
    for (const engine of engines) {
      await waitForCallback<void>('5 news', (done) => {
        const check = (): void => void (engine.news.length >= 5 ? done() : setTimeout(check, 10));
        check();
      });
      expect(engine.news).toEqual(expected);
      expect(engine.wire).toEqual(expected.map((n) => `2["news",${n}]`));
    }
    // The same Socket.IO packets, each in its engine's polling framing.
    const [raw3, raw4] = raws;
    const news = expected.map((n) => `42["news",${n}]`);
    for (const raw of raws) expect(await raw.waitFor((packet) => packet.startsWith('42["news"'), 5, 'news')).toEqual(news);
    for (const body of raw3.bodies) expect(body).toMatch(/^(\d+:42\["(news|warm-up)",\d\])+$/);
    for (const body of raw4.bodies) expect(body).toMatch(/^42\["(news|warm-up)",\d\](\x1e42\["(news|warm-up)",\d\])*$/);
    expect(raw4.bodies.length).toBeGreaterThan(0);
    expect(raw3.bodies.join('')).toContain('12:42["news",1]');
    // A moment later, nothing arrived twice.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(olds.map((old) => old.messages.length)).toEqual([6, 6]);
    expect(nines.map((nine) => nine.packets.filter((packet) => packet.startsWith('5:')).length)).toEqual([6, 6]);
    expect(engines.map((engine) => engine.news.length)).toEqual([5, 5, 5, 5]);
    expect(raws.map((raw) => raw.packets.filter((packet) => packet.startsWith('42["news"')).length)).toEqual([5, 5]);
    expect(encodes.map((encode) => encode.mock.calls.length)).toEqual([5, 5, 5]);
    for (const encode of encodes) encode.mockRestore();
  } finally {
    for (const old of olds) old.close();
    await Promise.all(nines.map((nine) => nine.close()));
    await Promise.all([...engines.map((engine) => engine.close()), ...raws.map((raw) => raw.close())]);
  }
});
