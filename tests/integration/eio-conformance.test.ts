/**
 * Every case of the public Socket.IO protocol conformance suite
 * (socketio/socket.io-protocol, test-suite/test-suite.js), written again for
 * jest against tornadio's Engine.IO 4 / Socket.IO 5 server, with the suite's
 * settings (pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1e6,
 * connectTimeout 1000 ms, cors '*') and the server the suite's README
 * describes: `/` emits "auth" with the handshake's auth, echoes "message" as
 * "message-back" and answers "message-with-ack" with its arguments; `/custom`
 * emits "auth". A few cases the suite leaves implicit (the refusal codes,
 * CORS, the invalid-format family, concurrent GETs, maxPayload) are added.
 *
 * Raw wire only: node:http requests and `ws` on 127.0.0.1. Every wait has
 * its own timeout; nothing sleeps for a fixed time.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { Application, getRouter, silentLogger, SocketConnection, SocketServer, type ConnectionInfo, type RouterSettings } from '../../src';
import { httpRequest, waitFor as until, type HttpResult } from '../helpers/test-client';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const MAX_PAYLOAD = 1_000_000;
/** The suite's server settings, in tornadio's units (seconds). */
const SUITE_SETTINGS: RouterSettings = {
  pingInterval: PING_INTERVAL / 1000,
  pingTimeout: PING_TIMEOUT / 1000,
  maxPayload: MAX_PAYLOAD,
  connectTimeout: 1,
  cors: '*',
  // The suite is written for an engine.io 4 server as it ships (allowEIO3 off): EIO=3 must be refused.
  allowEIO3: false,
};
/** A generous bound for anything that should happen within one ping cycle or so. */
const SOON = 3000;
const SEP = '\x1e';

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// ---- the suite's server ----

interface ServerLog {
  opened: ConnectionInfo[];
  /** Ids of connections whose onClose ran. */
  closed: string[];
}

interface Harness {
  server: SocketServer;
  port: number;
  router: ReturnType<typeof getRouter>;
  log: ServerLog;
}

async function startSuiteServer(): Promise<Harness> {
  const log: ServerLog = { opened: [], closed: [] };
  class Main extends SocketConnection {
    override onOpen(info: ConnectionInfo): void {
      log.opened.push(info);
      this.emit('auth', info.auth);
      this.on('message', (...args: unknown[]) => {
        this.emit('message-back', ...args);
      });
      this.on('message-with-ack', (...args: unknown[]) => {
        const ack = args.pop() as (...answer: unknown[]) => void;
        ack(...args);
      });
    }
    override onClose(): void {
      log.closed.push(this.id);
    }
  }
  class Custom extends SocketConnection {
    override onOpen(info: ConnectionInfo): void {
      log.opened.push(info);
      this.emit('auth', info.auth);
    }
    override onClose(): void {
      log.closed.push(this.id);
    }
  }
  const router = getRouter(Main, { logger: silentLogger, ...SUITE_SETTINGS, namespaces: { '/custom': Custom } });
  const app = new Application([router.route()], { socketIoPort: 0, socketIoAddress: '127.0.0.1', logger: silentLogger });
  const server = new SocketServer(app);
  await server.listening;
  return { server, port: server.port, router, log };
}

let harness: Harness;
const openClients: WsClient[] = [];

beforeAll(async () => {
  harness = await startSuiteServer();
});
afterEach(() => {
  for (const client of openClients.splice(0)) client.terminate();
});
afterAll(async () => harness.server.close());

// ---- raw websocket client ----

type Frame = string | Buffer;

