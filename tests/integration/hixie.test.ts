/**
 * hixie-76 and hixie-75 clients (the drafts of Flash's web-socket-js, Safari 5,
 * old Chrome and Opera) through the 0.6 behaviours the RFC 6455 path is tested
 * for, on websocket and flashsocket, over ws and wss.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLogger, expireProbeSession, startEchoServer, type TestServer } from '../helpers/server';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { waitFor } from '../helpers/test-client';
import { connectHixie, HixieClient, type HixieClientOptions } from '../helpers/hixie-client';
import type { RouterSettings } from '../../src';
import { encodeFrame } from '../../src/protocols/v06/codec';

let ssl: { key: Buffer; cert: Buffer };
let certDir: string;

beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'tornadio-hixie-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore', timeout: 30000 });
  ssl = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
});

afterAll(() => rmSync(certDir, { recursive: true, force: true }));

/** `expireProbeSession` over https: an xhr-polling session that never polls, expired by the sweep. */
async function expireTlsProbeSession(server: TestServer): Promise<string> {
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: server.port, path: `/socket.io/xhr-polling//${Date.now()}`, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.setTimeout(5000, () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
  const probe = /^~m~24~m~([A-Za-z0-9_-]{24})$/.exec(body)?.[1];
  if (!probe) throw new Error(`probe handshake answered ${body}`);
  await waitFor(() => server.log.closed.includes(probe), 5000, `the sweep to expire probe session ${probe}`);
  return probe;
}

const FAST = { sessionExpiry: 0.4, sessionCheckInterval: 0.1, xhrPollingTimeout: 0.5, heartbeatInterval: 0.25 };

type Case = [draft: 75 | 76, transport: 'websocket' | 'flashsocket', scheme: 'ws' | 'wss'];
const CASES: Case[] = [];
for (const draft of [76, 75] as const) for (const transport of ['websocket', 'flashsocket'] as const) for (const scheme of ['ws', 'wss'] as const) CASES.push([draft, transport, scheme]);

describe.each(CASES)('hixie-%s on %s over %s', (draft, transport, scheme) => {
  let server: TestServer;
  let logger: RecordingLogger;
  const clients: HixieClient[] = [];
  const tls = scheme === 'wss';
  const start = async (settings: RouterSettings = {}, onOpen?: () => unknown) => {
    logger = new RecordingLogger();
    server = await startEchoServer({ ...FAST, logger, ...settings }, { onOpen, ssl: tls ? ssl : undefined });
  };
  const open = async (options: Partial<HixieClientOptions> = {}) => {
    const client = await connectHixie(server.port, { draft, transport, tls, ...options });
    clients.push(client);
    return client;
  };
  const raw = (options: Partial<HixieClientOptions> = {}) => {
    const client = new HixieClient(server.port, { draft, transport, tls, ...options });
    clients.push(client);
    return client;
  };
  const warned = (pattern: RegExp) => logger.lines.some((line) => line.startsWith('warn') && pattern.test(line));

  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await server.close();
  });

  it('answers the handshake with its origin and a location of the right scheme, then the session id', async () => {
    const client = await open();
    const prefix = draft === 76 ? 'sec-websocket-' : 'websocket-';
    expect(client.status).toBe(101);
    expect(client.responseHeaders.get(`${prefix}origin`)).toBe('http://127.0.0.1');
    expect(client.responseHeaders.get(`${prefix}location`)).toBe(`${scheme}://127.0.0.1:${server.port}/socket.io/${transport}`);
    expect(client.sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const info = server.log.opened[0];
    expect(info.transport).toBe(transport);
    expect(info.request.secure).toBe(tls);
    expect(server.router.connections.get(client.sessionId)).toBeDefined();
  });

  it('echoes strings, JSON and unicode exactly, both ways', async () => {
    const client = await open();
    const texts = ['hello', '~j~{"a":[1,2],"b":"é"}', '😀 中文 e\u0301 \u2028', ''];
    await client.send(...texts);
    expect(await client.waitForMessages(texts.length)).toEqual(texts);
    expect(server.log.messages.map((entry) => entry.message)).toEqual(['hello', { a: [1, 2], b: 'é' }, '😀 中文 e\u0301 \u2028', '']);
  });

  it('delivers 500-message bursts both ways, in order', async () => {
    const client = await open();
    const outbound = Array.from({ length: 500 }, (_, i) => `c${i}`);
    for (const text of outbound) void client.send(text);
    await client.send('burst:500');
    const received = await client.waitForMessages(1000, 10000);
    expect(received.slice(0, 500)).toEqual(outbound);
    expect(received.slice(500)).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
  });

  it('sends heartbeats that keep an answering client alive', async () => {
    const client = await open();
    await waitFor(() => client.heartbeats.length >= 3, 5000, 'three heartbeats');
    expect(client.heartbeats.slice(0, 3)).toEqual(['~h~1', '~h~2', '~h~3']);
    expect(server.log.closed).toEqual([]);
  });

  it('closes a client that stops answering heartbeats, the TCP connection too, once', async () => {
    const client = await open({ answerHeartbeats: false });
    await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'heartbeat timeout');
    await client.closed;
    expect(server.log.closed).toEqual([client.sessionId]);
  });

  it('server close() delivers what was sent before, then the closing frame and the TCP close', async () => {
    const client = await open();
    await client.send('bye-then-close');
    await client.closed;
    expect(client.messages).toEqual(['bye']);
    expect(client.closingFrameReceived).toBe(draft === 76);
    expect(server.log.closed.filter((id) => id === client.sessionId)).toHaveLength(1);
    expect(server.router.connections.has(client.sessionId)).toBe(false);
  });

  it('a client that closes is closed once, within the expiry', async () => {
    const client = await open();
    client.close();
    await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'onClose');
    await client.closed;
    const probe = tls ? await expireTlsProbeSession(server) : await expireProbeSession(server);
    expect(server.log.closed).toEqual([client.sessionId, probe]);
  });

  it('a broadcast reaches hixie and RFC 6455 clients alike', async () => {
    const a = await open();
    const b = await open();
    const modern = new WebSocket(`${scheme}://127.0.0.1:${server.port}/socket.io/websocket`, { rejectUnauthorized: false });
    const modernFrames: string[] = [];
    modern.on('message', (data) => modernFrames.push(data.toString()));
    try {
      await waitFor(() => modernFrames.length === 1 && server.router.connections.size === 3, 5000, 'the RFC 6455 session');
      server.router.broadcast('to all');
      await a.waitForMessages(1);
      await b.waitForMessages(1);
      await waitFor(() => modernFrames.length === 2, 5000, 'the broadcast on RFC 6455');
      expect(modernFrames[1]).toBe('~m~6~m~to all');
      expect(a.messages).toEqual(['to all']);
      expect(b.messages).toEqual(['to all']);
    } finally {
      modern.close();
    }
  });

  it('keeps serving a session after a malformed payload', async () => {
    const client = await open();
    await client.sendRaw('~m~99~m~short');
    await client.send('still here');
    expect(await client.waitForMessages(1)).toEqual(['still here']);
  });

  it('refuses a forbidden origin with 403 and no session', async () => {
    await server.close();
    await start({ origins: ['good.example:80'] });
    const refused = raw({ origin: 'http://evil.example' });
    await refused.closed;
    expect(refused.status).toBe(403);
    const allowed = await open({ origin: 'http://good.example' });
    expect(allowed.sessionId).toBeTruthy();
    expect(server.log.opened).toHaveLength(1);
  });

  describe('bad input: closed and logged, everyone else served', () => {
    const expectOthersServed = async (bystander: HixieClient) => {
      await bystander.send('fine');
      expect(await bystander.waitForMessages(1)).toEqual(['fine']);
    };

    it('a message over maxMessageSize', async () => {
      await server.close();
      await start({ maxMessageSize: 1024 });
      const big = await open();
      const bystander = await open();
      await big.sendRaw(`~m~2000~m~${'x'.repeat(2000)}`).catch(() => undefined);
      await big.closed;
      expect(warned(/message over the limit of 1024 bytes/)).toBe(true);
      await waitFor(() => server.log.closed.includes(big.sessionId), 5000, 'onClose');
      await expectOthersServed(bystander);
    });

    it('a frame that never ends is cut at maxMessageSize, not buffered', async () => {
      await server.close();
      await start({ maxMessageSize: 4096 });
      const endless = await open();
      const bystander = await open();
      const chunk = Buffer.alloc(1024, 0x61);
      await endless.writeBytes(Buffer.from([0x00]));
      // Keep writing until the server hangs up: it must, after about 4 KB.
      let written = 0;
      while (!endless.isClosed && written < 1024 * 1024) {
        const ok = await endless.writeBytes(chunk).then(() => true, () => false);
        if (!ok) break;
        written += chunk.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await endless.closed;
      expect(written).toBeLessThan(1024 * 1024);
      expect(warned(/message over the limit of 4096 bytes/)).toBe(true);
      await expectOthersServed(bystander);
    });

    it('a length-prefixed frame over the limit', async () => {
      await server.close();
      await start({ maxMessageSize: 1024 });
      const client = await open();
      const bystander = await open();
      // Type 0x80, length 2000 in 7-bit groups: 0x8F 0x50.
      await client.writeBytes(Buffer.from([0x80, 0x8f, 0x50]));
      await client.closed;
      expect(warned(/frame length over the limit/)).toBe(true);
      await expectOthersServed(bystander);
    });

    it('a length-prefixed frame within the limit is skipped', async () => {
      const client = await open();
      await client.writeBytes(Buffer.from([0x80, 0x03, 0x61, 0x62, 0x63]));
      await client.send('after');
      expect(await client.waitForMessages(1)).toEqual(['after']);
    });

    it('invalid UTF-8 in a text frame', async () => {
      const client = await open();
      const bystander = await open();
      await client.writeBytes(Buffer.from([0x00, 0xc3, 0x28, 0xfe, 0xff]));
      await client.closed;
      expect(warned(/invalid UTF-8/)).toBe(true);
      await waitFor(() => server.log.closed.includes(client.sessionId), 5000, 'onClose');
      await expectOthersServed(bystander);
    });

    it('a split UTF-8 character across packets is one valid message', async () => {
      const client = await open();
      const bytes = Buffer.from(encodeFrame('é'), 'utf8');
      client.socket.setNoDelay(true);
      await client.writeBytes(Buffer.concat([Buffer.from([0x00]), bytes.subarray(0, bytes.length - 1)]));
      await new Promise((resolve) => setImmediate(resolve));
      await client.writeBytes(Buffer.concat([bytes.subarray(bytes.length - 1), Buffer.from([0xff])]));
      expect(await client.waitForMessages(1)).toEqual(['é']);
    });
  });
});

