import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { RequestError } from '../../src/errors';
import { encodeFrame, framePayloadLength } from '../../src/websocket/frame-writer';
import { acceptWebSocket, type ServerWebSocket, type WebSocketListener } from '../../src/websocket/rfc6455';
import { seededRandom } from '../helpers/random';

// tornadio's own RFC 6455 server socket (src/websocket/rfc6455.ts), read and
// written by a real `ws` client, and by a raw TCP client for what no real
// client sends: every length encoding both ways, fragments, pings, the
// closing handshake, and each protocol violation with its close code.

const MAX_PAYLOAD = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x6455);

interface Events {
  messages: Array<{ data: Buffer; binary: boolean }>;
  errors: Array<{ reason: string; code: number }>;
  closes: number[];
}

class Recorder implements WebSocketListener {
  readonly events: Events = { messages: [], errors: [], closes: [] };
  onWebSocketMessage(_socket: ServerWebSocket, data: Buffer, binary: boolean): void {
    // Copied: the socket may reuse nothing, but the test must not depend on it.
    this.events.messages.push({ data: Buffer.from(data), binary });
  }
  onWebSocketError(_socket: ServerWebSocket, reason: string, code: number): void {
    this.events.errors.push({ reason, code });
  }
  onWebSocketClose(_socket: ServerWebSocket, code: number): void {
    this.events.closes.push(code);
  }
}

interface Harness {
  port: number;
  /** Each accepted socket with its recorder, in order. */
  accepted: Array<{ socket: ServerWebSocket; recorder: Recorder }>;
  /** Refusals thrown by acceptWebSocket, answered 400/405 here as tornadio's refusal path would. */
  refusals: RequestError[];
  close(): Promise<void>;
}