/** A raw websocket: every frame in order (text as string, binary as Buffer), with timed waits. */
class WsClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  wasOpened = false;
  isClosed = false;
  error: Error | null = null;
  readonly #unread: Frame[] = [];
  readonly #waiters: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];

  /** With `autoPong`, every ping is answered at once (pings are still delivered as frames). */
  constructor(query = 'EIO=4&transport=websocket', readonly autoPong = true) {
    this.ws = new WebSocket(`ws://127.0.0.1:${harness.port}/socket.io/?${query}`);
    openClients.push(this);
    this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()));
    void this.opened.then(() => (this.wasOpened = true));
    this.ws.on('error', (error) => (this.error = error));
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame: Frame = isBinary ? Buffer.from(data) : data.toString('utf8');
      if (this.autoPong && frame === '2') this.ws.send('3');
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(frame);
      else this.#unread.push(frame);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        this.isClosed = true;
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`the websocket closed (${code})`));
        resolve(code);
      }),
    );
  }

  /** The next frame, pings included. */
  next(what = 'a frame', ms = SOON): Promise<Frame> {
    const unread = this.#unread.shift();
    if (unread !== undefined) return Promise.resolve(unread);
    if (this.isClosed) return Promise.reject(new Error(`the websocket is closed; wanted ${what}`));
    return new Promise<Frame>((resolve, reject) => {
      const waiter = {
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(new Error(`${error.message} while waiting for ${what}`));
        },
      };
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#waiters.push(waiter);
    });
  }

  /** The next frame that is not a ping (the suite's `waitForPackets` skips them too). */
  async nextPacket(what = 'a packet', ms = SOON): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = await this.next(what, Math.max(1, deadline - Date.now()));
      if (frame !== '2') return frame;
    }
  }

  async packets(count: number, what: string, ms = SOON): Promise<Frame[]> {
    const deadline = Date.now() + ms;
    const packets: Frame[] = [];
    while (packets.length < count) packets.push(await this.nextPacket(`${what} (${packets.length + 1} of ${count})`, Math.max(1, deadline - Date.now())));
    return packets;
  }

  async nextText(what: string, ms = SOON): Promise<string> {
    const frame = await this.nextPacket(what, ms);
    if (typeof frame !== 'string') throw new Error(`wanted ${what} as text, got a binary frame of ${frame.length} bytes`);
    return frame;
  }

  send(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  waitOpen(ms = SOON): Promise<void> {
    return within('the websocket to open', ms, this.opened);
  }

  waitClose(what = 'the server to close the websocket', ms = SOON): Promise<number> {
    return within(what, ms, this.closed);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** The Engine.IO open packet's JSON. */
function openPayload(frame: Frame): Record<string, unknown> {
  expect(typeof frame).toBe('string');
  expect(frame as string).toMatch(/^0\{/);
  return JSON.parse((frame as string).substring(1)) as Record<string, unknown>;
}

/** The suite's `initSocketIOConnection`: a websocket session joined to `/`, its handshake and auth packet read. */
async function initSocketIOConnection(autoPong = true): Promise<{ client: WsClient; engineSid: string; socketSid: string }> {
  const client = new WsClient(undefined, autoPong);
  const engineSid = openPayload(await client.next('the Engine.IO handshake')).sid as string;
  client.send('40');
  const connect = await client.nextText('the Socket.IO handshake');
  expect(connect).toMatch(/^40\{/);
  const socketSid = (JSON.parse(connect.substring(2)) as { sid: string }).sid;
  expect(await client.nextText('the "auth" packet')).toBe('42["auth",{}]');
  return { client, engineSid, socketSid };
}

// ---- raw polling ----

const pollingPath = (sid?: string): string => `/socket.io/?EIO=4&transport=polling${sid === undefined ? '' : `&sid=${sid}`}`;
const TEXT = { 'Content-Type': 'text/plain;charset=UTF-8' };

function get(path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return httpRequest(harness.port, 'GET', path, undefined, headers, SOON);
}

function post(sid: string, body: string): Promise<HttpResult> {
  return httpRequest(harness.port, 'POST', pollingPath(sid), body, TEXT, SOON);
}

/** The suite's `initLongPollingSession`: a polling handshake; returns the sid. */
async function initLongPollingSession(): Promise<string> {
  const response = await get(pollingPath());
  expect(response.status).toBe(200);
  return openPayload(response.body).sid as string;
}

/** Reads packets from polls until `count` that are not pings have come, answering each ping. */
async function pollPackets(sid: string, count: number, what: string, ms = SOON): Promise<string[]> {
  const deadline = Date.now() + ms;
  const packets: string[] = [];
  while (packets.length < count) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(packets)}`);
    const response = await get(pollingPath(sid));
    if (response.status !== 200) throw new Error(`a poll for ${what} was answered ${response.status}: ${response.body}`);
    for (const packet of response.body.split(SEP)) {
      if (packet === '2') {
        expect((await post(sid, '3')).status).toBe(200);
      } else if (packet === '1') {
        throw new Error(`the session closed while waiting for ${what}; got ${JSON.stringify(packets)}`);
      } else {
        packets.push(packet);
      }
    }
  }
  return packets;
}

/**
 * Polls once and expects exactly a ping, then answers it: right after this,
 * a whole pingInterval passes before the next ping can answer a held GET.
 */
async function syncToPing(sid: string): Promise<void> {
  const poll = await get(pollingPath(sid));
  expect(poll.status).toBe(200);
  expect(poll.body).toBe('2');
  expect((await post(sid, '3')).status).toBe(200);
}

/** A GET that the session holds: resolves (with the request, still pending) once the server has attached it. */
async function heldPoll(sid: string): Promise<{ answer: Promise<HttpResult> }> {
  const answer = get(pollingPath(sid));
  await until(() => harness.router.session(sid)?.attached === true, SOON, `the GET of ${sid} to be held`);
  return { answer };
}

function refusal(response: HttpResult): { code: number; message: string } {
  return JSON.parse(response.body) as { code: number; message: string };
}

// =====================================================================

describe('Engine.IO protocol', () => {
  describe('handshake', () => {
    describe('HTTP long-polling', () => {
      it('should successfully open a session', async () => {
        const response = await get(pollingPath());
        expect(response.status).toBe(200);
        expect(response.body.startsWith('0')).toBe(true);
        const value = openPayload(response.body);
        expect(Object.keys(value).sort()).toEqual(['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
        expect(typeof value.sid).toBe('string');
        expect(value.upgrades).toEqual(['websocket']);
        expect(value.pingInterval).toBe(PING_INTERVAL);
        expect(value.pingTimeout).toBe(PING_TIMEOUT);
        expect(value.maxPayload).toBe(MAX_PAYLOAD);
      });

      it("should fail with an invalid 'EIO' query parameter", async () => {
        expect((await get('/socket.io/?transport=polling')).status).toBe(400);
        for (const version of ['abc', '3', '5']) {
          const response = await get(`/socket.io/?EIO=${version}&transport=polling`);
          expect(response.status).toBe(400);
          expect(refusal(response)).toEqual({ code: 5, message: 'Unsupported protocol version' });
        }
      });

      it("should fail with an invalid 'transport' query parameter", async () => {
        for (const path of ['/socket.io/?EIO=4', '/socket.io/?EIO=4&transport=abc']) {
          const response = await get(path);
          expect(response.status).toBe(400);
          expect(refusal(response)).toEqual({ code: 0, message: 'Transport unknown' });
        }
      });

      it('should fail with an invalid request method', async () => {
        for (const method of ['POST', 'PUT']) {
          const response = await httpRequest(harness.port, method, pollingPath(), undefined, {}, SOON);
          expect(response.status).toBe(400);
          expect(refusal(response)).toEqual({ code: 2, message: 'Bad handshake method' });
        }
      });

      it('should fail with an unknown sid', async () => {
        const response = await get(pollingPath('AAAAAAAAAAAAAAAAAAAAAAAA'));
        expect(response.status).toBe(400);
        expect(refusal(response)).toEqual({ code: 1, message: 'Session ID unknown' });
      });

      it("answers CORS (cors: '*') on the handshake, on a POST and on the preflight", async () => {
        const origin = { Origin: 'http://localhost:8080' };
        const handshake = await get(pollingPath(), origin);
        expect(handshake.status).toBe(200);
        expect(handshake.headers['access-control-allow-origin']).toBe('*');
        const sid = openPayload(handshake.body).sid as string;
        const preflight = await httpRequest(harness.port, 'OPTIONS', pollingPath(sid), undefined, {
          ...origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        }, SOON);
        expect(preflight.status).toBeGreaterThanOrEqual(200);
        expect(preflight.status).toBeLessThan(300);
        expect(preflight.headers['access-control-allow-origin']).toBe('*');
        expect(String(preflight.headers['access-control-allow-methods'])).toMatch(/POST/);
        expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
        const pushed = await httpRequest(harness.port, 'POST', pollingPath(sid), '40', { ...TEXT, ...origin }, SOON);
        expect(pushed.status).toBe(200);
        expect(pushed.headers['access-control-allow-origin']).toBe('*');
        const refused = await get(pollingPath('AAAAAAAAAAAAAAAAAAAAAAAA'), origin);
        expect(refused.status).toBe(400);
        expect(refused.headers['access-control-allow-origin']).toBe('*');
      });
    });

    describe('WebSocket', () => {
      it('should successfully open a session', async () => {
        const client = new WsClient();
        const value = openPayload(await client.next('the handshake'));
        expect(Object.keys(value).sort()).toEqual(['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
        expect(typeof value.sid).toBe('string');
        expect(value.upgrades).toEqual([]);
        expect(value.pingInterval).toBe(PING_INTERVAL);
        expect(value.pingTimeout).toBe(PING_TIMEOUT);
        expect(value.maxPayload).toBe(MAX_PAYLOAD);
        client.ws.close();
      });

      it.each([
        ['no EIO', 'transport=websocket'],
        ['EIO=abc', 'EIO=abc&transport=websocket'],
        ['EIO=3', 'EIO=3&transport=websocket'],
      ])("should fail with an invalid 'EIO' query parameter (%s)", async (_what, query) => {
        const client = new WsClient(query);
        await client.waitClose('the refused websocket to close');
        expect(client.wasOpened).toBe(false);
        expect(client.error?.message).toMatch(/Unexpected server response: 400/);
      });

      it.each([
        ['no transport', 'EIO=4'],
        ['transport=abc', 'EIO=4&transport=abc'],
      ])("should fail with an invalid 'transport' query parameter (%s)", async (_what, query) => {
        const client = new WsClient(query);
        await client.waitClose('the refused websocket to close');
        expect(client.wasOpened).toBe(false);
        expect(client.error?.message).toMatch(/Unexpected server response: 400/);
      });
    });
  });

  describe('heartbeat', () => {
    describe('HTTP long-polling', () => {
      it('should send ping/pong packets', async () => {
        const sid = await initLongPollingSession();
        for (let i = 0; i < 3; i++) {
          const poll = await get(pollingPath(sid));
          expect(poll.status).toBe(200);
          expect(poll.body).toBe('2');
          expect((await post(sid, '3')).status).toBe(200);
        }
      });

      it('should close the session upon ping timeout', async () => {
        const sid = await initLongPollingSession();
        // The suite sleeps pingInterval + pingTimeout; here: wait (bounded) until the server has dropped it.
        await until(() => harness.router.session(sid) === undefined, SOON, `session ${sid} to time out`);
        const poll = await get(pollingPath(sid));
        expect(poll.status).toBe(400);
        expect(refusal(poll)).toEqual({ code: 1, message: 'Session ID unknown' });
      });

      it('closes a session joined to a namespace upon ping timeout too (connectTimeout cannot be the cause)', async () => {
        const sid = await initLongPollingSession();
        expect((await post(sid, '40')).status).toBe(200);
        const [connect] = await pollPackets(sid, 2, 'the CONNECT answer and the auth packet');
        const socketSid = (JSON.parse(connect.substring(2)) as { sid: string }).sid;
        // No more polls, no more pongs: the next ping goes unanswered.
        await until(() => harness.log.closed.includes(socketSid), SOON, 'onClose after the ping timeout');
        expect((await get(pollingPath(sid))).status).toBe(400);
      });
    });

    describe('WebSocket', () => {
      it('should send ping/pong packets', async () => {
        const client = new WsClient(undefined, false);
        openPayload(await client.next('the handshake'));
        for (let i = 0; i < 3; i++) {
          expect(await client.next(`ping ${i + 1}`)).toBe('2');
          client.send('3');
        }
        client.ws.close();
      });

      it('should close the session upon ping timeout', async () => {
        const client = new WsClient(undefined, false);
        openPayload(await client.next('the handshake'));
        await client.waitClose();
      });

      it('closes a session joined to a namespace upon ping timeout too', async () => {
        const { client, socketSid } = await initSocketIOConnection(false);
        expect(await client.next('a ping')).toBe('2');
        await client.waitClose('the close after an unanswered ping');
        await until(() => harness.log.closed.includes(socketSid), SOON, 'onClose');
      });
    });
  });

  describe('close', () => {
    describe('HTTP long-polling', () => {
      it('should forcefully close the session', async () => {
        const sid = await initLongPollingSession();
        await syncToPing(sid);
        const poll = await heldPoll(sid);
        const push = await post(sid, '1');
        expect(push.status).toBe(200);
        const pollResponse = await within('the pending poll to be answered', SOON, poll.answer);
        expect(pollResponse.status).toBe(200);
        // test-suite.js: expect(pullContent).to.eql("6");
        expect(pollResponse.body).toBe('6');
        const poll2 = await get(pollingPath(sid));
        expect(poll2.status).toBe(400);
      });
    });

    describe('WebSocket', () => {
      it('should forcefully close the session', async () => {
        const client = new WsClient();
        const sid = openPayload(await client.next('the handshake')).sid as string;
        client.send('1');
        await client.waitClose();
        const poll = await get(pollingPath(sid));
        expect(poll.status).toBe(400);
        expect(refusal(poll).code).toBe(1);
      });
    });
  });

  describe('upgrade', () => {
    /** Sends `2probe`, expects `3probe`, sends `5`, then proves the switch: a CONNECT over the socket is answered there. */
    async function upgrade(sid: string): Promise<WsClient> {
      const socket = new WsClient(`EIO=4&transport=websocket&sid=${sid}`);
      await socket.waitOpen();
      socket.send('2probe');
      expect(await socket.nextPacket('3probe')).toBe('3probe');
      socket.send('5');
      socket.send('40');
      expect(await socket.nextText('the CONNECT answer over the upgraded socket')).toMatch(/^40\{"sid":/);
      expect(await socket.nextText('the auth packet')).toBe('42["auth",{}]');
      return socket;
    }

    it('should successfully upgrade from HTTP long-polling to WebSocket', async () => {
      const sid = await initLongPollingSession();
      await syncToPing(sid);
      const pending = await heldPoll(sid);
      const socket = new WsClient(`EIO=4&transport=websocket&sid=${sid}`);
      await socket.waitOpen();
      socket.send('2probe');
      expect(await socket.nextPacket('3probe')).toBe('3probe');
      // The pending poll is released with a noop, so the client can pause polling.
      const released = await within('the pending poll to be released', SOON, pending.answer);
      expect(released.status).toBe(200);
      expect(released.body).toBe('6');
      socket.send('5');
      socket.send('40');
      expect(await socket.nextText('the CONNECT answer over the upgraded socket')).toMatch(/^40\{"sid":/);
      expect(await socket.nextText('the auth packet')).toBe('42["auth",{}]');
      socket.send('42["message","over websocket"]');
      expect(await socket.nextText('message-back')).toBe('42["message-back","over websocket"]');
      // The heartbeat now runs over the socket.
      expect(await socket.next('a ping over the upgraded socket')).toBe('2');
    });

    it('should ignore HTTP requests with same sid after upgrade', async () => {
      const sid = await initLongPollingSession();
      await upgrade(sid);
      const pollResponse = await get(pollingPath(sid));
      expect(pollResponse.status).toBe(400);
    });

    it('should ignore WebSocket connection with same sid after upgrade', async () => {
      const sid = await initLongPollingSession();
      const first = await upgrade(sid);
      const second = new WsClient(`EIO=4&transport=websocket&sid=${sid}`);
      await second.waitClose('the second websocket to be refused');
      expect(second.wasOpened).toBe(false);
      expect(second.error?.message).toMatch(/Unexpected server response: 400/);
      // The upgraded socket is untouched.
      first.send('42["message","still upgraded"]');
      expect(await first.nextText('message-back')).toBe('42["message-back","still upgraded"]');
    });
  });
});

describe('Socket.IO protocol', () => {
  describe('connect', () => {
    it('should allow connection to the main namespace', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('40');
      const data = await client.nextText('the Socket.IO handshake');
      expect(data.startsWith('40')).toBe(true);
      const handshake = JSON.parse(data.substring(2)) as Record<string, unknown>;
      expect(Object.keys(handshake)).toEqual(['sid']);
      expect(typeof handshake.sid).toBe('string');
      expect(await client.nextText('the auth packet')).toBe('42["auth",{}]');
    });

    it('should allow connection to the main namespace with a payload (which reaches onOpen as info.auth)', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('40{"token":"123"}');
      const data = await client.nextText('the Socket.IO handshake');
      expect(data.startsWith('40')).toBe(true);
      const handshake = JSON.parse(data.substring(2)) as Record<string, unknown>;
      expect(Object.keys(handshake)).toEqual(['sid']);
      expect(typeof handshake.sid).toBe('string');
      expect(await client.nextText('the auth packet')).toBe('42["auth",{"token":"123"}]');
      const info = harness.log.opened.find((opened) => opened.sessionId === handshake.sid);
      expect(info).toMatchObject({ namespace: '/', protocol: 'eio4', transport: 'websocket', auth: { token: '123' } });
    });

    it('should allow connection to a custom namespace', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('40/custom,');
      const data = await client.nextText('the Socket.IO handshake');
      expect(data.startsWith('40/custom,')).toBe(true);
      const handshake = JSON.parse(data.substring(10)) as Record<string, unknown>;
      expect(Object.keys(handshake)).toEqual(['sid']);
      expect(typeof handshake.sid).toBe('string');
      expect(await client.nextText('the auth packet')).toBe('42/custom,["auth",{}]');
    });

    it('should allow connection to a custom namespace with a payload', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('40/custom,{"token":"abc"}');
      const data = await client.nextText('the Socket.IO handshake');
      expect(data.startsWith('40/custom,')).toBe(true);
      const handshake = JSON.parse(data.substring(10)) as Record<string, unknown>;
      expect(Object.keys(handshake)).toEqual(['sid']);
      expect(typeof handshake.sid).toBe('string');
      expect(await client.nextText('the auth packet')).toBe('42/custom,["auth",{"token":"abc"}]');
      const info = harness.log.opened.find((opened) => opened.sessionId === handshake.sid);
      expect(info).toMatchObject({ namespace: '/custom', auth: { token: 'abc' } });
    });

    it('should disallow connection to an unknown namespace', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('40/random');
      expect(await client.nextText('the CONNECT_ERROR')).toBe('44/random,{"message":"Invalid namespace"}');
      // The transport session stays up: it may still join a namespace that exists.
      client.send('40');
      expect(await client.nextText('the CONNECT answer')).toMatch(/^40\{"sid":/);
    });

    it('should disallow connection with an invalid handshake', async () => {
      const client = new WsClient();
      await client.next('the Engine.IO handshake');
      client.send('4abc');
      await client.waitClose();
    });

    it('should close the connection if no handshake is received (pings answered, so only connectTimeout can end it)', async () => {
      const client = new WsClient(); // autoPong: the ping timeout cannot be the cause
      await client.next('the Engine.IO handshake');
      await client.waitClose('the close after connectTimeout', 5000);
    });

    it('closes a polling session that joins no namespace within connectTimeout', async () => {
      const sid = await initLongPollingSession();
      const deadline = Date.now() + 5000;
      let last: HttpResult | null = null;
      // Poll and answer every ping until the server ends the session.
      while (Date.now() < deadline) {
        last = await get(pollingPath(sid));
        if (last.status !== 200 || last.body.split(SEP).includes('1')) break;
        for (const packet of last.body.split(SEP)) if (packet === '2') await post(sid, '3');
      }
      expect(last).not.toBeNull();
      expect(last?.status !== 200 || last.body.split(SEP).includes('1')).toBe(true);
      expect((await get(pollingPath(sid))).status).toBe(400);
    });

    it('does not close a session that joined a namespace when connectTimeout passes', async () => {
      const { client } = await initSocketIOConnection(); // autoPong
      // Six pings take at least five intervals (1.5 s), past connectTimeout (1 s).
      for (let i = 0; i < 6; i++) expect(await client.next(`ping ${i + 1}`)).toBe('2');
      expect(client.isClosed).toBe(false);
      client.send('42["message","alive"]');
      expect(await client.nextText('message-back')).toBe('42["message-back","alive"]');
    });
  });

  describe('disconnect', () => {
    it('should disconnect from the main namespace (onClose runs, the transport stays)', async () => {
      const { client, socketSid } = await initSocketIOConnection();
      client.send('41');
      expect(await client.next('the next packet (a ping)')).toBe('2');
      expect(harness.log.closed).toContain(socketSid);
      expect(client.isClosed).toBe(false);
    });

    it('should connect then disconnect from a custom namespace', async () => {
      const { client } = await initSocketIOConnection();
      expect(await client.next('a ping')).toBe('2');
      client.send('40/custom');
      const connect = await client.nextText('the Socket.IO handshake');
      expect(connect).toMatch(/^40\/custom,\{"sid":/);
      const customSid = (JSON.parse(connect.substring(connect.indexOf(',') + 1)) as { sid: string }).sid;
      expect(await client.nextText('the auth packet')).toBe('42/custom,["auth",{}]');
      client.send('41/custom');
      client.send('42["message","message to main namespace"]');
      expect(await client.nextText('message-back')).toBe('42["message-back","message to main namespace"]');
      expect(harness.log.closed).toContain(customSid);
    });
  });

  describe('message', () => {
    it('should send a plain-text packet', async () => {
      const { client } = await initSocketIOConnection();
      client.send('42["message",1,"2",{"3":[true]}]');
      expect(await client.nextText('message-back')).toBe('42["message-back",1,"2",{"3":[true]}]');
    });

    it('should send a packet with binary attachments', async () => {
      const { client } = await initSocketIOConnection();
      client.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
      client.send(Buffer.from([1, 2, 3]));
      client.send(Buffer.from([4, 5, 6]));
      const packets = await client.packets(3, 'message-back and its attachments');
      expect(packets[0]).toBe('452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
      expect(packets[1]).toEqual(Buffer.from([1, 2, 3]));
      expect(packets[2]).toEqual(Buffer.from([4, 5, 6]));
      client.ws.close();
    });

    it('should send a plain-text packet with an ack', async () => {
      const { client } = await initSocketIOConnection();
      client.send('42456["message-with-ack",1,"2",{"3":[false]}]');
      expect(await client.nextText('the ack')).toBe('43456[1,"2",{"3":[false]}]');
    });

    it('should send a packet with binary attachments and an ack', async () => {
      const { client } = await initSocketIOConnection();
      client.send('452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
      client.send(Buffer.from([1, 2, 3]));
      client.send(Buffer.from([4, 5, 6]));
      const packets = await client.packets(3, 'the binary ack and its attachments');
      expect(packets[0]).toBe('462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
      expect(packets[1]).toEqual(Buffer.from([1, 2, 3]));
      expect(packets[2]).toEqual(Buffer.from([4, 5, 6]));
      client.ws.close();
    });

    it('sends a packet with binary attachments over HTTP long-polling (base64), with and without an ack', async () => {
      const sid = await initLongPollingSession();
      expect((await post(sid, '40')).status).toBe(200);
      const [connect, auth] = await pollPackets(sid, 2, 'the CONNECT answer and the auth packet');
      expect(connect).toMatch(/^40\{"sid":/);
      expect(auth).toBe('42["auth",{}]');
      const attachments = `${SEP}b${Buffer.from([1, 2, 3]).toString('base64')}${SEP}b${Buffer.from([4, 5, 6]).toString('base64')}`;
      expect((await post(sid, `452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]${attachments}`)).status).toBe(200);
      expect(await pollPackets(sid, 3, 'message-back and its attachments')).toEqual([
        '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
        'bAQID',
        'bBAUG',
      ]);
      expect((await post(sid, `452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]${attachments}`)).status).toBe(200);
      expect(await pollPackets(sid, 3, 'the binary ack and its attachments')).toEqual([
        '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
        'bAQID',
        'bBAUG',
      ]);
      expect((await post(sid, '42456["message-with-ack",1,"2",{"3":[false]}]')).status).toBe(200);
      expect(await pollPackets(sid, 1, 'the ack')).toEqual(['43456[1,"2",{"3":[false]}]']);
    });

    const invalid: Array<[string, Frame[]]> = [
      // The suite's three cases:
      ['unknown packet type', ['4abc']],
      ['invalid payload format', ['42{}']],
      ['invalid ack id', ['42abc["message-with-ack",1,"2",{"3":[false]}]']],
      // The same family:
      ['invalid JSON', ['42["message",']],
      ['non-array EVENT payload (a string)', ['42"hello"']],
      ['empty EVENT array', ['42[]']],
      ['unknown Engine.IO packet type', ['9']],
      ['binary attachment without packet', [Buffer.from([1, 2, 3])]],
      ['too many attachments (more binary frames than announced)', ['451-["message",{"_placeholder":true,"num":0}]', Buffer.from([1]), Buffer.from([2])]],
      ['too many attachments (an absurd announced count)', ['451000000-["message",{"_placeholder":true,"num":0}]']],
      ['placeholders not matching the announced count', ['452-["message",{"_placeholder":true,"num":0}]']],
    ];

    it.each(invalid)('should close the connection upon invalid format (%s), and only that one', async (_what, frames) => {
      const bad = await initSocketIOConnection();
      const bystander = await initSocketIOConnection();
      for (const frame of frames) bad.client.send(frame);
      await bad.client.waitClose();
      await until(() => harness.log.closed.includes(bad.socketSid), SOON, 'onClose of the closed session');
      bystander.client.send('42["message","still here"]');
      expect(await bystander.client.nextText('the bystander\'s message-back')).toBe('42["message-back","still here"]');
      expect(bystander.client.isClosed).toBe(false);
      expect(harness.log.closed).not.toContain(bystander.socketSid);
    });
  });
});

describe('Engine.IO polling limits', () => {
  it('a concurrent GET closes the session', async () => {
    const sid = await initLongPollingSession();
    await syncToPing(sid);
    const first = await heldPoll(sid);
    const second = await get(pollingPath(sid));
    expect(second.status).toBe(400);
    const firstResponse = await within('the first GET to be answered', SOON, first.answer);
    expect(firstResponse.status).toBe(200);
    expect(firstResponse.body).toBe('1');
    const after = await get(pollingPath(sid));
    expect(after.status).toBe(400);
    expect(refusal(after).code).toBe(1);
  });

  it('a POST over maxPayload is answered 413', async () => {
    const sid = await initLongPollingSession();
    const body = `4${'x'.repeat(MAX_PAYLOAD + 1)}`;
    // The server answers before reading the whole body and then drops the connection: only the status is read.
    const status = await within(
      'the answer to an oversized POST',
      10_000,
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: harness.port, method: 'POST', path: pollingPath(sid), headers: TEXT, agent: false }, (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
          res.on('error', () => undefined);
        });
        req.on('error', reject);
        req.end(body);
      }),
    );
    expect(status).toBe(413);
    // Another session is unaffected.
    const other = await initLongPollingSession();
    expect((await post(other, '40')).status).toBe(200);
    expect((await pollPackets(other, 2, 'the CONNECT answer'))[0]).toMatch(/^40\{"sid":/);
  });
});