describe.each([75, 76] as const)('hixie-%s details', (draft) => {
  let server: TestServer;
  let logger: RecordingLogger;
  const clients: HixieClient[] = [];
  beforeEach(async () => {
    logger = new RecordingLogger();
    server = await startEchoServer({ ...FAST, logger, handshakeTimeout: 0.3 });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await server.close();
  });

  it('echoes a requested subprotocol', async () => {
    const name = draft === 76 ? 'Sec-WebSocket-Protocol' : 'WebSocket-Protocol';
    const client = await connectHixie(server.port, { draft, extraHeaders: [`${name}: chat`] });
    clients.push(client);
    expect(client.responseHeaders.get(name.toLowerCase())).toBe('chat');
  });

  it('refuses a disabled transport with 403', async () => {
    await server.close();
    server = await startEchoServer({ logger, enabledProtocols: ['websocket', 'xhr-polling'] });
    const client = new HixieClient(server.port, { draft, transport: 'flashsocket' });
    clients.push(client);
    await client.closed;
    expect(client.status).toBe(403);
  });

  it('answers 503 past maxSessions, like RFC 6455', async () => {
    await server.close();
    server = await startEchoServer({ logger, maxSessions: 1 });
    const first = await connectHixie(server.port, { draft });
    clients.push(first);
    const second = new HixieClient(server.port, { draft });
    clients.push(second);
    await second.closed;
    expect(second.status).toBe(503);
  });
});

