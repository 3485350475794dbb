import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage as HttpRequest, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { Application, getRouter, SocketConnection, SocketServer, type ApplicationSettings, type IncomingMessage } from '../../src';
import { silentLogger } from '../../src/logger';
import { parseRequestHead } from '../../src/http/lane/head';
import { connectHixie } from '../helpers/hixie-client';
import { seededRandom } from '../helpers/random';
import { waitFor } from '../helpers/test-client';

// tornadio's own HTTP/1.1 reader in front of node:http (src/http/lane): the
// Engine.IO requests it serves itself, what it hands to node:http (and that
// node:http then serves on the same connection), keep-alive and pipelining,
// its timeouts, and bad input. Raw TCP and the real socket.io-client.

const SEED = Number(process.env.FUZZ_SEED ?? 0x1a4e);

class Echo extends SocketConnection {
  override onMessage(message: IncomingMessage): void {
    this.send(message);
  }
}

interface Harness {
  server: SocketServer;
  port: number;
  router: ReturnType<typeof getRouter>;
  /** Requests node:http served (the lane's never reach its 'request' event). */
  nodeRequests: string[];
}

let harness: Harness;
const sockets = new Set<Socket>();

async function start(settings: ApplicationSettings = {}, ssl?: { key: Buffer; cert: Buffer }): Promise<Harness> {
  const plain = (_req: HttpRequest, res: ServerResponse): void => void res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end('plain page');
  const router = getRouter(Echo, { logger: silentLogger, maxPayload: 1000, maxBodySize: 1000 });
  const app = new Application([router.route(), ['/plain', plain]], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger, ...settings });
  const server = new SocketServer(app, ssl ? { ssl } : {});
  await server.listening;
  const nodeRequests: string[] = [];
  const record = (req: HttpRequest): number => nodeRequests.push(`${req.method} ${req.url}`);
  server.httpServer.prependListener('request', record);
  server.httpServer.prependListener('checkContinue', record);
  server.httpServer.prependListener('upgrade', (req: HttpRequest) => nodeRequests.push(`UPGRADE ${req.url}`));
  return { server, port: server.port, router, nodeRequests };
}

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await harness?.server.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw keep-alive connection: writes bytes, reads responses framed by Content-Length, in order. */
class RawConnection {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #waiters: Array<() => void> = [];
  closed = false;
  readonly ended: Promise<void>;

  constructor(port: number) {
    this.socket = tcpConnect(port, '127.0.0.1');
    sockets.add(this.socket);
    this.socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake();
    });
    this.socket.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next whole response; rejects after `timeoutMs`, or when the connection closes first. */
  async response(timeoutMs = 3000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.#take();
      if (parsed) return parsed;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.#received.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no whole response in ${timeoutMs} ms; have ${JSON.stringify(this.#received.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** What arrived and was not read as a response. */
  get unread(): string {
    return this.#received.toString('latin1');
  }

  #take(): RawResponse | null {
    const end = this.#received.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const lines = this.#received.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.substring(0, colon).toLowerCase()] = line.substring(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.#received.length < end + 4 + length) return null;
    const body = this.#received.toString('utf8', end + 4, end + 4 + length);
    this.#received = this.#received.subarray(end + 4 + length);
    return { status, headers, body };
  }
}

