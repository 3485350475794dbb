/**
 * The relay's links (the wire is in relay-wire.ts): on the node a client is
 * connected to, a RelayClient per owner; on the owner, a RelayEndpoint per
 * node that relays to it; NodeRelay keeps both for one node.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { RequestError } from '../errors';
import { OnceAnswer, ResponseAnswer, type HttpAnswer } from '../http/answer';
import { readBodyBytes } from '../http/body';
import { refuseRequest } from '../http/refusal';
import type { Logger } from '../logger';
import { endpointOf } from './forwarder';
import { ABORT, ANSWER, encodeFrame, FrameReader, parseRequestMeta, RELAY_UPGRADE, REQUEST, writeBatched, type Frame, type RelayedRequest } from './relay-wire';

export { RELAY_UPGRADE, type RelayedRequest } from './relay-wire';

// ---- on the node the client is connected to ----

export interface RelayClientOptions {
  nodeId: string;
  /** The owner's `address`; the link is an upgrade on its resource path. */
  address: string;
  path: string;
  logger: Logger;
  /** A relayed request whose owner answers nothing for this long is answered NODE_UNREACHABLE. */
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Called when the link is gone for good (closed, failed): the owner of this client drops it. */
  onGone(): void;
}

interface PendingRequest {
  req: IncomingMessage;
  res: ServerResponse;
  sentAt: number;
}

/** The counters every relay link of a node adds to. */
export interface RelayCounters {
  relayed: number;
  failures: number;
}

