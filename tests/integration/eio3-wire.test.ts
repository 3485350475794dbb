/**
 * Engine.IO 3 on the wire: raw HTTP and websocket requests on 127.0.0.1,
 * written from engine.io 3's behaviour (socket.io-client 2.x's server), with
 * pingInterval 300 ms and pingTimeout 200 ms so heartbeats run in a test.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { waitForCallback as waitFor } from '../helpers/callback';
import { RecordingLogger } from '../helpers/server';
import { Application, getRouter, SocketConnection, SocketServer, type RouterSettings } from '../../src';

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  text: string;
}

/** One request with a timeout; the body as bytes too (binary payloads are not UTF-8). */
function send(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: all, text: all.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

class Echo extends SocketConnection {
  override onOpen() {
    this.on('echo', (...args: unknown[]) => this.emit('echo', ...args));
    this.on('bin', () => this.emit('bin', Buffer.from([1, 2, 3])));
    this.on('size', (blob: Buffer, ack?: (size: number) => void) => ack?.(blob.length));
    return undefined;
  }
}

interface Server {
  server: SocketServer;
  port: number;
  logger: RecordingLogger;
}

async function start(settings: RouterSettings = {}): Promise<Server> {
  const logger = new RecordingLogger();
  const router = getRouter(Echo, { logger, pingInterval: 0.3, pingTimeout: 0.2, ...settings });
  const server = new SocketServer(new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger }));
  await server.listening;
  return { server, port: server.port, logger };
}

/** The records of a text payload, checking each length against what follows (UTF-16 code units). */
function records(payload: string): string[] {
  const out: string[] = [];
  let rest = payload;
  while (rest.length > 0) {
    const match = /^(\d+):/.exec(rest);
    if (!match) throw new Error(`not a v3 payload: ${JSON.stringify(rest)}`);
    const length = Number(match[1]);
    const record = rest.substring(match[0].length, match[0].length + length);
    expect(record).toHaveLength(length);
    out.push(record);
    rest = rest.substring(match[0].length + length);
  }
  return out;
}

function digits(length: number): Buffer {
  return Buffer.from([...String(length)].map(Number));
}

/** A binary payload's text record: 0, the UTF-8 length one digit per byte, 255, the text. */
function textRecord(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([0]), digits(bytes.length), Buffer.from([255]), bytes]);
}

/** A binary payload's binary record: 1, the length of type byte + data, 255, the type byte 4, the data. */
function binaryRecord(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1]), digits(data.length + 1), Buffer.from([255, 4]), data]);
}

function textPayload(...packets: string[]): string {
  return packets.map((packet) => `${packet.length}:${packet}`).join('');
}

/** Runs the script a JSONP poll answers with, as a page would, and returns the payload it hands to ___eio[index]. */
function runJsonp(script: string, index: number): string {
  const calls: string[] = [];
  const eio: Array<(payload: string) => void> = [];
  eio[index] = (payload) => calls.push(payload);
  new Function('___eio', script)(eio);
  expect(calls).toHaveLength(1);
  return calls[0];
}

interface RawSocket {
  ws: WebSocket;
  next(): Promise<string | Buffer>;
  closed: Promise<number>;
}

