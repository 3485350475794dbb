import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { LaneHead } from './head';
import { LaneConnection, type LaneClaim, type LaneHost } from './lane-connection';

export type { LaneHead } from './head';
export type { LaneClaim } from './lane-connection';
export type { LaneAnswer } from './lane-answer';

/** Who the lane asks whether it serves a request (the Application, by path). */
export interface LaneRoutes {
  laneClaim(head: LaneHead): LaneClaim | null;
}

export interface LaneTimeouts {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
}

type ConnectionListener = (socket: Socket) => void;

/**
 * tornadio's own reader of HTTP/1.1 requests, in front of node:http on a
 * server tornadio created. Requests a protocol serves most often (Engine.IO
 * polls, posts, handshakes and upgrades) are read and answered here, at a
 * fraction of what node:http spends on a request (no IncomingMessage, no
 * ServerResponse, no stream per request). A connection whose request is
 * anything else (another path, another method, a chunked body, a malformed
 * head) is handed to node:http at that request, with the bytes it has sent,
 * and stays there: whatever the lane does not know, node:http still serves
 * and refuses as it always has.
 */
export class HttpLane implements LaneHost {
  readonly keepAliveLines: string;
  readonly #connections = new Set<LaneConnection>();
  readonly #nodeListeners: readonly ConnectionListener[];
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly server: HttpServer,
    private readonly routes: LaneRoutes,
    private readonly timeouts: LaneTimeouts,
  ) {
    this.keepAliveLines = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.round(timeouts.keepAliveTimeout / 1000)}\r\n\r\n`;
    // node:http serves a connection from this event (https: once TLS is up); the lane takes it first.
    const event = server instanceof HttpsServer ? 'secureConnection' : 'connection';
    this.#nodeListeners = server.listeners(event) as ConnectionListener[];
    server.removeAllListeners(event);
    server.on(event, (socket: Socket) => this.#connections.add(new LaneConnection(this, socket)));
    // As often as node:http checks its own connections (see SocketServer).
    const interval = Math.max(50, Math.min(5000, timeouts.headersTimeout / 4));
    this.#timer = setInterval(() => this.#checkTimeouts(), interval).unref();
  }

  claim(head: LaneHead): LaneClaim | null {
    return this.routes.laneClaim(head);
  }

  handOver(socket: Socket): void {
    for (const listener of this.#nodeListeners) listener.call(this.server, socket);
  }

  release(connection: LaneConnection): void {
    this.#connections.delete(connection);
  }

  #checkTimeouts(): void {
    const now = Date.now();
    const { headersTimeout, requestTimeout, keepAliveTimeout } = this.timeouts;
    for (const connection of this.#connections) connection.checkTimeouts(now, headersTimeout, requestTimeout, keepAliveTimeout);
  }

  /** Connections the lane reads right now. */
  get size(): number {
    return this.#connections.size;
  }

  /** Ends every connection the lane holds and its clock (node:http's are node:http's to close). */
  close(): void {
    clearInterval(this.#timer);
    for (const connection of this.#connections) connection.destroy();
  }
}
