import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { RequestError } from '../errors';
import { dropRefusedBody } from '../http/body';
import { refuseRequest, refuseUpgrade } from '../http/refusal';
import type { Logger } from '../logger';

/** The header a forwarded request carries: the node that forwarded it. A request carrying it is never forwarded again. */
export const FORWARDED_HEADER = 'x-tornadio-forwarded-by';

/** Bodies up to this size are sent without waiting for 100 Continue (the owner drains a refused one: see dropRefusedBody). */
const SMALL_BODY = 64 * 1024;

/** Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own, never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export interface ForwarderOptions {
  nodeId: string;
  logger: Logger;
  /** A forwarded request whose owner sends nothing for this long is answered NODE_UNREACHABLE. */
  idleTimeoutMs: number;
  /** Time to open a connection to the owner. */
  connectTimeoutMs: number;
}

export interface ForwardCounters {
  /** Requests forwarded over HTTP. */
  requests: number;
  upgrades: number;
  /** Polls and posts sent over the relay (see relay.ts). */
  relayed: number;
  /** Forwards and relayed requests that failed (NODE_UNREACHABLE). */
  failures: number;
}

/** Where a node's `address` is reached. */
export function endpointOf(address: string): { secure: boolean; host: string; port: number } {
  const url = new URL(address);
  const secure = url.protocol === 'https:';
  return { secure, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 443 : 80 };
}

function forwardedFor(req: IncomingMessage): string {
  const previous = req.headers['x-forwarded-for'];
  const remote = req.socket.remoteAddress ?? '';
  return typeof previous === 'string' && previous ? `${previous}, ${remote}` : remote;
}

/**
 * Hands a request to the node that owns its session, over HTTP to that
 * node's `address`: the method, path, headers and body go as they came
 * (streamed, never buffered whole), the owner's answer comes back as it
 * is, CORS headers and status included. The owner applies its own limits
 * (body size, origins) as to any request, so nothing is checked twice or
 * differently; a client's sends stay in order because a client never has
 * two POSTs in flight and every request of a session goes to the same owner.
 */
export class Forwarder {
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });

  constructor(
    private readonly options: ForwarderOptions,
    readonly counters: ForwardCounters,
  ) {}

  #headersFor(req: IncomingMessage): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    headers[FORWARDED_HEADER] = this.options.nodeId;
    headers['x-forwarded-for'] = forwardedFor(req);
    return headers;
  }

  /** Forwards one HTTP request; never throws (a failure is answered NODE_UNREACHABLE). */
  request(req: IncomingMessage, res: ServerResponse, address: string): void {
    this.counters.requests++;
    const { secure, host, port } = endpointOf(address);
    const headers = this.#headersFor(req);
    // A large body waits for the owner's 100 Continue: an owner refusing it on its headers (413 on Content-Length)
    // answers before any of it is sent, instead of dropping a connection full of unread bytes (a reset that loses the answer).
    // A small one (every message a client posts) goes at once: the owner reads a refused small body to its end.
    const declared = Number(req.headers['content-length'] ?? 0);
    const waitsForContinue = req.headers['transfer-encoding'] !== undefined || !Number.isFinite(declared) || declared > SMALL_BODY;
    if (waitsForContinue) headers.expect = '100-continue';
    const upstream = (secure ? https : http).request({
      host,
      port,
      method: req.method,
      path: req.url,
      headers,
      agent: secure ? this.#httpsAgent : this.#httpAgent,
      timeout: this.options.idleTimeoutMs,
    });
    let answered = false;
    const fail = (why: string) => {
      upstream.destroy();
      // The owner's whole answer is on its way already: what fails after it is no failure of this request.
      if (res.writableFinished) return;
      this.counters.failures++;
      if (res.headersSent) return void res.destroy();
      refuseRequest(res, new RequestError('NODE_UNREACHABLE', `the node owning this session (${address}) ${why}`), this.options.logger, 'forward');
    };
    upstream.on('timeout', () => fail(`sent nothing for ${this.options.idleTimeoutMs} ms`));
    upstream.on('error', (error) => fail(`could not be reached: ${error.message}`));
    upstream.on('response', (answer) => {
      answered = true;
      // A final answer before 100 Continue: the body is not wanted; the connection goes with it.
      if (waitsForContinue && !bodySent) answer.once('end', () => upstream.destroy());
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
      // The owner drops a client whose body is too large: do the same, so its client stops sending too.
      const dropAfter = answer.statusCode === 413;
      if (dropAfter) headers.connection = 'close';
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      if (dropAfter) dropRefusedBody(req, res);
    });
    // The client left: the owner's long-poll must end too, or it would hold a frame for nobody.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    let bodySent = false;
    if (!waitsForContinue) req.pipe(upstream);
    else
      upstream.once('continue', () => {
        if (answered) return;
        bodySent = true;
        req.pipe(upstream);
      });
  }

  /** Forwards a websocket upgrade: the handshake goes on to the owner, then bytes flow both ways untouched. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    this.counters.upgrades++;
    const { secure, host, port } = endpointOf(address);
    const upstream = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    upstream.setTimeout(this.options.connectTimeoutMs);
    let connected = false;
    const fail = (why: string) => {
      this.counters.failures++;
      upstream.destroy();
      if (connected) return void socket.destroy();
      refuseUpgrade(socket, new RequestError('NODE_UNREACHABLE', `the node owning this session (${address}) ${why}`), this.options.logger);
    };
    upstream.once('timeout', () => fail(`did not accept a connection within ${this.options.connectTimeoutMs} ms`));
    upstream.once('error', (error) => fail(`could not be reached: ${error.message}`));
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      // From here on websocket pings watch the connection, not a timer of ours.
      upstream.setTimeout(0);
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i];
        const lower = name.toLowerCase();
        if (lower === FORWARDED_HEADER || lower === 'x-forwarded-for') continue;
        lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`${FORWARDED_HEADER}: ${this.options.nodeId}`, `X-Forwarded-For: ${forwardedFor(req)}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => connected && socket.destroy());
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}
