import type { Duplex } from 'node:stream';
import { refuseSocket } from '../../../http/refusal';
import { framePayloadLength } from '../../../websocket/frame-writer';
import { hixieDraftOf } from '../../../websocket/hixie';
import { acceptWebSocket, CLOSE_NORMAL, type ServerWebSocket, type WebSocketListener } from '../../../websocket/rfc6455';
import type { Payload } from '../payload';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import { acceptHixieUpgrade } from './hixie-websocket';
import type { TransportContext, UpgradeRequest, UpgradeTransport } from './transport';

/** Carries a session's frames over one websocket; coalesced frames go out as one message. */
class WebSocketSink implements SessionSink, WebSocketListener {
  readonly persistent = true;

  constructor(
    private readonly socket: ServerWebSocket,
    readonly session: Session,
    private readonly context: TransportContext,
  ) {
    // Listening from before onOpen runs, so nothing the client sends meanwhile is lost.
    socket.listen(this);
  }

  onWebSocketMessage(_socket: ServerWebSocket, data: Buffer): void {
    this.context.countBytes('in', data.length);
    // The 0.6 protocol is text only; a binary message is read as UTF-8 all the same.
    this.session.receivePayload(data.toString('utf8'));
  }

  onWebSocketError(_socket: ServerWebSocket, reason: string, code: number): void {
    this.context.logger.warn(`[${this.session.transport}] session ${this.session.id}: ${reason} (closing with ${code})`);
  }

  onWebSocketClose(): void {
    this.session.abort('websocket closed');
  }

  deliver(payload: Payload): void {
    // A broadcast shares one payload, so every socket writes the same frame.
    const frame = payload.webSocketFrame;
    this.context.countBytes('out', framePayloadLength(frame));
    this.socket.sendFrame(frame);
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
  constructor(
    readonly name: TransportName,
    private readonly context: TransportContext,
  ) {}

  handleUpgrade(request: UpgradeRequest, socket: Duplex, head: Buffer): void {
    // The drafts of 2010 (Flash's web-socket-js, Safari 5, old Chrome and Opera) on the same paths.
    const draft = hixieDraftOf(request.req.headers);
    if (draft !== null) return acceptHixieUpgrade(this.name, draft, request, socket, head, this.context);
    const ws = acceptWebSocket(request.req, socket, head, this.context.settings.maxMessageSize);
    if (!ws) return;
    try {
      // The session id (when onOpen answers at once) takes the 101 along in one write.
      this.#open(ws, request);
    } finally {
      ws.completeHandshake();
    }
  }

  #open(ws: ServerWebSocket, request: UpgradeRequest): void {
    const { context } = this;
    try {
      // A synchronous onOpen flushes the session id at once: it joins the 101 (see handleUpgrade).
      context.openSession(this.name, request.req, request.path, request.search, (created) => new WebSocketSink(ws, created, context));
    } catch (error) {
      // Capacity was checked before the upgrade; this is a race with another connect (TOO_MANY_SESSIONS: 1013).
      refuseSocket(ws, error, context.logger, `[${this.name}] session`);
    }
  }
}
