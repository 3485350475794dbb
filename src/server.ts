import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Application } from './application';
import { SettingsError } from './errors';
import { DEFAULT_POLICY, FlashPolicyServer, policyReply, policyRequestState } from './flash-policy-server';
import { HttpLane } from './http/lane/lane';
import { describeError, type Logger } from './logger';

/** Options of a `SocketServer` (Tornadio's `SocketServer(application, auto_start, ssl_options)`). */
export interface SocketServerOptions {
  /** Start listening at once. With false, call `start()`. @default true */
  autoStart?: boolean;
  /** TLS options (`key`, `cert`, …, as for `https.createServer`): serve https and wss. @default none */
  ssl?: HttpsOptions | null;
}

/** Pending connections the kernel may queue (Linux caps it at net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;

interface ClientErrorWithPacket extends Error {
  rawPacket?: Buffer;
}

/**
 * Boots an `Application`: the HTTP(S) server on `socketIoPort`, and the Flash
 * policy server on `flashPolicyPort` when flashsocket is enabled and a policy
 * file is set. `await server.listening` before connecting; `await
 * server.close()` to stop everything. A listen failure (say EADDRINUSE)
 * rejects `listening`; when nothing has asked for `listening` or `start()`, it
 * is thrown as an uncaught exception instead, as Node does for a server's
 * unhandled 'error' event.
 */
export class SocketServer {
  readonly httpServer: HttpServer;
  readonly #application: Application;
  readonly #logger: Logger;
  readonly #policyReply: Buffer;
  #policyServer: FlashPolicyServer | null = null;
  /** tornadio's own reader of the requests it serves most (see http/lane); null with `httpLane: false`. */
  readonly #lane: HttpLane | null;
  #listening: Promise<void> | null = null;
  // Set once user code has asked for `listening` or `start()`: from then on a listen failure is theirs to handle.
  #listeningObserved = false;
  #closing: Promise<void> | null = null;