const EIO = '/socket.io/?EIO=4&transport=polling';
const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
const post = (path: string, body: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Answers reduced to what must match on and off the lane: status, body (`bodyOf` masks session ids), the `kept` headers. */
function comparableAnswers(answers: RawResponse[], kept: string[], bodyOf = (body: string) => body) {
  return answers.map(({ status, headers, body }) => ({ status, body: bodyOf(body), headers: Object.fromEntries(kept.filter((name) => name in headers).map((name) => [name, headers[name]])) }));
}

/** A v4 session opened and joined to `/` on `connection`; its sid. */
async function openSession(connection: RawConnection): Promise<string> {
  connection.write(get(EIO));
  const open = await connection.response();
  expect(open.status).toBe(200);
  const { sid } = JSON.parse(open.body.substring(1)) as { sid: string };
  connection.write(post(`${EIO}&sid=${sid}`, '40'));
  expect((await connection.response()).body).toBe('ok');
  connection.write(get(`${EIO}&sid=${sid}`));
  expect((await connection.response()).body).toMatch(/^40\{"sid":/);
  return sid;
}

/** parseRequestHead on a head given as text (without its blank line). */
const headOf = (head: string) => parseRequestHead(Buffer.from(head, 'latin1'), Buffer.byteLength(head, 'latin1'), null as unknown as Socket);

describe('requests the lane serves', () => {
  it('serves a v4 session over one keep-alive connection, node:http never seeing a request', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    const sid = await openSession(connection);
    connection.write(post(`${EIO}&sid=${sid}`, '42["message","héllo"]'));
    const ok = await connection.response();
    expect(ok).toMatchObject({ status: 200, body: 'ok' });
    expect(ok.headers).toMatchObject({ connection: 'keep-alive', 'keep-alive': 'timeout=5', 'cache-control': 'no-store' });
    expect(new Date(ok.headers.date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    connection.write(get(`${EIO}&sid=${sid}`));
    expect((await connection.response()).body).toBe('42["message","héllo"]');
    expect(harness.nodeRequests).toEqual([]);
  });

  it('answers pipelined requests in order, one at a time', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    const sid = await openSession(connection);
    // Three posts and a poll in one write: each answered in turn, the poll with all three.
    const path = `${EIO}&sid=${sid}`;
    connection.write(post(path, '42["message","a"]') + post(path, '42["message","b"]') + post(path, '42["message","c"]') + get(path));
    for (let i = 0; i < 3; i++) expect((await connection.response()).body).toBe('ok');
    expect((await connection.response()).body).toBe('42["message","a"]\x1e42["message","b"]\x1e42["message","c"]');
  });

  it('reads a head and body that arrive a byte at a time', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    const sid = await openSession(connection);
    const bytes = Buffer.from(post(`${EIO}&sid=${sid}`, '42["message","slow"]'));
    for (const byte of bytes) {
      connection.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await connection.response()).body).toBe('ok');
    connection.write(get(`${EIO}&sid=${sid}`));
    expect((await connection.response()).body).toBe('42["message","slow"]');
    expect(harness.nodeRequests).toEqual([]);
  });

  it('holds a poll while the next request waits behind it, then answers both', async () => {
    harness = await start();
    const poller = new RawConnection(harness.port);
    const sid = await openSession(poller);
    const path = `${EIO}&sid=${sid}`;
    // A poll held (nothing to send), with a post pipelined behind it on the same connection.
    poller.write(get(path) + post(path, '42["message","behind"]'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(poller.unread).toBe('');
    const sender = new RawConnection(harness.port);
    sender.write(post(path, '42["message","release"]'));
    expect((await sender.response()).body).toBe('ok');
    expect((await poller.response()).body).toBe('42["message","release"]');
    expect((await poller.response()).body).toBe('ok');
    poller.write(get(path));
    expect((await poller.response()).body).toBe('42["message","behind"]');
  });

  it('stops reading past 64 KiB held behind a poll, and serves it all in order once the poll is answered', async () => {
    harness = await start();
    const poller = new RawConnection(harness.port);
    const sid = await openSession(poller);
    const path = `${EIO}&sid=${sid}`;
    const texts = Array.from({ length: 100 }, (_, i) => `${i}:${'x'.repeat(900)}`);
    poller.write(get(path) + texts.map((text) => post(path, `42["message","${text}"]`)).join(''));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sender = new RawConnection(harness.port);
    sender.write(post(path, '42["message","release"]'));
    expect((await sender.response()).body).toBe('ok');
    expect((await poller.response()).body).toBe('42["message","release"]');
    for (let i = 0; i < texts.length; i++) expect((await poller.response()).body).toBe('ok');
    poller.write(get(path));
    const echoed = (await poller.response()).body.split('\x1e').map((packet) => (JSON.parse(packet.substring(2)) as string[])[1]);
    expect(echoed).toEqual(texts);
  });

  it('closes the connection after an answer to `Connection: close`', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    connection.write(get(EIO, 'Connection: close\r\n'));
    const open = await connection.response();
    expect(open.headers.connection).toBe('close');
    await connection.ended;
  });

  it('answers a CORS preflight and an unknown sid as engine.io does', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    connection.write(`OPTIONS ${EIO} HTTP/1.1\r\nHost: x\r\nOrigin: http://a.example\r\nAccess-Control-Request-Headers: content-type\r\n\r\n`);
    const preflight = await connection.response();
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    connection.write(get(`${EIO}&sid=nope`));
    expect(await connection.response()).toMatchObject({ status: 400, body: '{"code":1,"message":"Session ID unknown"}' });
    expect(harness.nodeRequests).toEqual([]);
  });

  it('refuses a body over maxPayload with 413, closes the connection and the session', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    const sid = await openSession(connection);
    connection.write(post(`${EIO}&sid=${sid}`, `42["message","${'x'.repeat(2000)}"]`));
    expect((await connection.response()).status).toBe(413);
    await connection.ended;
    expect(harness.server.httpServer.listening).toBe(true);
    const other = new RawConnection(harness.port);
    other.write(get(`${EIO}&sid=${sid}`));
    expect((await other.response()).status).toBe(400);
  });

  it('keeps what is sent to a poll whose client went away before it was answered', async () => {
    harness = await start();
    const first = new RawConnection(harness.port);
    const sid = await openSession(first);
    first.write(get(`${EIO}&sid=${sid}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.socket.destroy();
    await first.ended;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = new RawConnection(harness.port);
    second.write(post(`${EIO}&sid=${sid}`, '42["message","kept"]'));
    expect((await second.response()).body).toBe('ok');
    second.write(get(`${EIO}&sid=${sid}`));
    expect((await second.response()).body).toBe('42["message","kept"]');
  });

  it('accepts a websocket upgrade', async () => {
    harness = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => {
      frames.push(data.toString());
      if (frames.length === 1) ws.send('40');
      if (frames.length === 2) ws.send('42["message","over ws"]');
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`frames: ${frames.join(' | ')}`)), 3000);
      ws.on('message', () => frames.length === 3 && (clearTimeout(timer), resolve()));
    });
    expect(frames[2]).toBe('42["message","over ws"]');
    ws.close();
    expect(harness.nodeRequests).toEqual([]);
  });

  it('takes 0.6 websocket upgrades too: RFC 6455, and hixie-76 with its key sent after the head', async () => {
    harness = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/websocket`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(data.toString()));
      ws.once('error', reject);
    });
    expect(first).toMatch(/^~m~\d+~m~[\w-]+$/);
    ws.close();
    const hixie = await connectHixie(harness.port, { draft: 76, key3: { splitAt: 3 } });
    expect(hixie.sessionId).toMatch(/^[\w-]+$/);
    hixie.close();
    expect(harness.nodeRequests).toEqual([]);
  });
});