/** One node's link to one owner: sends REQUEST and ABORT frames, answers its clients from ANSWER frames. */
export class RelayClient {
  readonly #pending = new Map<number, PendingRequest>();
  readonly #socket: net.Socket;
  readonly #reader: FrameReader;
  /** Frames written before the owner accepted the link. */
  #queued: Buffer[] | null = [];
  #handshake = '';
  #nextId = 1;
  #gone = false;
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly options: RelayClientOptions,
    private readonly counters: RelayCounters,
    maxFrameBytes: number,
  ) {
    this.#reader = new FrameReader(maxFrameBytes);
    const { secure, host, port } = endpointOf(options.address);
    this.#socket = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    this.#socket.setNoDelay(true);
    this.#socket.setTimeout(options.connectTimeoutMs, () => this.#fail(`did not accept the relay within ${options.connectTimeoutMs} ms`));
    this.#socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.#socket.write(
        `GET ${options.path} HTTP/1.1\r\nHost: ${host.includes(':') ? `[${host}]` : host}:${port}\r\nConnection: Upgrade\r\nUpgrade: ${RELAY_UPGRADE}\r\nX-Tornadio-Forwarded-By: ${options.nodeId}\r\n\r\n`,
      );
    });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (error) => this.#fail(`could not be reached: ${error.message}`));
    this.#socket.on('close', () => this.#fail('closed the relay'));
    // One timer per link, not one per request: a held poll is answered by its owner long before this fires.
    this.#sweep = setInterval(() => this.#expire(), Math.min(1_000, options.idleTimeoutMs)).unref();
  }

  /** Relays one request whose session the owner holds; its answer, or NODE_UNREACHABLE, goes to `res`. */
  send(protocol: string, req: IncomingMessage, res: ServerResponse, bodyLimit: number): void {
    const method = req.method ?? 'GET';
    if (method !== 'POST') {
      req.resume();
      return this.#send(protocol, method, req, res, null, false);
    }
    readBodyBytes(req, bodyLimit, (error, body) => {
      if (error && error.code !== 'BODY_TOO_LARGE') return void refuseRequest(res, error, this.options.logger, 'relay');
      this.#send(protocol, method, req, res, body, error !== null);
    });
  }

  #send(protocol: string, method: string, req: IncomingMessage, res: ServerResponse, body: Buffer | null, oversized: boolean): void {
    if (this.#gone) return this.#refuse(res, 'closed the relay');
    this.counters.relayed++;
    const id = this.#nextId;
    this.#nextId = id === 0xffffffff ? 1 : id + 1;
    const { origin } = req.headers;
    const contentType = req.headers['content-type'];
    const meta = JSON.stringify([protocol, method, req.url ?? '/', origin ?? null, contentType ?? null, oversized ? 1 : 0]);
    this.#pending.set(id, { req, res, sentAt: Date.now() });
    // The client left: the owner must let go of its long-poll too, or it would hold a frame for nobody.
    res.once('close', () => {
      if (this.#pending.delete(id)) this.#write(encodeFrame(ABORT, id, '', null));
    });
    this.#write(encodeFrame(REQUEST, id, meta, oversized ? null : body));
  }

  #write(frame: Buffer): void {
    if (this.#queued) this.#queued.push(frame);
    else writeBatched(this.#socket, frame);
  }

  #onData(chunk: Buffer): void {
    if (this.#queued) {
      // The owner's answer to the upgrade comes first; frames may follow it in the same chunk.
      this.#handshake += chunk.toString('latin1');
      const end = this.#handshake.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.#handshake.length > 4096) this.#fail('answered the relay upgrade with something else');
        return;
      }
      if (!this.#handshake.startsWith('HTTP/1.1 101')) return this.#fail(`refused the relay: ${this.#handshake.split('\r\n', 1)[0]}`);
      const rest = Buffer.from(this.#handshake.substring(end + 4), 'latin1');
      this.#handshake = '';
      this.#socket.setTimeout(0);
      const queued = this.#queued;
      this.#queued = null;
      if (queued.length > 0) this.#socket.write(queued.length === 1 ? queued[0] : Buffer.concat(queued));
      if (rest.length === 0) return;
      chunk = rest;
    }
    try {
      this.#reader.push(chunk, (frame) => this.#onFrame(frame));
    } catch (error) {
      this.#fail(`sent a broken relay frame (${(error as Error).message})`);
    }
  }

  #onFrame({ type, id, meta, body }: Frame): void {
    if (type !== ANSWER) throw new Error(`frame type ${type} from the owner`);
    const pending = this.#pending.get(id);
    if (!pending) return; // its client left; the owner had sent the answer already
    this.#pending.delete(id);
    const [status, headers, refusesBody] = JSON.parse(meta) as [number, OutgoingHttpHeaders, number];
    new ResponseAnswer(pending.res).send(status, headers, body, refusesBody === 1);
  }

  #expire(): void {
    const oldest = Date.now() - this.options.idleTimeoutMs;
    for (const [id, pending] of this.#pending) {
      if (pending.sentAt > oldest) continue;
      this.#pending.delete(id);
      this.#write(encodeFrame(ABORT, id, '', null));
      this.#refuse(pending.res, `answered nothing for ${this.options.idleTimeoutMs} ms`);
    }
  }

  #refuse(res: ServerResponse, why: string): void {
    this.counters.failures++;
    refuseRequest(res, new RequestError('NODE_UNREACHABLE', `the node owning this session (${this.options.address}) ${why}`), this.options.logger, 'relay');
  }

  #fail(why: string): void {
    if (this.#gone) return;
    this.#gone = true;
    clearInterval(this.#sweep);
    this.#socket.destroy();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { res } of pending) this.#refuse(res, why);
    this.options.onGone();
  }

  close(): void {
    this.#fail('is shutting down');
  }
}

// ---- on the node that owns the session ----

/** Serves one relayed request: the router hands it to the protocol named in it. */
export type RelayedRequestHandler = (request: RelayedRequest, answer: HttpAnswer) => void;

/** An answer that goes back over the relay link it came on. */
class RelayedAnswer extends OnceAnswer {
  constructor(
    private readonly link: RelayEndpoint,
    private readonly id: number,
  ) {
    super();
  }

  get open(): boolean {
    return !this.aborted && this.link.open;
  }

  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody = false): void {
    if (!this.markSent()) return;
    const written = this.link.open;
    this.link.answer(this.id, JSON.stringify([status, headers, refusesBody ? 1 : 0]), body);
    this.wrote(written);
  }
}