describe('hixie-76 key3', () => {
  let server: TestServer;
  let logger: RecordingLogger;
  const clients: HixieClient[] = [];
  beforeEach(async () => {
    logger = new RecordingLogger();
    server = await startEchoServer({ ...FAST, logger, handshakeTimeout: 0.3 });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await server.close();
  });

  it.each([0, 1, 4, 7])('may arrive in a later packet (split after %i bytes)', async (splitAt) => {
    const client = await connectHixie(server.port, { draft: 76, key3: { splitAt } });
    clients.push(client);
    await client.send('split');
    expect(await client.waitForMessages(1)).toEqual(['split']);
  });

  it('a missing key3 closes the connection after handshakeTimeout, logged, no session', async () => {
    const client = new HixieClient(server.port, { draft: 76, key3: 'never' });
    clients.push(client);
    await client.closed;
    expect(client.status).toBe(0);
    expect(logger.lines.some((line) => line.startsWith('warn') && /key3 did not arrive/.test(line))).toBe(true);
    expect(server.log.opened).toEqual([]);
    const other = await connectHixie(server.port, { draft: 76 });
    clients.push(other);
    await other.send('ok');
    expect(await other.waitForMessages(1)).toEqual(['ok']);
  });

  it('a short key3 (then silence) is closed the same way', async () => {
    const client = new HixieClient(server.port, { draft: 76, key3: 'never' });
    clients.push(client);
    client.socket.once('connect', () => setImmediate(() => client.socket.write(Buffer.from([1, 2, 3]))));
    await client.closed;
    expect(logger.lines.some((line) => /key3 did not arrive/.test(line))).toBe(true);
    expect(server.log.opened).toEqual([]);
  });

  it('key headers no client sends are refused with 400', async () => {
    const client = new HixieClient(server.port, { draft: 75, extraHeaders: ['Sec-WebSocket-Key1: 1 2 3', 'Sec-WebSocket-Key2: 4 5'] });
    clients.push(client);
    await client.closed;
    expect(client.status).toBe(400);
    const noSpaces = new HixieClient(server.port, { draft: 75, extraHeaders: ['Sec-WebSocket-Key1: 123', 'Sec-WebSocket-Key2: 45 6'] });
    clients.push(noSpaces);
    await noSpaces.closed;
    expect(noSpaces.status).toBe(400);
  });
});