describe('what the lane leaves to node:http', () => {
  it('hands a connection over at its first request for another route, and node:http serves the rest', async () => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    const sid = await openSession(connection);
    // A route of the user's, pipelined with an Engine.IO post: node:http serves both, in order.
    connection.write(get('/plain') + post(`${EIO}&sid=${sid}`, '42["message","after"]'));
    expect(await connection.response()).toMatchObject({ status: 200, body: 'plain page' });
    expect((await connection.response()).body).toBe('ok');
    connection.write(get(`${EIO}&sid=${sid}`));
    expect((await connection.response()).body).toBe('42["message","after"]');
    expect(harness.nodeRequests).toEqual(['GET /plain', `POST ${EIO}&sid=${sid}`, `GET ${EIO}&sid=${sid}`]);
  });

  it.each([
    ['a chunked body', (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n40\r\n0\r\n\r\n`, 200],
    ['Expect: 100-continue', (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n40`, 100],
    ['HTTP/1.0', (path: string) => `POST ${path} HTTP/1.0\r\nHost: x\r\nContent-Length: 2\r\n\r\n40`, 200],
  ])('leaves %s to node:http, which serves it', async (_what, request, status) => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    connection.write(get(EIO));
    const { sid } = JSON.parse((await connection.response()).body.substring(1)) as { sid: string };
    connection.write(request(`${EIO}&sid=${sid}`));
    const answer = await connection.response();
    expect(answer.status).toBe(status);
    if (status === 100) expect((await connection.response()).body).toBe('ok');
    else expect(answer.body).toBe('ok');
    expect(harness.nodeRequests).toEqual([`POST ${EIO}&sid=${sid}`]);
  });

  it.each([
    ['two Content-Lengths', `POST ${EIO} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`, 400],
    ['a Content-Length with Transfer-Encoding', `POST ${EIO} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400],
    ['a lone LF in a header', `GET ${EIO} HTTP/1.1\r\nHost: x\r\nX-A: b\nc\r\n\r\n`, 400],
    ['a folded header', `GET ${EIO} HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n`, 400],
    ['a NUL in a header', `GET ${EIO} HTTP/1.1\r\nHost: x\r\nX-A: b\0c\r\n\r\n`, 400],
    ['a space before the colon', `GET ${EIO} HTTP/1.1\r\nHost : x\r\n\r\n`, 400],
    ['no Host', `GET ${EIO} HTTP/1.1\r\nX-A: b\r\n\r\n`, 400],
    ['a head over 16 KiB', `GET ${EIO} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['a Flash policy request', '<policy-file-request/>\0', 0],
  ])('refuses %s the way node:http does', async (_what, request, status) => {
    harness = await start();
    const connection = new RawConnection(harness.port);
    connection.write(request);
    await connection.ended;
    if (status === 0) expect(connection.unread).toContain('<cross-domain-policy>');
    else expect(connection.unread).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    // Nothing of it reached a session, and the server serves the next client.
    const next = new RawConnection(harness.port);
    next.write(get(EIO));
    expect((await next.response()).status).toBe(200);
  });

  it('answers as node:http does off the lane: the same headers, and Content-Length the body\'s own bytes', async () => {
    const answersOf = async (settings: ApplicationSettings): Promise<RawResponse[]> => {
      harness = await start(settings);
      const connection = new RawConnection(harness.port);
      const sid = await openSession(connection);
      const poll = `${EIO}&sid=${sid}`;
      // A held poll answered by a post of non-ASCII text (its bytes, not its characters, counted), the post's ok,
      // a refusal, and a preflight.
      const held = new RawConnection(harness.port);
      held.write(get(poll));
      await new Promise((resolve) => setTimeout(resolve, 50));
      connection.write(post(poll, '42["message","héllo → 世界 🌍"]'));
      const answers = [await held.response(), await connection.response()];
      connection.write(get('/socket.io/?EIO=4&transport=polling&sid=nope'));
      answers.push(await connection.response());
      connection.write(`OPTIONS ${EIO} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://app\r\nAccess-Control-Request-Headers: x-a\r\n\r\n`);
      answers.push(await connection.response());
      await harness.server.close();
      return answers;
    };
    const comparable = (answers: RawResponse[]) => comparableAnswers(answers, ['content-type', 'content-length', 'cache-control', 'connection', 'access-control-allow-origin', 'access-control-allow-headers']);
    const onLane = await answersOf({});
    const offLane = await answersOf({ httpLane: false });
    expect(comparable(onLane)).toEqual(comparable(offLane));
    expect(onLane.map((answer) => answer.status)).toEqual([200, 200, 400, 204]);
    expect(onLane[0].body).toBe('42["message","héllo → 世界 🌍"]');
    expect(Number(onLane[0].headers['content-length'])).toBe(Buffer.byteLength(onLane[0].body));
    for (const answer of [...onLane, ...offLane]) expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    expect(onLane[0].headers.date).toMatch(/ GMT$/);
  });

  it('serves 0.6 polls and posts, xhr and jsonp, as node:http does off the lane; the streams stay with node:http', async () => {
    const answersOf = async (settings: ApplicationSettings): Promise<{ answers: RawResponse[]; nodeRequests: string[] }> => {
      harness = await start(settings);
      const connection = new RawConnection(harness.port);
      connection.write(get('/socket.io/xhr-polling//1'));
      const handshake = await connection.response();
      const sid = handshake.body.substring(8);
      const held = new RawConnection(harness.port);
      held.write(get(`/socket.io/xhr-polling/${sid}/2`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const framed = `~m~${'héllo → 世界'.length}~m~héllo → 世界`;
      connection.write(post(`/socket.io/xhr-polling/${sid}/send`, `data=${encodeURIComponent(framed)}`).replace('text/plain;charset=UTF-8', 'application/x-www-form-urlencoded'));
      const answers = [handshake, await held.response(), await connection.response()];
      // jsonp-polling: a handshake answered as a script.
      connection.write(get('/socket.io/jsonp-polling//3/0'));
      answers.push(await connection.response());
      connection.write(get('/socket.io/xhr-polling/AAAAAAAAAAAAAAAAAAAAAAAA/4'));
      answers.push(await connection.response());
      // Over maxBodySize: 413, and the connection closes.
      connection.write(post(`/socket.io/xhr-polling/${sid}/send`, 'x'.repeat(1001)));
      answers.push(await connection.response());
      await connection.ended;
      // An xhr-multipart stream is node:http's, on a connection of its own.
      const stream = new RawConnection(harness.port);
      stream.write(get('/socket.io/xhr-multipart/'));
      await waitFor(() => stream.unread.includes('--socketio'), 3000, 'the stream to open');
      const { nodeRequests } = harness;
      await harness.server.close();
      return { answers, nodeRequests };
    };
    const comparable = (answers: RawResponse[]) => comparableAnswers(answers, ['content-type', 'content-length', 'cache-control', 'connection'], (body) => body.replace(/~m~24~m~[\w-]{24}/, 'SID'));
    const onLane = await answersOf({});
    const offLane = await answersOf({ httpLane: false });
    expect(comparable(onLane.answers)).toEqual(comparable(offLane.answers));
    expect(onLane.answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 404, 413]);
    expect(comparable(onLane.answers).map((answer) => answer.body).slice(0, 4)).toEqual(['SID', `~m~${'héllo → 世界'.length}~m~héllo → 世界`, 'ok', 'io.JSONP[0]._("SID");']);
    expect(onLane.answers[5].headers.connection).toBe('close');
    expect(onLane.nodeRequests).toEqual(['GET /socket.io/xhr-multipart/']);
    expect(offLane.nodeRequests).toHaveLength(7);
  });

  it('serves 0.9 handshakes, polls and posts, xhr and jsonp, and the disconnect on unload, as node:http does off the lane', async () => {
    const answersOf = async (settings: ApplicationSettings): Promise<{ answers: RawResponse[]; nodeRequests: string[] }> => {
      harness = await start(settings);
      const connection = new RawConnection(harness.port);
      connection.write(get('/socket.io/1/?t=1'));
      const handshake = await connection.response();
      const sid = handshake.body.split(':')[0];
      const xhr = `/socket.io/1/xhr-polling/${sid}`;
      connection.write(get(`${xhr}?t=2`));
      const answers = [handshake, await connection.response()]; // 1:: (connected)
      const held = new RawConnection(harness.port);
      held.write(get(`${xhr}?t=3`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      connection.write(post(xhr, '3:::héllo → 世界'));
      answers.push(await held.response(), await connection.response());
      // jsonp-polling reaches the same session: a form post of `d`, and a poll answered as a script.
      const jsonp = `/socket.io/1/jsonp-polling/${sid}`;
      connection.write(post(`${jsonp}?t=4&i=0`, `d=${encodeURIComponent(JSON.stringify('3:::again'))}`, '').replace('text/plain;charset=UTF-8', 'application/x-www-form-urlencoded'));
      answers.push(await connection.response());
      connection.write(get(`${jsonp}?t=5&i=0`));
      answers.push(await connection.response());
      connection.write(get('/socket.io/1/xhr-polling/nope?t=6'));
      answers.push(await connection.response());
      // Over maxBodySize: 413, and the connection closes.
      const big = new RawConnection(harness.port);
      big.write(post(xhr, 'x'.repeat(1001)));
      answers.push(await big.response());
      await big.ended;
      // The page unloads: a synchronous GET ends the session.
      connection.write(get(`/socket.io/1//${sid}?disconnect=1`));
      answers.push(await connection.response());
      // A preflight is node:http's.
      const preflight = new RawConnection(harness.port);
      preflight.write(`OPTIONS ${xhr} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://app\r\n\r\n`);
      answers.push(await preflight.response());
      const { nodeRequests } = harness;
      await harness.server.close();
      return { answers, nodeRequests };
    };
    const comparable = (answers: RawResponse[]) => comparableAnswers(answers, ['content-type', 'content-length', 'cache-control', 'connection'], (body) => body.replace(/^[\w-]+:/, 'SID:'));
    const onLane = await answersOf({});
    const offLane = await answersOf({ httpLane: false });
    expect(comparable(onLane.answers)).toEqual(comparable(offLane.answers));
    expect(onLane.answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200, 404, 413, 200, 204]);
    expect(onLane.answers.slice(1, 6).map((answer) => answer.body)).toEqual(['1::', '3:::héllo → 世界', '1', '1', 'io.j[0]("3:::again");']);
    expect(onLane.answers[7].headers.connection).toBe('close');
    // Only the preflight reached node:http on the lane; off it, every request did.
    expect(onLane.nodeRequests).toEqual([`OPTIONS /socket.io/1/xhr-polling/${onLane.answers[0].body.split(':')[0]}`]);
    expect(offLane.nodeRequests).toHaveLength(10);
  });

  it('is off with httpLane: false: node:http reads every request', async () => {
    harness = await start({ httpLane: false });
    const connection = new RawConnection(harness.port);
    await openSession(connection);
    expect(harness.nodeRequests).toHaveLength(3);
  });
});

describe('connections', () => {
  it('leaves no connection behind: closed, handed over or upgraded', async () => {
    harness = await start();
    const connections = Array.from({ length: 30 }, () => new RawConnection(harness.port));
    await Promise.all(connections.map(async (connection, i) => {
      if (i % 3 === 0) connection.write(get(EIO));
      else if (i % 3 === 1) connection.write(get('/plain'));
      else connection.write(get(EIO, 'Connection: close\r\n'));
      await connection.response();
      // The lane ends a `Connection: close` connection itself, without waiting for the client's side.
      if (i % 3 === 2) await connection.ended;
    }));
    // The lane holds the ten Engine.IO keep-alive connections; the others went to node:http or closed.
    expect(harness.server.laneConnections).toBe(10);
    for (const connection of connections) connection.socket.destroy();
    await Promise.all(connections.map((connection) => connection.ended));
    const deadline = Date.now() + 2000;
    while (harness.server.laneConnections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(harness.server.laneConnections).toBe(0);
  });

  it('closes every lane connection, held polls included, when the server closes', async () => {
    harness = await start();
    const held = new RawConnection(harness.port);
    const sid = await openSession(held);
    held.write(get(`${EIO}&sid=${sid}`));
    const idle = new RawConnection(harness.port);
    idle.write(get(EIO));
    await idle.response();
    const closing = harness.server.close();
    // The held poll is answered with the session's close packet, then every socket ends.
    await Promise.all([held.ended, idle.ended, closing]);
    expect(harness.server.laneConnections).toBe(0);
  });
});

describe('timeouts', () => {
  it('answers 408 to a head that never ends, and to a body that never ends', async () => {
    harness = await start({ headersTimeout: 0.2, requestTimeout: 0.4 });
    const slowHead = new RawConnection(harness.port);
    slowHead.write(`GET ${EIO} HTTP/1.1\r\nHost: x\r\n`);
    const slowBody = new RawConnection(harness.port);
    slowBody.write(`POST ${EIO}&sid=x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n40`);
    await Promise.all([slowHead.ended, slowBody.ended]);
    expect(slowHead.unread).toMatch(/^HTTP\/1\.1 408 /);
    expect(slowBody.unread).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout, and never cuts a held poll', async () => {
    harness = await start({ headersTimeout: 0.2, requestTimeout: 0.2, keepAliveTimeout: 0.2 });
    const idle = new RawConnection(harness.port);
    const held = new RawConnection(harness.port);
    const sid = await openSession(held);
    idle.write(get(EIO));
    await idle.response();
    held.write(get(`${EIO}&sid=${sid}`));
    await idle.ended;
    // The held poll outlived every lane timeout; it is answered by the session (a ping after pingInterval, 25 s by default),
    // or here by a message.
    expect(held.closed).toBe(false);
    harness.router.emit('message', 'still here');
    expect((await held.response()).body).toBe('42["message","still here"]');
  });
});

describe('bad input', () => {
  it('closes the connection after any answer to a request whose body was over the limit, never reading that body as a request', async () => {
    harness = await start();
    // Refused for its unknown session before its body mattered, and for an unknown 0.9 session: the bytes
    // of the unread body must not be taken for a next request (node:http would see them, and answer 400).
    for (const path of [`${EIO}&sid=AAAAAAAAAAAAAAAAAAAA`, '/socket.io/1/xhr-polling/AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const connection = new RawConnection(harness.port);
      connection.write(post(path, `GET /x HTTP/1.1\r\n\r\n${'x'.repeat(1001)}`));
      const refused = await connection.response();
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.headers.connection).toBe('close');
      await connection.ended;
      expect(connection.unread).toBe('');
    }
    expect(harness.nodeRequests).toEqual([]);
  });

  it('survives a seeded fuzz of broken heads, and serves a healthy client afterwards', async () => {
    harness = await start({ headersTimeout: 0.5, requestTimeout: 0.5 });
    const random = seededRandom(SEED);
    const good = post(`${EIO}&sid=abc`, '42["message","x"]');
    const ends: Promise<void>[] = [];
    for (let round = 0; round < 60; round++) {
      const bytes = Buffer.from(good, 'latin1');
      // Flip, drop or insert a few bytes of a good request, head and body.
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] = Math.floor(random() * 256);
      }
      const cut = bytes.subarray(0, Math.max(1, Math.floor(random() * bytes.length * 1.2)));
      const connection = new RawConnection(harness.port);
      connection.write(cut);
      // Whatever it is, it is answered or closed within the timeouts.
      ends.push(
        Promise.race([
          connection.ended,
          connection.response(2000).then(() => {
            connection.socket.destroy();
            return connection.ended;
          }),
        ]).catch(() => connection.ended),
      );
    }
    await Promise.all(ends);
    const healthy = new RawConnection(harness.port);
    const sid = await openSession(healthy);
    expect(sid).toMatch(/^[\w-]+$/);
  });

  it('agrees with node:http on every head it takes, and takes none node:http refuses (seeded differential fuzz)', async () => {
    // node:http itself, reading the same bytes: what it made of the head, or its refusal.
    const node = createHttpServer((req, res) => {
      req.resume();
      res.setHeader('Connection', 'close');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
    });
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
    const port = (node.address() as AddressInfo).port;
    const nodeReading = (head: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1', () => socket.write(Buffer.from(`${head}\r\n\r\n`, 'latin1')));
        sockets.add(socket);
        let received = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          const text = received.toString('latin1');
          const split = text.indexOf('\r\n\r\n');
          resolve({ status: Number(text.split(' ')[1]), body: received.toString('utf8', split + 4) });
        });
        socket.setTimeout(3000, () => socket.destroy());
      });
    const random = seededRandom(SEED ^ 0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const names = ['Host', 'host', 'HOST', 'Origin', 'Cookie', 'cookie', 'Set-Cookie', 'X-Custom', 'x-custom', 'Content-Type', 'User-Agent', 'USER-AGENT',
      'Accept', 'Referer', 'Connection', 'Sec-Fetch-Mode', 'X-Forwarded-For', 'x_odd!name', 'Content-Length', 'Upgrade', 'Te', 'Authorization'];
    const valueChars = ['a', 'Z', '0', ' ', '\t', ',', ';', '=', '"', '/', ':', '\xe9', '\xff', '\x80', '~'];
    const rareChars = ['\x01', '\x7f', '\x00', '\n', '\r'];
    let taken = 0;
    for (let round = 0; round < 150; round++) {
      const method = pick(['GET', 'GET', 'POST', 'OPTIONS']);
      const lines = [`${method} /socket.io/?EIO=4&t=${Math.floor(random() * 1e6)} HTTP/1.1`];
      if (random() < 0.9) lines.push(`${pick(['Host', 'host'])}: 127.0.0.1`);
      for (let count = Math.floor(random() * 7); count > 0; count--) {
        const name = pick(names);
        let value = '';
        for (let length = Math.floor(random() * 12); length > 0; length--) value += random() < 0.03 ? pick(rareChars) : pick(valueChars);
        if (name === 'Content-Length') value = random() < 0.8 ? '0' : value;
        lines.push(`${name}:${random() < 0.8 ? ' ' : ''}${value}`);
      }
      const head = lines.join('\r\n');
      const bytes = Buffer.from(head, 'latin1');
      const lane = parseRequestHead(bytes, bytes.length, null as unknown as Socket);
      const read = await nodeReading(head);
      if (lane === null) continue;
      taken++;
      // The lane took it: node:http must have read it too, and made the same of it.
      expect({ head, status: read.status }).toEqual({ head, status: 200 });
      const parsed = JSON.parse(read.body) as { method: string; url: string; headers: Record<string, string | string[]> };
      expect({ head, method: lane.method, url: lane.url, headers: lane.headers }).toEqual({ head, ...parsed });
    }
    // The fuzz is worth something only if the lane took a good share of the heads.
    expect(taken).toBeGreaterThan(40);
    await new Promise<void>((resolve) => node.close(() => resolve()));
  });

  it('reads headers as node:http does: lower-case names, duplicates joined or kept first', () => {
    const head = headOf(
      [`GET ${EIO} HTTP/1.1`, 'Host: a', 'HOST: b', 'Cookie: x=1', 'cookie: y=2', 'X-List:  one ', 'x-list: two', 'Set-Cookie: s=1', 'Set-Cookie: s=2', 'Connection: Keep-Alive'].join('\r\n'),
    );
    expect(head?.headers).toEqual({ host: 'a', cookie: 'x=1; y=2', 'x-list': 'one, two', 'set-cookie': ['s=1', 's=2'], connection: 'Keep-Alive' });
    expect(head).toMatchObject({ keepAlive: true, upgrade: false, contentLength: 0 });
    const upgrade = headOf([`GET ${EIO} HTTP/1.1`, 'Host: a', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket'].join('\r\n'));
    expect(upgrade).toMatchObject({ upgrade: true, keepAlive: true });
    expect(headOf([`GET ${EIO} HTTP/1.1`, 'Host: a', 'Upgrade: websocket'].join('\r\n'))).toBeNull();
    expect(headOf([`DELETE ${EIO} HTTP/1.1`, 'Host: a'].join('\r\n'))).toBeNull();
    expect(headOf([`GET http://a${EIO} HTTP/1.1`, 'Host: a'].join('\r\n'))).toBeNull();
    expect(headOf([`POST ${EIO} HTTP/1.1`, 'Host: a', 'Content-Length: 1e3'].join('\r\n'))).toBeNull();
    expect(headOf([`POST ${EIO} HTTP/1.1`, 'Host: a', 'Content-Length: 1', 'content-LENGTH: 1'].join('\r\n'))).toBeNull();
    expect(headOf([`POST ${EIO} HTTP/1.1`, 'Host: a', `Content-Length: ${'9'.repeat(16)}`].join('\r\n'))).toBeNull();
    expect(headOf([`POST ${EIO} HTTP/1.1`, 'Host: a', 'Content-Length: 0012'].join('\r\n'))).toMatchObject({ contentLength: 12 });
    // The common names in any case, the others lower-cased; the target split as splitUrl splits it.
    expect(headOf([`OPTIONS /socket.io/?EIO=4&a=?b HTTP/1.1`, 'hOsT: a', 'ORIGIN: http://o', 'Sec-WebSocket-Key: k', 'X-Odd-Name: v'].join('\r\n'))).toEqual({
      method: 'OPTIONS',
      url: '/socket.io/?EIO=4&a=?b',
      pathname: '/socket.io/',
      search: 'EIO=4&a=?b',
      headers: { host: 'a', origin: 'http://o', 'sec-websocket-key': 'k', 'x-odd-name': 'v' },
      socket: null,
      contentLength: 0,
      keepAlive: true,
      upgrade: false,
    });
    expect(headOf([`GET /socket.io/ HTTP/1.1`, 'Host: a'].join('\r\n'))).toMatchObject({ pathname: '/socket.io/', search: '' });
    expect(headOf([`GET /socket.io/ HTTP/1.10`, 'Host: a'].join('\r\n'))).toBeNull();
    expect(headOf([`OPTIONX /socket.io/ HTTP/1.1`, 'Host: a'].join('\r\n'))).toBeNull();
    // node:http keeps the first 2000 header lines only: a head with more is left to it.
    const many = (count: number) => headOf([`GET ${EIO} HTTP/1.1`, 'Host: a', ...Array.from({ length: count - 1 }, (_, index) => `x${index}: v`)].join('\r\n'));
    expect(many(2000)?.headers['x1998']).toBe('v');
    expect(many(2001)).toBeNull();
  });
});

describe('real clients', () => {
  it('serves socket.io-client 4.x over polling, websocket and the upgrade, on the lane alone', async () => {
    harness = await start();
    for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
      const client = io(`http://127.0.0.1:${harness.port}`, { transports, forceNew: true, reconnection: false });
      try {
        const echoed = new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no echo over ${transports.join('+')}`)), 5000);
          client.on('message', (text: string) => (clearTimeout(timer), resolve(text)));
        });
        client.emit('message', `over ${transports.join('+')}`);
        expect(await echoed).toBe(`over ${transports.join('+')}`);
      } finally {
        client.close();
      }
    }
    expect(harness.nodeRequests).toEqual([]);
  });

  it('serves Engine.IO polling over TLS on the lane (https.Server)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tornadio-lane-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
        stdio: 'ignore',
      });
      harness = await start({}, { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: harness.port, path: EIO, rejectUnauthorized: false, timeout: 3000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.end();
    });
    expect(body).toMatch(/^0\{"sid":/);
    expect(harness.nodeRequests).toEqual([]);
  });
});
