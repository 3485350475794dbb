import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Session } from '../session/session';
import type { SessionSink } from '../session/sink';
import type { TransportName } from '../settings';
import type { TransportContext, TransportRequest, UpgradeTransport } from './transport';

/** Close codes we send; 1009 (too big) and 1007 (bad UTF-8) come from `ws` itself. */
const CLOSE_NORMAL = 1000;
const CLOSE_TRY_AGAIN_LATER = 1013;

/** Buffers are sent as text messages: the 0.6 protocol is text only. */
const TEXT_MESSAGE = { binary: false } as const;

/**
 * The last payload encoded to UTF-8, kept so that a broadcast, whose
 * sessions all deliver the same string, encodes it once instead of once per
 * socket (`ws` would encode a string on every send).
 */
let lastText: string | null = null;
let lastBytes = Buffer.alloc(0);

function utf8(text: string): Buffer {
  if (text !== lastText) {
    lastBytes = Buffer.from(text, 'utf8');
    lastText = text;
  }
  return lastBytes;
}

/** Carries a session's frames over one websocket; coalesced frames go out as one message. */
class WebSocketSink implements SessionSink {
  readonly persistent = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly session: Session,
    private readonly context: TransportContext,
  ) {}

  deliver(frames: string[]): void {
    const payload = utf8(frames.length === 1 ? frames[0] : frames.join(''));
    this.context.countBytes('out', payload.length);
    this.socket.send(payload, TEXT_MESSAGE);
    // A peer that stops reading grows ws's send buffer instead of our queue: same cap.
    if (this.socket.bufferedAmount > this.context.settings.maxQueuedBytes) {
      this.context.logger.warn(`[session ${this.session.id}] websocket send buffer over its limit (${this.socket.bufferedAmount} bytes); closing`);
      this.session.abort('send buffer over its limit');
    }
  }

  end(): void {
    // A peer that is not reading would never complete the closing handshake.
    if (this.socket.bufferedAmount > this.context.settings.maxQueuedBytes) this.socket.terminate();
    else this.socket.close(CLOSE_NORMAL);
  }

  release(): void {
    this.end();
  }
}

/**
 * `websocket` and `flashsocket`: the same wire format over a WebSocket (the
 * flash one emulated by a Flash object in old browsers). The session id is
 * the first frame the server sends; there is none in the URL.
 */
export class WebSocketTransport implements UpgradeTransport {
  readonly #server: WebSocketServer;

  constructor(
    readonly name: TransportName,
    private readonly context: TransportContext,
    server?: WebSocketServer,
  ) {
    this.#server = server ?? createWebSocketServer(context.settings.maxMessageSize);
  }

  handleUpgrade(request: TransportRequest, socket: Duplex, head: Buffer): void {
    // Hold writes until this tick's work is done, so the 101 response and the
    // session id (when onOpen answers at once) leave in one packet.
    socket.cork();
    this.#server.handleUpgrade(request.req, socket, head, (ws) => this.#accept(ws, request));
    // Queued after the flush that writes the session id (when onOpen answered at once).
    queueMicrotask(() => socket.uncork());
  }

  #accept(ws: WebSocket, request: TransportRequest): void {
    const { context } = this;
    let session: Session | null = null;
    // Listen before onOpen settles so nothing the client sends is lost meanwhile.
    ws.on('message', (data: RawData) => {
      const bytes = rawLength(data);
      context.countBytes('in', bytes);
      // The 0.6 protocol is text only; a binary message is read as UTF-8 all the same.
      session?.receivePayload(rawToString(data));
    });
    ws.on('error', (error: Error) => {
      context.logger.warn(`[${this.name}] ${session ? `session ${session.id}: ` : ''}${error.message}`);
    });
    ws.on('close', () => session?.abort('websocket closed'));
    try {
      context.openSession(this.name, request.req, request.path, request.search, (created) => {
        session = created;
        return new WebSocketSink(ws, created, context);
      });
    } catch (error) {
      // Capacity was checked before the upgrade; this is a race with another connect.
      context.logger.warn(`[${this.name}] could not open a session: ${String(error)}`);
      ws.close(CLOSE_TRY_AGAIN_LATER);
    }
  }

  close(): void {
    this.#server.close();
  }
}

/** One `ws` server in noServer mode, shared by both websocket transports of a router. */
export function createWebSocketServer(maxMessageSize: number): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageSize,
    perMessageDeflate: false,
    clientTracking: false,
  });
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