/** `greeting`: a frame the server sends as it accepts, before completing the handshake (as every protocol's first frame goes). */
async function startHarness(greeting?: string, closeTimeoutMs?: number): Promise<Harness> {
  const accepted: Harness['accepted'] = [];
  const refusals: RequestError[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const tcpSockets = new Set<import('node:stream').Duplex>();
  server.on('upgrade', (req, socket, head) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    try {
      const ws = acceptWebSocket(req, socket, head, MAX_PAYLOAD, closeTimeoutMs);
      if (!ws) return;
      const recorder = new Recorder();
      ws.listen(recorder);
      if (greeting !== undefined) ws.send(greeting);
      ws.completeHandshake();
      accepted.push({ socket: ws, recorder });
    } catch (error) {
      refusals.push(error as RequestError);
      socket.end(`HTTP/1.1 ${(error as RequestError).status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    accepted,
    refusals,
    async close() {
      for (const socket of tcpSockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface RealClient {
  ws: WebSocket;
  received: Array<{ data: Buffer; binary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

async function realClient(harness: Harness, protocols?: string[]): Promise<RealClient & { server: ServerWebSocket; recorder: Recorder }> {
  const before = harness.accepted.length;
  const ws = new WebSocket(`ws://127.0.0.1:${harness.port}/`, protocols, { maxPayload: 0 });
  const received: RealClient['received'] = [];
  ws.on('message', (data: RawData, binary: boolean) => received.push({ data: data as Buffer, binary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitUntil('the server side', () => harness.accepted.length > before);
  const { socket, recorder } = harness.accepted[before];
  return { ws, received, closed, server: socket, recorder };
}

/** A raw TCP client that has done the handshake, for frames no real client would send. */
async function rawClient(harness: Harness, extraHead = Buffer.alloc(0)): Promise<{ tcp: Socket; bytes: () => Buffer; ended: Promise<void> }> {
  const tcp = connect(harness.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  tcp.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => tcp.once('close', () => resolve()));
  await new Promise<void>((resolve) => tcp.once('connect', () => resolve()));
  const key = randomBytes(16).toString('base64');
  tcp.write(
    Buffer.concat([
      Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      extraHead,
    ]),
  );
  await waitUntil('the 101', () => Buffer.concat(chunks).includes('\r\n\r\n'));
  const all = () => Buffer.concat(chunks);
  const headEnd = all().indexOf('\r\n\r\n') + 4;
  expect(all().subarray(0, headEnd).toString()).toMatch(/^HTTP\/1\.1 101 /);
  return { tcp, bytes: () => all().subarray(headEnd), ended };
}

/** A masked client frame: `first` is FIN/RSV/opcode; `length` may lie about the payload. */
function clientFrame(first: number, payload: Buffer, options: { masked?: boolean; length?: number } = {}): Buffer {
  const masked = options.masked ?? true;
  const length = options.length ?? payload.length;
  let head: Buffer;
  if (length < 126) head = Buffer.from([first, (masked ? 0x80 : 0) | length]);
  else if (length < 65_536) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = (masked ? 0x80 : 0) | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = (masked ? 0x80 : 0) | 127;
    head.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    head.writeUInt32BE(length >>> 0, 6);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/** The server frames in `bytes`: opcode and payload of each. */
function serverFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    let length = bytes[offset + 1] & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      start = offset + 4;
    } else if (length === 127) {
      length = bytes.readUInt32BE(offset + 6);
      start = offset + 10;
    }
    frames.push({ opcode: bytes[offset] & 0x0f, payload: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return frames;
}

function closeCodeOf(frame: { payload: Buffer }): number {
  return frame.payload.readUInt16BE(0);
}

describe('RFC 6455 server socket', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness();
  });
  afterEach(() => harness.close());

  describe('frames out, read by a real ws client', () => {
    test('every payload length encoding reaches the client whole, text and binary', async () => {
      const client = await realClient(harness);
      const lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000, 200_000];
      for (const length of lengths) {
        expect(client.server.send('x'.repeat(length))).toBe(true);
        expect(client.server.send(Buffer.alloc(length, length % 251), true)).toBe(true);
      }
      await waitUntil('every message', () => client.received.length === lengths.length * 2);
      lengths.forEach((length, index) => {
        const text = client.received[index * 2];
        expect(text.binary).toBe(false);
        expect(text.data.toString('utf8')).toBe('x'.repeat(length));
        const binary = client.received[index * 2 + 1];
        expect(binary.binary).toBe(true);
        expect(binary.data.equals(Buffer.alloc(length, length % 251))).toBe(true);
      });
      client.ws.terminate();
    });

    test('text is framed by its UTF-8 length, and one encoded frame can be sent again and again', async () => {
      const client = await realClient(harness);
      const frame = encodeFrame('é 😀 中', false);
      expect(framePayloadLength(frame)).toBe(Buffer.byteLength('é 😀 中'));
      for (let i = 0; i < 3; i++) expect(client.server.sendFrame(frame)).toBe(true);
      // Around the short-text path's edge: 41 three-byte characters are 123 bytes, 42 are 126 (a 16-bit length).
      const edges = ['中'.repeat(41), '中'.repeat(42), '😀'.repeat(20), '😀'.repeat(21), '\ud800'.repeat(41)];
      for (const text of edges) client.server.send(text);
      expect(framePayloadLength(encodeFrame('中'.repeat(41), false))).toBe(123);
      expect(framePayloadLength(encodeFrame('中'.repeat(42), false))).toBe(126);
      await waitUntil('every message', () => client.received.length === 3 + edges.length);
      expect(client.received.map((message) => message.data.toString('utf8'))).toEqual([
        'é 😀 中',
        'é 😀 中',
        'é 😀 中',
        ...edges.map((text) => Buffer.from(text, 'utf8').toString('utf8')),
      ]);
      client.ws.terminate();
    });

    test('framePayloadLength reads back each header size', () => {
      for (const length of [0, 125, 126, 65_535, 65_536, 1_000_000]) expect(framePayloadLength(encodeFrame(Buffer.alloc(length), true))).toBe(length);
    });

    test('nothing is sent once the server has started closing: no data frame follows a close frame', async () => {
      const client = await realClient(harness);
      client.server.close(1000, 'bye');
      expect(client.server.isOpen).toBe(false);
      expect(client.server.send('too late')).toBe(false);
      expect(client.server.send(Buffer.alloc(100_000), true)).toBe(false);
      expect(client.server.sendFrame(encodeFrame('too late', false))).toBe(false);
      expect(await client.closed).toEqual({ code: 1000, reason: 'bye' });
      expect(client.received).toEqual([]);
      // The client answered our close frame: the server saw its code, once.
      await waitUntil('the server close', () => client.recorder.events.closes.length === 1);
      expect(client.recorder.events.closes).toEqual([1000]);
    });
  });

  describe('frames in, from a real ws client', () => {
    test('text and binary messages of every length encoding, masked, arrive whole and in order', async () => {
      const client = await realClient(harness);
      const lengths = [0, 1, 125, 126, 65_535, 65_536, MAX_PAYLOAD];
      for (const length of lengths) {
        client.ws.send('y'.repeat(length));
        client.ws.send(Buffer.alloc(length, 7));
      }
      const { messages } = client.recorder.events;
      await waitUntil('every message', () => messages.length === lengths.length * 2);
      lengths.forEach((length, index) => {
        // Buffer.equals: jest's deep equality walks a Buffer byte by byte.
        expect(messages[index * 2].binary).toBe(false);
        expect(messages[index * 2].data.equals(Buffer.from('y'.repeat(length)))).toBe(true);
        expect(messages[index * 2 + 1].binary).toBe(true);
        expect(messages[index * 2 + 1].data.equals(Buffer.alloc(length, 7))).toBe(true);
      });
      client.ws.terminate();
    });

    test('a fragmented message is put back together (fragments of the client itself)', async () => {
      const client = await realClient(harness);
      client.ws.send('hel', { fin: false });
      client.ws.send('lo ', { fin: false });
      client.ws.send('world', { fin: true });
      client.ws.send(Buffer.from([1, 2]), { binary: true, fin: false });
      client.ws.send(Buffer.from([3]), { binary: true, fin: true });
      const { messages } = client.recorder.events;
      await waitUntil('both messages', () => messages.length === 2);
      expect(messages).toEqual([
        { data: Buffer.from('hello world'), binary: false },
        { data: Buffer.from([1, 2, 3]), binary: true },
      ]);
      client.ws.terminate();
    });

    test('a ping is answered with a pong carrying its payload', async () => {
      const client = await realClient(harness);
      const pong = new Promise<Buffer>((resolve) => client.ws.once('pong', resolve));
      client.ws.ping(Buffer.from('are you there'));
      expect((await pong).toString()).toBe('are you there');
      client.ws.terminate();
    });

    test("the client's close is answered with its own code, and the server hears that code once", async () => {
      const client = await realClient(harness);
      client.ws.close(4001, 'done here');
      expect((await client.closed).code).toBe(4001);
      await waitUntil('the server close', () => client.recorder.events.closes.length === 1);
      expect(client.recorder.events.closes).toEqual([4001]);
      expect(client.recorder.events.errors).toEqual([]);
    });

    test('a subprotocol the client offers is answered with the first one, as ws answers', async () => {
      const client = await realClient(harness, ['chat.v2', 'chat.v1']);
      expect(client.ws.protocol).toBe('chat.v2');
      client.ws.terminate();
    });

    test('a client that goes away without a close frame is reported with 1006', async () => {
      const client = await realClient(harness);
      client.ws.terminate();
      await waitUntil('the server close', () => client.recorder.events.closes.length === 1);
      expect(client.recorder.events.closes).toEqual([1006]);
    });
  });

  test('a first frame sent as the socket is accepted leaves in one write with the 101, and completing the handshake adds nothing', async () => {
    await harness.close();
    harness = await startHarness('hello');
    const tcp = connect(harness.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    tcp.on('data', (chunk: Buffer) => chunks.push(chunk));
    tcp.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await waitUntil('the greeting', () => Buffer.concat(chunks).includes('hello'));
    // One write on loopback arrives as one chunk.
    expect(chunks).toHaveLength(1);
    const bytes = chunks[0];
    const headEnd = bytes.indexOf('\r\n\r\n') + 4;
    expect(bytes.subarray(0, headEnd).toString()).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(serverFrames(bytes.subarray(headEnd))).toEqual([{ opcode: 0x1, payload: Buffer.from('hello') }]);
    // A ping's pong comes after anything the server wrote in the meantime: between them, nothing.
    tcp.write(clientFrame(0x89, Buffer.from('p')));
    await waitUntil('the pong', () => Buffer.concat(chunks).length > bytes.length);
    await waitUntil('the whole pong', () => Buffer.concat(chunks).length >= bytes.length + 3);
    expect(serverFrames(Buffer.concat(chunks).subarray(headEnd))).toEqual([
      { opcode: 0x1, payload: Buffer.from('hello') },
      { opcode: 0xa, payload: Buffer.from('p') },
    ]);
    tcp.destroy();
  });

  describe('frames no real client sends, from a raw TCP client', () => {
    test('frames that came with the handshake request are read once a listener is there', async () => {
      const early = Buffer.concat([clientFrame(0x81, Buffer.from('early one')), clientFrame(0x81, Buffer.from('early two'))]);
      const raw = await rawClient(harness, early);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      const { messages } = harness.accepted[0].recorder.events;
      await waitUntil('both messages', () => messages.length === 2);
      expect(messages.map((message) => message.data.toString())).toEqual(['early one', 'early two']);
      raw.tcp.destroy();
    });

    test('a frame sent one byte at a time (header split over chunks) is read whole', async () => {
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      const frame = clientFrame(0x81, Buffer.from('x'.repeat(300)));
      for (const byte of frame) {
        raw.tcp.write(Buffer.from([byte]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const { messages } = harness.accepted[0].recorder.events;
      await waitUntil('the message', () => messages.length === 1);
      expect(messages[0].data.toString()).toBe('x'.repeat(300));
      raw.tcp.destroy();
    });

    test('ping and close frames between the fragments of a message are answered, and the message still ends whole', async () => {
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      raw.tcp.write(Buffer.concat([clientFrame(0x01, Buffer.from('frag')), clientFrame(0x89, Buffer.from('p')), clientFrame(0x80, Buffer.from('ment'))]));
      const { messages } = harness.accepted[0].recorder.events;
      await waitUntil('the message', () => messages.length === 1);
      expect(messages[0].data.toString()).toBe('fragment');
      await waitUntil('the pong', () => serverFrames(raw.bytes()).length === 1);
      expect(serverFrames(raw.bytes())[0]).toEqual({ opcode: 0xa, payload: Buffer.from('p') });
      raw.tcp.destroy();
    });

    const violations: Array<{ name: string; frames: () => Buffer; code: number; reason: RegExp }> = [
      { name: 'an unmasked frame', frames: () => clientFrame(0x81, Buffer.from('hi'), { masked: false }), code: 1002, reason: /unmasked/ },
      { name: 'RSV bits set', frames: () => clientFrame(0xc1, Buffer.from('hi')), code: 1002, reason: /RSV/ },
      { name: 'an unknown data opcode', frames: () => clientFrame(0x83, Buffer.from('hi')), code: 1002, reason: /opcode 3/ },
      { name: 'an unknown control opcode', frames: () => clientFrame(0x8b, Buffer.from('hi')), code: 1002, reason: /opcode 11/ },
      { name: 'a continuation with nothing to continue', frames: () => clientFrame(0x80, Buffer.from('hi')), code: 1002, reason: /continuation/ },
      {
        name: 'a new message inside a fragmented one',
        frames: () => Buffer.concat([clientFrame(0x01, Buffer.from('a')), clientFrame(0x81, Buffer.from('b'))]),
        code: 1002,
        reason: /before the last one ended/,
      },
      { name: 'a fragmented ping', frames: () => clientFrame(0x09, Buffer.from('p')), code: 1002, reason: /fragmented control/ },
      { name: 'a ping over 125 bytes', frames: () => clientFrame(0x89, Buffer.alloc(126)), code: 1002, reason: /longer than 125/ },
      { name: 'a close frame of one byte', frames: () => clientFrame(0x88, Buffer.from([3])), code: 1002, reason: /one byte/ },
      { name: 'a close frame with a reserved code', frames: () => clientFrame(0x88, Buffer.from([0x03, 0xed])), code: 1002, reason: /invalid close code 1005/ },
      { name: 'a text message that is not UTF-8', frames: () => clientFrame(0x81, Buffer.from([0xc3, 0x28])), code: 1007, reason: /not UTF-8/ },
      {
        name: 'a fragmented text message whose whole is not UTF-8',
        frames: () => Buffer.concat([clientFrame(0x01, Buffer.from([0x61, 0xe2])), clientFrame(0x80, Buffer.from([0x28, 0xa1]))]),
        code: 1007,
        reason: /not UTF-8/,
      },
      {
        name: 'a message over maxPayload (announced in its header, refused before it is sent)',
        frames: () => clientFrame(0x82, Buffer.alloc(0), { length: MAX_PAYLOAD + 1 }).subarray(0, 14),
        code: 1009,
        reason: /over maxPayload/,
      },
      {
        name: 'a 64-bit length no number can hold',
        frames: () => Buffer.from([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]),
        code: 1009,
        reason: /over maxPayload/,
      },
      {
        name: 'fragments that together pass maxPayload',
        frames: () => Buffer.concat([clientFrame(0x02, Buffer.alloc(MAX_PAYLOAD / 2 + 1)), clientFrame(0x80, Buffer.alloc(MAX_PAYLOAD / 2))]),
        code: 1009,
        reason: /over maxPayload/,
      },
      {
        name: 'a message in more fragments than are kept',
        frames: () => Buffer.concat(Array.from({ length: 1030 }, () => clientFrame(0x00, Buffer.from('a'))).map((frame, index) => (index === 0 ? Buffer.concat([Buffer.from([0x01]), frame.subarray(1)]) : frame))),
        code: 1009,
        reason: /fragments/,
      },
    ];

    test.each(violations)('$name: the reason is reported, a close frame with $code goes out, and the connection ends', async ({ frames, code, reason }) => {
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      const { recorder, socket } = harness.accepted[0];
      raw.tcp.write(frames());
      await raw.ended;
      expect(recorder.events.errors).toHaveLength(1);
      expect(recorder.events.errors[0].code).toBe(code);
      expect(recorder.events.errors[0].reason).toMatch(reason);
      expect(recorder.events.messages).toEqual([]);
      const sent = serverFrames(raw.bytes());
      expect(sent).toHaveLength(1);
      expect(sent[0].opcode).toBe(0x8);
      expect(closeCodeOf(sent[0])).toBe(code);
      await waitUntil('the server close', () => recorder.events.closes.length === 1);
      expect(socket.isOpen).toBe(false);
    });

    test('a violation ends only its own connection: another keeps exchanging messages', async () => {
      const healthy = await realClient(harness);
      const raw = await rawClient(harness);
      await waitUntil('both server sides', () => harness.accepted.length === 2);
      raw.tcp.write(clientFrame(0x81, Buffer.from('x'), { masked: false }));
      await raw.ended;
      healthy.ws.send('still here');
      await waitUntil('the message', () => healthy.recorder.events.messages.length === 1);
      healthy.server.send('and so am I');
      await waitUntil('the answer', () => healthy.received.length === 1);
      expect(healthy.received[0].data.toString()).toBe('and so am I');
      healthy.ws.terminate();
    });

    test('a peer that never answers our close frame is cut off after the close timeout (1006)', async () => {
      await harness.close();
      harness = await startHarness(undefined, 1000);
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      const { socket, recorder } = harness.accepted[0];
      socket.close(1001);
      await waitUntil('our close frame', () => serverFrames(raw.bytes()).length === 1);
      expect(closeCodeOf(serverFrames(raw.bytes())[0])).toBe(1001);
      // Until the peer answers, the server still reads (RFC 6455 §5.5.1): the connection was not cut at once.
      raw.tcp.write(clientFrame(0x81, Buffer.from('still here')));
      await waitUntil('the late message', () => recorder.events.messages.length === 1);
      // The client never answers and never closes its side: only the timer can end the connection.
      await raw.ended;
      await waitUntil('the server close', () => recorder.events.closes.length === 1);
      expect(recorder.events.closes).toEqual([1006]);
    });

    test('a client that half-closes without a close frame gets our side closed too', async () => {
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length === 1);
      raw.tcp.end();
      await raw.ended;
      await waitUntil('the server close', () => harness.accepted[0].recorder.events.closes.length === 1);
      expect(harness.accepted[0].recorder.events.closes).toEqual([1006]);
    });
  });

  describe(`fuzzed frame streams (seed ${SEED}; reproduce with FUZZ_SEED)`, () => {
    const TEXT = ['a', 'é', '中', '😀', '~', '\u2028', '\0', ' '];

    /** A random stream of client frames and the messages it carries: whole and fragmented messages, pings between fragments. */
    function randomStream(random: () => number): { bytes: Buffer; messages: Array<{ data: Buffer; binary: boolean }>; closeCode: number | null } {
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      const frames: Buffer[] = [];
      const messages: Array<{ data: Buffer; binary: boolean }> = [];
      for (let m = Math.floor(random() * 5); m > 0; m--) {
        const binary = random() < 0.4;
        const length = pick([0, 1, 2, 125, 126, 127, 300, 4_000, 65_535, 65_536, 70_000]);
        let data: Buffer;
        if (binary) {
          data = Buffer.alloc(length);
          for (let i = 0; i < length; i++) data[i] = Math.floor(random() * 256);
        }
        else {
          const pieces: Buffer[] = [];
          for (let bytes = 0; bytes < length; ) {
            const piece = Buffer.from(pick(TEXT));
            pieces.push(piece);
            bytes += piece.length;
          }
          data = Buffer.concat(pieces);
        }
        messages.push({ data, binary });
        const parts = random() < 0.3 ? 1 + Math.floor(random() * 4) : 1;
        // Fragments split anywhere, even inside a UTF-8 character: only the whole message must be UTF-8.
        const cuts = Array.from({ length: parts - 1 }, () => Math.floor(random() * (data.length + 1))).sort((a, b) => a - b);
        const bounds = [0, ...cuts, data.length];
        for (let i = 0; i < parts; i++) {
          const opcode = i === 0 ? (binary ? 0x2 : 0x1) : 0x0;
          frames.push(clientFrame((i === parts - 1 ? 0x80 : 0) | opcode, data.subarray(bounds[i], bounds[i + 1])));
          if (random() < 0.2) frames.push(clientFrame(0x89, Buffer.from('p')));
        }
      }
      const closeCode = random() < 0.5 ? pick([1000, 1001, 3000, 4999]) : null;
      if (closeCode !== null) {
        const body = Buffer.alloc(2);
        body.writeUInt16BE(closeCode, 0);
        frames.push(clientFrame(0x88, body));
      }
      return { bytes: Buffer.concat(frames), messages, closeCode };
    }

    /** Breaks a stream: a flipped bit, a cut, noise put in, or a header byte replaced. */
    function mutate(bytes: Buffer, random: () => number): Buffer {
      const out = Buffer.from(bytes.length > 0 ? bytes : Buffer.from([0x81]));
      const at = Math.floor(random() * out.length);
      switch (Math.floor(random() * 4)) {
        case 0:
          out[at] ^= 1 << Math.floor(random() * 8);
          return out;
        case 1:
          return out.subarray(0, at);
        case 2:
          return Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256))), out.subarray(at)]);
        default:
          out[Math.min(at, 1)] = Math.floor(random() * 256);
          return out;
      }
    }

    /** Writes a stream in random pieces, then half-closes; resolves when the server side has closed. */
    async function play(bytes: Buffer, random: () => number): Promise<{ recorder: Recorder }> {
      const raw = await rawClient(harness);
      await waitUntil('the server side', () => harness.accepted.length > 0);
      const { recorder } = harness.accepted[harness.accepted.length - 1];
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + Math.floor(random() * 20_000);
        raw.tcp.write(bytes.subarray(offset, offset + size));
        offset += size;
      }
      raw.tcp.end();
      await raw.ended;
      await waitUntil('the server close', () => recorder.events.closes.length === 1);
      return { recorder };
    }

    test('streams as clients send them arrive message for message, whole and in order', async () => {
      const random = seededRandom(SEED);
      for (let round = 0; round < 40; round++) {
        const stream = randomStream(random);
        const { recorder } = await play(stream.bytes, random);
        expect(recorder.events.errors).toEqual([]);
        expect(recorder.events.messages.length).toBe(stream.messages.length);
        recorder.events.messages.forEach((message, index) => {
          expect(message.binary).toBe(stream.messages[index].binary);
          expect(message.data.equals(stream.messages[index].data)).toBe(true);
        });
        expect(recorder.events.closes).toEqual([stream.closeCode ?? 1006]);
        harness.accepted.length = 0;
      }
    });

    test('broken streams end with a protocol close code or none, once, and never throw; a healthy client is served after them', async () => {
      const random = seededRandom(SEED + 1);
      const reasons = new Map<string, number>();
      for (let round = 0; round < 150; round++) {
        const stream = randomStream(random);
        const { recorder } = await play(mutate(stream.bytes, random), random);
        const { errors, messages, closes } = recorder.events;
        expect(errors.length).toBeLessThanOrEqual(1);
        for (const error of errors) {
          expect([1002, 1007, 1009]).toContain(error.code);
          const kind = error.reason.replace(/\d+/g, 'N');
          reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
        }
        expect(closes).toHaveLength(1);
        for (const message of messages) if (!message.binary) expect(Buffer.from(message.data.toString('utf8')).equals(message.data)).toBe(true);
        harness.accepted.length = 0;
      }
      // Not a vacuous fuzz: many streams were refused, for several different reasons.
      expect([...reasons.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThan(30);
      expect(reasons.size).toBeGreaterThanOrEqual(3);
      const healthy = await realClient(harness);
      healthy.ws.send('after the storm');
      await waitUntil('the message', () => healthy.recorder.events.messages.length === 1);
      expect(healthy.recorder.events.messages[0].data.toString()).toBe('after the storm');
      healthy.ws.terminate();
    });
  });

  describe('handshakes refused before anything is written', () => {
    async function handshake(headers: string, method = 'GET'): Promise<string> {
      const tcp = connect(harness.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      tcp.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise<void>((resolve) => tcp.once('close', () => resolve()));
      tcp.write(`${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`);
      await ended;
      return Buffer.concat(chunks).toString();
    }
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';

    test.each([
      { name: 'no key', headers: 'Sec-WebSocket-Version: 13\r\n', message: /Sec-WebSocket-Key/ },
      { name: 'a key that is not 16 bytes of base64', headers: 'Sec-WebSocket-Key: short==\r\nSec-WebSocket-Version: 13\r\n', message: /Sec-WebSocket-Key/ },
      { name: 'no version', headers: `Sec-WebSocket-Key: ${key}\r\n`, message: /Sec-WebSocket-Version/ },
      { name: 'an unknown version', headers: `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 12\r\n`, message: /Sec-WebSocket-Version/ },
      { name: 'a subprotocol that is no token', headers: `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a b\r\n`, message: /Sec-WebSocket-Protocol/ },
    ])('$name: a 400 refusal', async ({ headers, message }) => {
      const answer = await handshake(headers);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(harness.refusals).toHaveLength(1);
      expect(harness.refusals[0].code).toBe('BAD_REQUEST');
      expect(harness.refusals[0].message).toMatch(message);
      expect(harness.accepted).toHaveLength(0);
    });

    test('a handshake that is not a GET: 405', async () => {
      const answer = await handshake(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`, 'POST');
      expect(answer).toMatch(/^HTTP\/1\.1 405 /);
      expect(harness.refusals[0].code).toBe('METHOD_NOT_ALLOWED');
    });

    test('the accept key is the one RFC 6455 §1.3 gives for its sample key; version 8 (hybi-10) is spoken too', async () => {
      const answer = await new Promise<string>((resolve) => {
        const tcp = connect(harness.port, '127.0.0.1');
        tcp.once('data', (chunk: Buffer) => {
          resolve(chunk.toString());
          tcp.destroy();
        });
        tcp.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 8\r\n\r\n`);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      expect(answer).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    });
  });
});