/** The owner's end of one relay link: reads REQUEST and ABORT frames, writes ANSWER frames. */
export class RelayEndpoint {
  readonly #answers = new Map<number, RelayedAnswer>();
  readonly #reader: FrameReader;
  #open = true;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
    private readonly serve: RelayedRequestHandler,
    private readonly logger: Logger,
    maxFrameBytes: number,
  ) {
    this.#reader = new FrameReader(maxFrameBytes);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${RELAY_UPGRADE}\r\n\r\n`);
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.close());
    // An upgraded socket of an HTTP server allows half-open connections: a peer that ends its side is done.
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    if (head.length > 0) this.#onData(head);
  }

  get open(): boolean {
    return this.#open;
  }

  answer(id: number, meta: string, body: string | Buffer): void {
    if (!this.#answers.delete(id) || !this.#open) return;
    writeBatched(this.socket, encodeFrame(ANSWER, id, meta, body));
  }

  #onData(chunk: Buffer): void {
    try {
      this.#reader.push(chunk, (frame) => this.#onFrame(frame));
    } catch (error) {
      this.logger.warn(`[cluster] relay link closed: ${(error as Error).message}`);
      this.socket.destroy();
      this.close();
    }
  }

  #onFrame({ type, id, meta, body }: Frame): void {
    if (type === ABORT) {
      const answer = this.#answers.get(id);
      this.#answers.delete(id);
      return void answer?.abort();
    }
    if (type !== REQUEST) throw new Error(`frame type ${type} from a relaying node`);
    if (this.#answers.has(id)) throw new Error(`request id ${id} reused while its answer is pending`);
    const request = parseRequestMeta(meta, body);
    const answer = new RelayedAnswer(this, id);
    this.#answers.set(id, answer);
    this.serve(request, answer);
  }

  /** The link is gone: every request still waiting for its answer has lost its client. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const answers = [...this.#answers.values()];
    this.#answers.clear();
    for (const answer of answers) answer.abort();
    this.socket.destroy();
  }
}

// ---- one node's relay links ----

export interface NodeRelayOptions {
  nodeId: string;
  /** The resource path the links open on (every node serves the same resource). */
  path: string;
  logger: Logger;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** The largest request frame a relaying node may send this one: the largest body a relayed request may carry, and its meta. */
  maxRequestFrameBytes: number;
}

/** Answers come from nodes of our own cluster: bounded only so a broken peer cannot make one frame's length anything. */
const MAX_ANSWER_FRAME_BYTES = 0x7fffffff;

/** A node's relay: one link to each owner it relays to, and the links other nodes opened to it. */
export class NodeRelay {
  readonly #clients = new Map<string, RelayClient>();
  readonly #endpoints = new Set<RelayEndpoint>();

  constructor(
    private readonly options: NodeRelayOptions,
    private readonly counters: RelayCounters,
  ) {}

  /** Relays a request to the owner at `address`, over the link to it (opened on first use, again after a failure). */
  relay(protocol: string, req: IncomingMessage, res: ServerResponse, address: string, bodyLimit: number): void {
    let client = this.#clients.get(address);
    if (!client) {
      const { nodeId, path, logger, idleTimeoutMs, connectTimeoutMs } = this.options;
      const onGone = (): void => {
        if (this.#clients.get(address) === client) this.#clients.delete(address);
      };
      client = new RelayClient({ nodeId, address, path, logger, idleTimeoutMs, connectTimeoutMs, onGone }, this.counters, MAX_ANSWER_FRAME_BYTES);
      this.#clients.set(address, client);
    }
    client.send(protocol, req, res, bodyLimit);
  }

  /** Takes a link another node opened with `Upgrade: tornadio-relay`; its requests go to `serve`. */
  accept(socket: Duplex, head: Buffer, serve: RelayedRequestHandler): void {
    const endpoint = new RelayEndpoint(socket, head, serve, this.options.logger, this.options.maxRequestFrameBytes);
    this.#endpoints.add(endpoint);
    socket.once('close', () => this.#endpoints.delete(endpoint));
  }

  close(): void {
    for (const client of [...this.#clients.values()]) client.close();
    this.#clients.clear();
    for (const endpoint of [...this.#endpoints]) endpoint.close();
    this.#endpoints.clear();
  }
}