  constructor(application: Application, options: SocketServerOptions = {}) {
    for (const key of Object.keys(options)) {
      if (key !== 'autoStart' && key !== 'ssl') throw new SettingsError(key, 'unknown SocketServer option; known: autoStart, ssl');
    }
    this.#application = application;
    this.#logger = application.logger;
    this.#policyReply = policyReply(this.#readPolicy());
    const handler = (req: IncomingMessage, res: ServerResponse): void => application.handleRequest(req, res);
    const { headersTimeout, requestTimeout, keepAliveTimeout } = application.settings.ms;
    // Slow or half-open clients must not pin sockets: bound how long headers
    // and bodies may take (long-poll responses are not limited by these), and
    // check often enough that the bound means something (Node checks every 30 s by default).
    const serverOptions = {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(5000, headersTimeout / 4)),
    };
    this.httpServer = options.ssl ? createHttpsServer({ ...options.ssl, ...serverOptions }, handler) : createHttpServer(serverOptions, handler);
    this.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => application.handleUpgrade(req, socket, head));
    // 100 Continue only once the handler has not answered on the headers alone: a body refused on its
    // Content-Length (413) is then never sent, so a forwarding node or curl gets the answer, not a reset mid-upload.
    this.httpServer.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res);
      if (!res.headersSent) res.writeContinue();
    });
    this.httpServer.on('clientError', (error: ClientErrorWithPacket, socket: Duplex) => this.#onClientError(error, socket));
    this.#lane = application.settings.httpLane ? new HttpLane(this.httpServer, application, { headersTimeout, requestTimeout, keepAliveTimeout }) : null;
    if (options.autoStart !== false) void this.#listen();
  }

  #readPolicy(): string {
    const file = this.#application.settings.flashPolicyFile;
    if (!file) return DEFAULT_POLICY;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new SettingsError('flashPolicyFile', `cannot read ${file}: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves once the HTTP server listens (the policy server's fate is logged,
   * never fatal); rejects with the listen error. Starts listening if needed.
   */
  get listening(): Promise<void> {
    return this.#observe();
  }

  /** Starts listening; calling it again waits for the same attempt, it never listens twice. */
  start(): Promise<void> {
    return this.#observe();
  }

  #observe(): Promise<void> {
    this.#listeningObserved = true;
    // A promise per caller: one that drops its promise still gets Node's unhandled-rejection report.
    return this.#listen().then(() => undefined);
  }

  #listen(): Promise<void> {
    if (this.#listening) return this.#listening;
    const { socketIoPort, socketIoAddress } = this.#application.settings;
    // A cluster node joins its cluster first: the others must know it before its first session id is out.
    const routersReady = Promise.all(this.#application.routers.map((router) => router.ready));
    this.#listening = routersReady
      .then(
        () =>
          new Promise<void>((resolve, reject) => {
            const onError = (error: Error): void => reject(error);
            this.httpServer.once('error', onError);
            // A burst of clients (a reconnect storm after a restart) must not overflow the accept queue.
            this.httpServer.listen({ port: socketIoPort, host: socketIoAddress || undefined, backlog: LISTEN_BACKLOG }, () => {
              this.httpServer.off('error', onError);
              this.httpServer.on('error', (error) => this.#logger.error(`[server] ${describeError(error)}`));
              resolve();
            });
          }),
      )
      .then(() => this.#startPolicyServer());
    void this.#listening.catch((error: unknown) => this.#onListenError(error));
    return this.#listening;
  }

  #onListenError(error: unknown): void {
    const { socketIoPort, socketIoAddress } = this.#application.settings;
    this.#logger.error(`[server] cannot listen on ${socketIoAddress || '*'}:${socketIoPort}: ${describeError(error)}`);
    if (this.#listeningObserved) return;
    // Nobody awaits `listening`: a server that silently never listens is worse
    // than a crash, so fail as Node fails on an unhandled 'error' event, with
    // the real error (thrown outside the promise chain to make it uncaught).
    process.nextTick(() => {
      throw error;
    });
  }

  async #startPolicyServer(): Promise<void> {
    const { flashPolicyPort, flashPolicyFile, socketIoAddress } = this.#application.settings;
    const flashEnabled = this.#application.routers.some((router) => router.settings.enabledProtocols.has('flashsocket'));
    if (!flashEnabled || !flashPolicyFile) return;
    const server = new FlashPolicyServer(this.#policyReply, this.#logger);
    try {
      await server.listen(flashPolicyPort, socketIoAddress || undefined);
      this.#policyServer = server;
      this.#logger.info(`[flash policy] listening on port ${server.port}`);
    } catch (error) {
      // Port 843 needs root; the policy is still answered inline on the HTTP port.
      const message =
        `cannot listen on port ${flashPolicyPort} (${(error as Error).message}); ` +
        'the Flash policy is still served inline on the HTTP port';
      this.#logger.error(`[flash policy] ${message}`);
      // A deployment problem, not a client fault: say it even when logging is silent.
      process.emitWarning(`tornadio: ${message}`, { code: 'TORNADIO_FLASH_POLICY_PORT' });
    }
  }

  /** The HTTP port actually bound (useful with `socketIoPort: 0`). */
  get port(): number {
    const address = this.httpServer.address() as AddressInfo | null;
    if (!address) throw new Error('tornadio: the server is not listening yet');
    return address.port;
  }

  /** Connections tornadio's HTTP lane reads right now (see http/lane); node:http's are not counted. */
  get laneConnections(): number {
    return this.#lane?.size ?? 0;
  }

  /** The Flash policy server's port, or null when it is not running. */
  get flashPolicyPort(): number | null {
    return this.#policyServer?.port ?? null;
  }

  /**
   * Flash asks for the policy on the main port too when 843 does not answer.
   * Its request is not HTTP, so Node's parser rejects it: answer it here.
   */
  #onClientError(error: ClientErrorWithPacket, socket: Duplex): void {
    const packet = error.rawPacket;
    if (packet && policyRequestState(packet) === 'complete' && socket.writable) {
      socket.end(this.#policyReply);
      return;
    }
    if (socket.writable && !(socket as Socket).destroyed) {
      const status = 'code' in error && error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  }

  /**
   * Stops accepting, closes every session (each `onClose` runs once), closes
   * the policy server and every socket; resolves when all is closed.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    const routersClosed = this.#application.close();
    const httpClosed = new Promise<void>((resolve) => {
      if (!this.httpServer.listening) return resolve();
      this.httpServer.close(() => resolve());
    });
    this.httpServer.closeAllConnections();
    this.#lane?.close();
    this.#closing = Promise.all([httpClosed, routersClosed, this.#policyServer?.close()]).then(() => undefined);
    return this.#closing;
  }
}
