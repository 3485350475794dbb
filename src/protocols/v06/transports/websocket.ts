import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { refuseSocket } from '../../../http/refusal';
import { framePayloadLength, writeEncodedFrame } from '../../../websocket/frame-writer';
import { hixieDraftOf } from '../../../websocket/hixie';
import type { Payload } from '../payload';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import { acceptHixieUpgrade } from './hixie-websocket';
import type { TransportContext, TransportRequest, UpgradeTransport } from './transport';

/** The close code of a session ended by the server; refusals take theirs from the error table, 1009 and 1007 come from `ws`. */
const CLOSE_NORMAL = 1000;

/** Where a websocket keeps its sink, so one set of listener functions serves every connection, with no closures per socket. */
const SINK = Symbol('tornadio.v06.sink');
type SinkCarrier = WebSocket & { [SINK]?: WebSocketSink };

function onSocketMessage(this: SinkCarrier, data: RawData): void {
  this[SINK]?.receive(data);
}

function onSocketError(this: SinkCarrier, error: Error): void {
  this[SINK]?.failed(error);
}

function onSocketClose(this: SinkCarrier): void {
  this[SINK]?.session.abort('websocket closed');
}

/** Carries a session's frames over one websocket; coalesced frames go out as one message. */
class WebSocketSink implements SessionSink {
  readonly persistent = true;

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under it, where tornadio writes its data frames (websocket/frame-writer.ts). */
    private readonly tcp: Duplex,
    readonly session: Session,
    private readonly context: TransportContext,
  ) {
    // Listening from before onOpen runs, so nothing the client sends meanwhile is lost.
    (socket as SinkCarrier)[SINK] = this;
    socket.on('message', onSocketMessage);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  receive(data: RawData): void {
    this.context.countBytes('in', rawLength(data));
    // The 0.6 protocol is text only; a binary message is read as UTF-8 all the same.
    this.session.receivePayload(rawToString(data));
  }

  failed(error: Error): void {
    this.context.logger.warn(`[${this.session.transport}] session ${this.session.id}: ${error.message}`);
  }

  deliver(payload: Payload): void {
    // A broadcast shares one payload, so every socket writes the same frame.
    const frame = payload.webSocketFrame;
    this.context.countBytes('out', framePayloadLength(frame));
    writeEncodedFrame(this.socket, this.tcp, frame);
    // A peer that stops reading grows the socket's buffer instead of our queue: same cap.
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
  ) {
    this.#server = context.webSocketServer();
  }

  handleUpgrade(request: TransportRequest, socket: Duplex, head: Buffer): void {
    // The drafts of 2010 (Flash's web-socket-js, Safari 5, old Chrome and Opera) on the same paths.
    const draft = hixieDraftOf(request.req.headers);
    if (draft !== null) return acceptHixieUpgrade(this.name, draft, request, socket, head, this.context);
    // Hold writes until the handshake is done, so the 101 response and the
    // session id (when onOpen answers at once) leave in one write.
    socket.cork();
    this.#server.handleUpgrade(request.req, socket, head, (ws) => this.#accept(ws, socket, request));
    // ws answers an upgrade synchronously (we give it no verifyClient): the 101 or a refusal is written by now.
    socket.uncork();
  }

  #accept(ws: WebSocket, tcp: Duplex, request: TransportRequest): void {
    const { context } = this;
    try {
      // A synchronous onOpen flushes the session id at once, inside this callback: it joins the 101 (see handleUpgrade).
      context.openSession(this.name, request.req, request.path, request.search, (created) => new WebSocketSink(ws, tcp, created, context));
    } catch (error) {
      // Capacity was checked before the upgrade; this is a race with another connect (TOO_MANY_SESSIONS: 1013).
      ws.on('error', (socketError: Error) => context.logger.warn(`[${this.name}] refused socket: ${socketError.message}`));
      refuseSocket(ws, error, context.logger, `[${this.name}] session`);
    }
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
