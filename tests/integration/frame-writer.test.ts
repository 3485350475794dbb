import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { encodeFrame, framePayloadLength, writeEncodedFrame, writeFrame } from '../../src/websocket/frame-writer';

// Frames tornadio writes itself onto ws's socket, read by a real ws client:
// every length encoding (7-bit, 16-bit, 64-bit), text and binary, the large
// Buffer written without a copy, and frames mixed with ws's own sends.

interface Pair {
  server: WebSocket;
  tcp: Duplex;
  client: WebSocket;
  received: Array<{ data: Buffer; binary: boolean }>;
  close(): Promise<void>;
}

async function connectPair(): Promise<Pair> {
  const httpServer = http.createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  const accepted = new Promise<{ server: WebSocket; tcp: Duplex }>((resolve) => {
    httpServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => resolve({ server: ws, tcp: socket })));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 0 });
  const received: Pair['received'] = [];
  client.on('message', (data: RawData, binary: boolean) => received.push({ data: data as Buffer, binary }));
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const { server, tcp } = await accepted;
  return {
    server,
    tcp,
    client,
    received,
    async close() {
      client.terminate();
      server.terminate();
      wss.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

async function waitForMessages(pair: Pair, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (pair.received.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${pair.received.length} of ${count} messages`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('frame-writer', () => {
  let pair: Pair;
  beforeEach(async () => {
    pair = await connectPair();
  });
  afterEach(() => pair.close());

  test('every payload length encoding reaches a real ws client whole, text and binary', async () => {
    const lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000, 200_000];
    for (const length of lengths) {
      expect(writeFrame(pair.server, pair.tcp, 'x'.repeat(length), false)).toBe(true);
      const bytes = Buffer.alloc(length, length % 251);
      expect(writeFrame(pair.server, pair.tcp, bytes, true)).toBe(true);
    }
    await waitForMessages(pair, lengths.length * 2);
    lengths.forEach((length, index) => {
      const text = pair.received[index * 2];
      expect(text.binary).toBe(false);
      expect(text.data.toString('utf8')).toBe('x'.repeat(length));
      const binary = pair.received[index * 2 + 1];
      expect(binary.binary).toBe(true);
      expect(binary.data.equals(Buffer.alloc(length, length % 251))).toBe(true);
    });
  });

  test('text is framed by its UTF-8 length, and one encoded frame can go to the same socket again and again', async () => {
    const frame = encodeFrame('é 😀 中', false);
    expect(framePayloadLength(frame)).toBe(Buffer.byteLength('é 😀 中'));
    for (let i = 0; i < 3; i++) writeEncodedFrame(pair.server, pair.tcp, frame);
    // Around the short-text path's edge: 41 three-byte characters are 123 bytes, 42 are 126 (a 16-bit length).
    const edges = ['中'.repeat(41), '中'.repeat(42), '😀'.repeat(20), '😀'.repeat(21), '\ud800'.repeat(41)];
    for (const text of edges) writeFrame(pair.server, pair.tcp, text, false);
    expect(framePayloadLength(encodeFrame('中'.repeat(41), false))).toBe(123);
    expect(framePayloadLength(encodeFrame('中'.repeat(42), false))).toBe(126);
    await waitForMessages(pair, 3 + edges.length);
    expect(pair.received.map((message) => message.data.toString('utf8'))).toEqual([
      'é 😀 中',
      'é 😀 中',
      'é 😀 中',
      ...edges.map((text) => Buffer.from(text, 'utf8').toString('utf8')),
    ]);
  });

  test("frames mixed with ws's own sends arrive whole and in order", async () => {
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) writeFrame(pair.server, pair.tcp, `ours ${i}`, false);
      else pair.server.send(`ws ${i}`);
    }
    await waitForMessages(pair, 20);
    expect(pair.received.map((message) => message.data.toString('utf8'))).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `ours ${i}` : `ws ${i}`)),
    );
  });

  test('framePayloadLength reads back each header size', () => {
    for (const length of [0, 125, 126, 65_535, 65_536, 1_000_000]) expect(framePayloadLength(encodeFrame(Buffer.alloc(length), true))).toBe(length);
  });

  test('nothing is written once ws has started closing: no data frame may follow a close frame', async () => {
    const clientClosed = new Promise<number>((resolve) => pair.client.once('close', (code) => resolve(code)));
    pair.server.close(1000);
    expect(writeFrame(pair.server, pair.tcp, 'too late', false)).toBe(false);
    expect(writeFrame(pair.server, pair.tcp, Buffer.alloc(100_000), true)).toBe(false);
    expect(writeEncodedFrame(pair.server, pair.tcp, encodeFrame('too late', false))).toBe(false);
    expect(await clientClosed).toBe(1000);
    expect(pair.received).toEqual([]);
  });
});