function openWebSocket(port: number, query = ''): RawSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=3&transport=websocket${query}`);
  const frames: Array<string | Buffer> = [];
  const waiting: Array<(frame: string | Buffer) => void> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const frame = isBinary ? data : data.toString('utf8');
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
  const next = () => (frames.length > 0 ? Promise.resolve(frames.shift() as string | Buffer) : waitFor<string | Buffer>('a frame', (done) => waiting.push(done), 3000));
  return { ws, next, closed };
}

describe('Engine.IO 3 on the wire', () => {
  let main: Server;
  beforeAll(async () => {
    main = await start({ maxPayload: 10_000 });
  });
  afterAll(async () => main.server.close());

  async function handshake(query = ''): Promise<{ sid: string; open: Record<string, unknown>; rest: string[] }> {
    const answer = await send(main.port, 'GET', `/socket.io/?EIO=3&transport=polling&t=1${query}`);
    expect(answer.status).toBe(200);
    const [open, ...rest] = records(answer.text);
    expect(open.charAt(0)).toBe('0');
    const parsed = JSON.parse(open.substring(1)) as Record<string, unknown>;
    return { sid: String(parsed.sid), open: parsed, rest };
  }

  const poll = (sid: string, query = '') => send(main.port, 'GET', `/socket.io/?EIO=3&transport=polling&sid=${sid}${query}`);
  const post = (sid: string, body: string | Buffer, contentType = 'text/plain;charset=UTF-8', query = '') =>
    send(main.port, 'POST', `/socket.io/?EIO=3&transport=polling&sid=${sid}${query}`, body, { 'Content-Type': contentType });

  it('answers a polling handshake with engine.io 3\'s open packet (no maxPayload) and the 40 right behind it', async () => {
    const { open, rest } = await handshake();
    expect(open).toEqual({ sid: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/), upgrades: ['websocket'], pingInterval: 300, pingTimeout: 200 });
    // socket.io 2 connects `/` without being asked: its `40` is in the same answer.
    expect(rest).toEqual(['40']);
  });

  it('opens a websocket with the open packet, then 40; answers each client ping with a pong and never pings itself', async () => {
    const client = openWebSocket(main.port);
    const open = JSON.parse(String(await client.next()).substring(1)) as Record<string, unknown>;
    expect(open).toEqual({ sid: expect.any(String), upgrades: [], pingInterval: 300, pingTimeout: 200 });
    expect(await client.next()).toBe('40');
    // Several periods, each ping answered; the server sends nothing unasked (a server ping would arrive first).
    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      client.ws.send('2');
      expect(await client.next()).toBe('3');
    }
    client.ws.send('42["echo","still here"]');
    expect(await client.next()).toBe('42["echo","still here"]');
    client.ws.close();
  });

  it('closes a session silent for pingInterval + pingTimeout, over websocket and over polling', async () => {
    const client = openWebSocket(main.port);
    await client.next();
    await client.next();
    await waitFor<number>('the close of a silent websocket', (done) => void client.closed.then(done), 3000);
    const { sid } = await handshake();
    await waitFor<void>('the silent poller to be dropped', (done) => {
      const check = (): void => void poll(sid).then((answer) => (answer.status === 400 ? done() : setTimeout(check, 100)));
      check();
    }, 3000);
    expect(main.logger.lines.some((line) => line.includes(sid))).toBe(true);
  });

  it('polls over JSONP with j=N: every answer is ___eio[N]("..."), every send a d= form post with escaped newlines', async () => {
    const first = await send(main.port, 'GET', '/socket.io/?EIO=3&transport=polling&j=3&t=1');
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/javascript/);
    expect(first.text).toMatch(/^___eio\[3\]\(".*"\);$/s);
    const [open, connect] = records(runJsonp(first.text, 3));
    const { sid } = JSON.parse(open.substring(1)) as { sid: string };
    expect(connect).toBe('40');
    // The client escapes a literal `\n` in the text as `\\n`: the JSON below carries a backslash-n escape.
    const event = '42["echo","a\\nb"]';
    const form = new URLSearchParams({ d: textPayload(event).replace(/\\n/g, '\\\\n') }).toString();
    const sent = await send(main.port, 'POST', `/socket.io/?EIO=3&transport=polling&sid=${sid}&j=3`, form, { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect([sent.status, sent.text]).toEqual([200, 'ok']);
    const echoed = await send(main.port, 'GET', `/socket.io/?EIO=3&transport=polling&sid=${sid}&j=3`);
    expect(records(runJsonp(echoed.text, 3))).toEqual([event]);
    // Binary to a JSONP client goes as b4 + base64 inside the script.
    await send(main.port, 'POST', `/socket.io/?EIO=3&transport=polling&sid=${sid}&j=3`, `d=${encodeURIComponent(textPayload('42["bin"]'))}`, { 'Content-Type': 'application/x-www-form-urlencoded' });
    const binary = await send(main.port, 'GET', `/socket.io/?EIO=3&transport=polling&sid=${sid}&j=3`);
    expect(records(runJsonp(binary.text, 3))).toEqual(['451-["bin",{"_placeholder":true,"num":0}]', 'b4AQID']);
  });

  it('refuses a bad JSONP index with 400 before opening a session', async () => {
    for (const index of ['abc', '1234567', '1);alert(1']) {
      const answer = await send(main.port, 'GET', `/socket.io/?EIO=3&transport=polling&j=${encodeURIComponent(index)}`);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ code: 3, message: 'Bad request' });
    }
    expect(main.logger.lines.filter((line) => line.includes('JSONP index')).length).toBe(3);
  });

  it('sends binary to a b64=1 poller as b4 text, and to an XHR2 poller as an octet-stream binary payload', async () => {
    const base64 = await handshake('&b64=1');
    expect((await post(base64.sid, textPayload('42["bin"]'))).status).toBe(200);
    const text = await poll(base64.sid, '&b64=1');
    expect(text.contentType).toMatch(/^text\/plain/);
    expect(records(text.text)).toEqual(['451-["bin",{"_placeholder":true,"num":0}]', 'b4AQID']);

    const xhr2 = await handshake();
    expect((await post(xhr2.sid, textPayload('42["bin"]'))).status).toBe(200);
    const binary = await poll(xhr2.sid);
    expect(binary.contentType).toBe('application/octet-stream');
    expect(binary.body).toEqual(Buffer.concat([textRecord('451-["bin",{"_placeholder":true,"num":0}]'), binaryRecord(Buffer.from([1, 2, 3]))]));
    // Spelled out once: 0, 41 as the digit bytes 4 1, 255, the text; then 1, 4 (type + 3 bytes), 255, 4, the data.
    expect([...binary.body.subarray(0, 4)]).toEqual([0, 4, 1, 255]);
  });

  it('reads a binary payload posted as application/octet-stream (the browser client\'s binary POST)', async () => {
    const { sid } = await handshake();
    // A binary event with ack id 7 and its one attachment, as the 2.x browser client posts it.
    const body = Buffer.concat([textRecord('451-7["size",{"_placeholder":true,"num":0}]'), binaryRecord(Buffer.alloc(5, 9))]);
    expect((await post(sid, body, 'application/octet-stream')).status).toBe(200);
    expect(records((await poll(sid)).text)).toEqual(['437[5]']);
  });

  it('closes only the offending client on a malformed payload or packet, with the reason logged; another keeps working', async () => {
    const bystander = openWebSocket(main.port);
    await bystander.next();
    await bystander.next();
    // Engine-level garbage is refused 400; a well-framed but unreadable Socket.IO packet is taken (200), then closes the session.
    const offences: Array<[string, number, string]> = [
      ['5:4hello', 400, 'does not start with <length>:'],
      ['99:42["x"]', 400, 'runs past the end'],
      ['1:9', 400, 'unknown packet type'],
      ['4:b2AA', 400, 'not a message'],
      [textPayload('42["x"'), 200, 'JSON'],
      [textPayload('4z'), 200, 'unknown packet type "z"'],
    ];
    for (const [body, status, reason] of offences) {
      const { sid } = await handshake();
      const answer = await post(sid, body);
      expect([body, answer.status]).toEqual([body, status]);
      expect((await poll(sid)).status).toBe(400);
      const line = main.logger.lines.find((entry) => entry.includes(`[engine ${sid}] closing:`));
      expect(line).toBeDefined();
      expect(line).toContain(reason);
      bystander.ws.send('2');
      expect(await bystander.next()).toBe('3');
    }
    // Over websocket: an unknown packet type closes that socket.
    const offender = openWebSocket(main.port);
    await offender.next();
    await offender.next();
    offender.ws.send('9');
    await waitFor<number>('the offender\'s close', (done) => void offender.closed.then(done), 3000);
    bystander.ws.send('42["echo",1]');
    expect(await bystander.next()).toBe('42["echo",1]');
    bystander.ws.close();
  });

  it('answers a forged sid 400 {"code":1,"message":"Session ID unknown"}, over polling and websocket', async () => {
    const forged = await send(main.port, 'GET', '/socket.io/?EIO=3&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA');
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text)).toEqual({ code: 1, message: 'Session ID unknown' });
    const posted = await post('AAAAAAAAAAAAAAAAAAAA', '1:2');
    expect([posted.status, JSON.parse(posted.text)]).toEqual([400, { code: 1, message: 'Session ID unknown' }]);
    const ws = new WebSocket(`ws://127.0.0.1:${main.port}/socket.io/?EIO=3&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA`);
    const status = await waitFor<number>('the refused upgrade', (done) => {
      ws.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    }, 3000);
    expect(status).toBe(400);
  });

  it('answers a POST over maxPayload 413 and ends that session', async () => {
    const { sid } = await handshake();
    const big = textPayload(`42["echo","${'x'.repeat(20_000)}"]`);
    const answer = await post(sid, big);
    expect(answer.status).toBe(413);
    expect((await poll(sid)).status).toBe(400);
    const { sid: other } = await handshake();
    expect((await post(other, textPayload('42["echo",2]'))).status).toBe(200);
    expect(records((await poll(other)).text)).toEqual(['42["echo",2]']);
  });
});

describe('Engine.IO 3 turned off', () => {
  let off: Server;
  beforeAll(async () => {
    off = await start({ allowEIO3: false });
  });
  afterAll(async () => off.server.close());

  it('answers EIO=3 400 {"code":5} over polling and websocket, and still serves EIO=4', async () => {
    const answer = await send(off.port, 'GET', '/socket.io/?EIO=3&transport=polling');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ code: 5, message: 'Unsupported protocol version' });
    const ws = new WebSocket(`ws://127.0.0.1:${off.port}/socket.io/?EIO=3&transport=websocket`);
    const status = await waitFor<number>('the refused upgrade', (done) => {
      ws.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    }, 3000);
    expect(status).toBe(400);
    const v4 = await send(off.port, 'GET', '/socket.io/?EIO=4&transport=polling');
    expect(v4.status).toBe(200);
    expect(v4.text).toMatch(/^0\{"sid":/);
  });
});
