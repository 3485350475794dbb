import type { OutgoingHttpHeaders } from 'node:http';
import { coarseNow } from '../../clock';
import type { HttpAnswer } from '../../http/answer';
import type { FlushScheduler } from '../../session/flush-scheduler';
import type { ConnectionClass, RequestInfo } from '../../connection';
import { RequestError } from '../../errors';
import type { RegisteredSession } from '../../hub/session-registry';
import type { SessionHub } from '../../hub/session-hub';
import { parseQuery } from '../../http/request-info';
import type { Logger } from '../../logger';
import type { DeadlineClock, Renewable } from '../../session/deadline-clock';
import type { HeartbeatClock, HeartbeatTarget } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import type { EngineAnswerHeaders } from './cors';
import type { EngineDialect } from './dialect';
import type { EnginePacket } from './engine-codec';
import { encodeFrame, framePayloadLength } from '../../websocket/frame-writer';
import type { ServerWebSocket, WebSocketListener } from '../../websocket/rfc6455';
import { jsonpScript } from './v3/jsonp';
import { SocketDecodeError, SocketPacketDecoder, SocketPacketType, type SocketPacket } from './socket-codec';
import { SentLog, type RecoveredState, type RecoveryStore, type RemoteRecovery } from './recovery';
import { EioSocket, enginePacketsOf, type NamespaceEncoder, type SocketCarrier, type SocketRecovery, type StampingEncoder } from './socket';

/** What a session needs from the Engine.IO server of its router. */
export interface EngineHost {
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly settings: ResolvedRouterSettings;
  /** The connection class serving a namespace; undefined for one the router does not have. */
  connectionClassFor(namespace: string): ConnectionClass | undefined;
  encoderFor(namespace: string): NamespaceEncoder;
  /** Connection state recovery, when the setting `recovery` turns it on. */
  readonly recovery: RecoveryStore | null;
  stamperFor(namespace: string): StampingEncoder;
  /** The open packet's JSON after the sid (upgrades, timings, …), then the closing brace. */
  handshakeTail(dialect: EngineDialect, transport: EngineTransport): string;
  /** One microtask flushes every session that sent something this tick. */
  readonly flushes: FlushScheduler;
  /** One timer pings every session each pingInterval. */
  readonly pings: HeartbeatClock;
  /** One timer for every pong being waited for (pingTimeout) and every CONNECT (connectTimeout). */
  readonly pongDeadlines: DeadlineClock;
  readonly connectDeadlines: DeadlineClock;
  /** v3, where the client pings: one timer for every session's pingInterval + pingTimeout of silence. */
  readonly silenceDeadlines: DeadlineClock;
}

export type EngineTransport = 'polling' | 'websocket';

/** Most binary attachments one Socket.IO packet may announce: enough for real use, bounded for hostile input. */
const MAX_ATTACHMENTS = 64;
const CONNECT_TIMEOUT_REASON = 'no namespace joined within connectTimeout';
const SILENCE_REASON = 'ping timeout: no packet from the client within pingInterval + pingTimeout';

/** Packets up to this size (UTF-16 units or bytes) are joined with the others of their flush; larger ones are written alone. */
const JOINED_FRAME_LIMIT = 16 * 1024;

/** Writes the frames collected so far as one Buffer, and empties the list. */
function sendJoined(ws: ServerWebSocket, frames: Buffer[], total: number): void {
  if (frames.length === 0) return;
  ws.sendFrame(frames.length === 1 ? frames[0] : Buffer.concat(frames, total));
  frames.length = 0;
}

/** A deadline-clock entry that ends its session with a reason when it passes: a small object, no closure. */
class SessionDeadline implements Renewable {
  renewedUntil?: number;

  constructor(
    private readonly session: EngineSession,
    private readonly reason: string,
  ) {}

  expire(): void {
    this.session.abort(this.reason);
  }
}

/**
 * One Engine.IO session: the transport (polling, then perhaps websocket),
 * the packets waiting for it, the ping cycle, and the namespace sockets it
 * carries. Nothing is dropped while the session lives: packets wait in the
 * outbox until a poll or the socket takes them, across an upgrade too.
 */
export class EngineSession implements RegisteredSession, SocketCarrier, HeartbeatTarget, WebSocketListener {
  readonly id: string;
  transport: EngineTransport;
  #outbox: EnginePacket[] = [];
  #flushScheduled = false;
  #poll: { answer: HttpAnswer; headers: EngineAnswerHeaders } | null = null;
  #ws: ServerWebSocket | null = null;
  /** The websocket being probed during an upgrade. */
  #probe: ServerWebSocket | null = null;
  /** `3probe` went out on `#probe`: from now on the client is pausing its polling, so no GET may be held. */
  #probeAnswered = false;
  readonly #sockets = new Map<string, EioSocket>();
  /**
   * Namespaces this client was in and left (or was refused): a late packet
   * for one is no fault. Bounded by the router's namespaces; made on the
   * first leave, since most sessions never leave one.
   */
  #left: Set<string> | null = null;
  /** Namespaces whose recovery another node is being asked for, with the client's packets for them meanwhile. */
  #recovering: Map<string, SocketPacket[]> | null = null;
  readonly #decoder = new SocketPacketDecoder({ maxAttachments: MAX_ATTACHMENTS });
  #awaitingPong = false;
  // What the shared deadline clocks call when this session's time is up (the registry owns `expire`).
  // Each exists only while it can fire: an idle session keeps one small object, not three closures.
  #pongWatch: SessionDeadline | null = null;
  #connectWatch: SessionDeadline | null = null;
  #silenceWatch: SessionDeadline | null = null;
  #closed = false;
  #lastActive = coarseNow();

  /** A v3 JSONP session's index (`j` at the handshake): its polls are answered as scripts, its posts are forms. */
  jsonpIndex: string | null = null;

  constructor(
    private readonly host: EngineHost,
    readonly dialect: EngineDialect,
    transport: EngineTransport,
    private readonly request: RequestInfo,
  ) {
    this.id = host.hub.newSessionId();
    this.transport = transport;
  }

  get logger(): Logger {
    return this.host.logger;
  }

  get hasSink(): boolean {
    return this.#poll !== null || this.#ws !== null;
  }

  get lastActive(): number {
    return this.hasSink ? Date.now() : this.#lastActive;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Queues the open packet (and in v3 the default namespace's answer, which
   * follows it unasked) and starts the timers that watch the client. The
   * caller writes the open packet at once (the handshake's answer, or the
   * upgrade's flush), so no flush is scheduled for it.
   */
  start(): void {
    if (this.dialect.clientPings) this.host.silenceDeadlines.add((this.#silenceWatch = new SessionDeadline(this, SILENCE_REASON)));
    else this.host.pings.add(this);
    // A transport session that never joins a namespace is closed (as socket.io's connectTimeout).
    this.host.connectDeadlines.add((this.#connectWatch = new SessionDeadline(this, CONNECT_TIMEOUT_REASON)));
    // The same for every session of a server but the sid: written once (session ids need no JSON escaping).
    this.#outbox.push({ type: 'open', data: `{"sid":"${this.id}",${this.host.handshakeTail(this.dialect, this.transport)}` });
    if (this.dialect.joinsRootImplicitly) this.#connect({ type: SocketPacketType.CONNECT, nsp: '/' });
  }

  /** The handshake GET: answered at once with the open packet and what followed it. */
  answerHandshake(answer: HttpAnswer, headers: EngineAnswerHeaders): void {
    this.#poll = { answer, headers };
    this.#answerPoll(this.#outbox.splice(0));
  }

  // ---- outbound ----

  countOut(): void {
    this.host.hub.counters.messagesOut++;
  }

  /**
   * A broadcast's packets: the first packet of a tick on a websocket goes out
   * at once, as a raw ws broadcast writes it (one packet to each of thousands
   * of sessions, no queue or flush for each); anything else as `send`.
   */
  sendBroadcast(packets: readonly EnginePacket[]): void {
    const ws = this.#ws;
    if (ws === null || this.#closed || this.#flushScheduled || this.#outbox.length > 0) return this.send(packets);
    // Later packets of this tick queue behind these and leave in one flush.
    this.#flushScheduled = true;
    this.host.flushes.schedule(this);
    this.#writeFrames(ws, packets);
  }

  send(packets: readonly EnginePacket[]): void {
    if (this.#closed) return;
    for (const packet of packets) this.#outbox.push(packet);
    // A client that stops collecting must not grow our memory without bound.
    if (this.#outbox.length > this.host.settings.maxQueuedMessages) {
      this.fail(`send queue over its limit (${this.#outbox.length} packets)`);
      return;
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Packets of one tick go out together: one poll answer, or one burst of websocket writes.
    this.host.flushes.schedule(this);
  }

  /** Writes what this tick queued (FlushScheduler calls it; a send schedules it). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#outbox.length === 0) return;
    const ws = this.#ws;
    if (ws) {
      const packets = this.#outbox;
      this.#outbox = [];
      this.#writeFrames(ws, packets);
      return;
    }
    if (this.#poll) this.#answerPoll(this.#outbox.splice(0));
  }

  /**
   * One packet is one frame in Engine.IO: the frames of one flush go out
   * joined in one Buffer and one write (ten events of a tick would otherwise
   * be ten writes, or a writev under a cork). A large packet is written on
   * its own, uncopied, after what was joined before it.
   */
  #writeFrames(ws: ServerWebSocket, packets: readonly EnginePacket[]): void {
    const { counters } = this.host.hub;
    const only = packets.length === 1 ? packets[0].webSocketFrame : undefined;
    if (only) {
      // A broadcast's one packet to each of thousands of sockets: nothing to join.
      ws.sendFrame(only);
      counters.bytesOut += framePayloadLength(only);
    } else {
      this.#writeJoined(ws, packets);
    }
    // A peer that stops reading grows the socket's buffer instead of our outbox: the same cap.
    if (ws.bufferedAmount > this.host.settings.maxQueuedBytes) this.fail(`websocket send buffer over its limit (${ws.bufferedAmount} bytes)`);
  }

  #writeJoined(ws: ServerWebSocket, packets: readonly EnginePacket[]): void {
    const { counters } = this.host.hub;
    const joined: Buffer[] = [];
    let total = 0;
    for (const packet of packets) {
      // A broadcast's text packets carry their frame, made once for every socket.
      let frame = packet.webSocketFrame;
      if (frame) {
        counters.bytesOut += framePayloadLength(frame);
      } else {
        const encoded = this.dialect.encodeForWebSocket(packet, this.base64Only);
        counters.bytesOut += encoded.length;
        const binary = typeof encoded !== 'string';
        if (encoded.length > JOINED_FRAME_LIMIT) {
          sendJoined(ws, joined, total);
          total = 0;
          ws.send(encoded, binary);
          continue;
        }
        frame = encodeFrame(encoded, binary);
      }
      joined.push(frame);
      total += frame.length;
    }
    sendJoined(ws, joined, total);
  }

  #answerPoll(packets: readonly EnginePacket[]): void {
    const poll = this.#poll;
    if (!poll) return;
    this.#poll = null;
    this.#lastActive = coarseNow();
    const { answer } = poll;
    if (!answer.open) {
      // The GET is gone: keep the packets for the next one.
      this.#outbox = [...packets, ...this.#outbox];
      return;
    }
    const body = this.#pollBody(packets);
    answer.send(200, this.#pollHeaders(poll.headers, body), body);
    this.host.hub.counters.bytesOut += body.length;
  }

  #pollBody(packets: readonly EnginePacket[]): string | Buffer {
    // A JSONP client never takes binary (it asked for b64=1): its payload is always text.
    if (this.jsonpIndex !== null) return jsonpScript(this.jsonpIndex, this.dialect.encodePollBody(packets, false) as string);
    return this.dialect.encodePollBody(packets, !this.base64Only);
  }

  #pollHeaders(headers: EngineAnswerHeaders, body: string | Buffer): Readonly<OutgoingHttpHeaders> {
    if (this.jsonpIndex !== null) return headers.script;
    return typeof body === 'string' ? headers.text : headers.binary;
  }

  // ---- polling ----

  /** A GET: answered at once with what is waiting, else held until there is something (a ping comes every pingInterval). */
  attachPoll(answer: HttpAnswer, headers: EngineAnswerHeaders): void {
    if (this.#poll) {
      // The spec: two concurrent GETs are a protocol violation; the session ends (the pending GET gets a
      // close packet) and the second GET is refused.
      this.fail('a second GET while one is pending');
      throw new RequestError('BAD_REQUEST', 'a second GET while one is pending');
    }
    this.#poll = { answer, headers };
    answer.onAbort(() => {
      if (this.#poll?.answer === answer) {
        this.#poll = null;
        this.#lastActive = coarseNow();
      }
    });
    // A client pausing for an upgrade waits for this GET before it sends `5` (engine.io-client may poll once
    // more when the noop that released its last GET lands before `3probe`): held, it would stall the upgrade.
    if (this.#probeAnswered) this.#answerPoll(this.#outbox.length > 0 ? this.#outbox.splice(0) : [{ type: 'noop' }]);
    else if (this.#outbox.length > 0 && !this.#flushScheduled) this.#answerPoll(this.#outbox.splice(0));
  }

  /** Packets from a POST body (or a websocket message), in order. */
  receive(packets: readonly EnginePacket[]): void {
    this.#lastActive = coarseNow();
    // v3 takes any packet as a sign of life, as engine.io 3 does, not only a ping.
    if (this.#silenceWatch && !this.#closed) this.host.silenceDeadlines.renew(this.#silenceWatch);
    for (const packet of packets) {
      if (this.#closed) return;
      this.#receivePacket(packet);
    }
  }

  #receivePacket(packet: EnginePacket): void {
    switch (packet.type) {
      case 'pong':
        // v3 has no server pings to answer; engine.io 3 ignores a pong too.
        if (this.dialect.clientPings) return;
        this.#awaitingPong = false;
        if (this.#pongWatch) this.host.pongDeadlines.delete(this.#pongWatch);
        return;
      case 'message':
        return this.#receiveMessage(packet.data ?? '');
      case 'close':
        // The client knows it is closing: its pending poll is released with a noop, not told of a close.
        if (this.#poll) this.#answerPoll([{ type: 'noop' }]);
        return this.abort('client closed the transport');
      case 'noop':
        return;
      case 'ping':
        if (this.dialect.clientPings) return this.send([{ type: 'pong' }]);
        // In v4 only an upgrade probe may ping the server; see `probe`.
        return this.fail('ping from the client outside an upgrade probe');
      default:
        return this.fail(`unexpected ${packet.type} packet`);
    }
  }

  #receiveMessage(data: string | Buffer): void {
    let packet: SocketPacket | null;
    try {
      packet = this.#decoder.add(data);
    } catch (error) {
      this.fail(error instanceof SocketDecodeError ? error.message : String(error));
      return;
    }
    if (!packet) return;
    this.host.hub.counters.messagesIn++;
    if (packet.type === SocketPacketType.CONNECT) return this.#connect(packet);
    const socket = this.#sockets.get(packet.nsp);
    if (socket) return socket.receive(packet);
    const recovering = this.#recovering?.get(packet.nsp);
    if (recovering) return void recovering.push(packet);
    // A namespace the server just left may still get a packet the client sent before it heard: that one is dropped.
    if (this.#left?.has(packet.nsp) || !this.dialect.strictNamespaces) {
      return this.logger.debug(`[engine ${this.id}] packet for ${packet.nsp}, which it is not in, dropped`);
    }
    this.fail(`a packet for ${packet.nsp}, which it never joined`);
  }

  #connect(packet: SocketPacket): void {
    const { dialect } = this;
    const { name: nsp, query } = dialect.splitNamespace(packet.nsp);
    const ConnectionType = this.host.connectionClassFor(nsp);
    if (!ConnectionType) {
      this.send(enginePacketsOf(dialect.refusal(nsp, { message: 'Invalid namespace' })));
      return;
    }
    if (this.#sockets.has(nsp) || this.#recovering?.has(nsp)) {
      if (dialect.strictNamespaces) return this.fail(`a second CONNECT to ${nsp}`);
      return this.logger.debug(`[engine ${this.id}] a second CONNECT to ${nsp}, ignored (the first answer serves both)`);
    }
    this.#left?.delete(nsp);
    if (this.#connectWatch) {
      this.host.connectDeadlines.delete(this.#connectWatch);
      this.#connectWatch = null;
    }
    const given = packet.data && typeof packet.data === 'object' ? (packet.data as Record<string, unknown>) : {};
    // A v3 client passes its namespace's query in the CONNECT (`/chat?x=1`): socket.io 2 merges it into the handshake query.
    const request = query === null ? this.request : withQuery(this.request, query);
    const { recovery: store } = this.host;
    // Only v4 clients take part: socket.io-client 2.x has no recovery, and its CONNECT carries no pid.
    if (!store || dialect.protocol !== 'eio4') return void this.#openSocket(nsp, ConnectionType, request, given, null, null);
    const { pid, offset, ...auth } = given;
    if (typeof pid !== 'string' || typeof offset !== 'string') return void this.#openSocket(nsp, ConnectionType, request, auth, store, null);
    const here = store.take(pid, offset, nsp);
    const elsewhere = here ? null : store.takeRemote(pid, offset, nsp);
    if (!elsewhere) return void this.#openSocket(nsp, ConnectionType, request, auth, store, here && { pid, state: here });
    // The node it dropped from hands its state over: what the client sends meanwhile waits, in order.
    const waiting: SocketPacket[] = [];
    (this.#recovering ??= new Map()).set(nsp, waiting);
    void elsewhere.then(({ state, lateBroadcasts }) => {
      this.#recovering?.delete(nsp);
      // Asking for the late broadcasts ends their recording, so it is asked whatever happens next.
      if (this.#closed || !state) lateBroadcasts('', []);
      if (this.#closed) return;
      const recovered = state && this.#withLateBroadcasts(nsp, state, lateBroadcasts);
      const socket = this.#openSocket(nsp, ConnectionType, request, auth, store, recovered && { pid, state: recovered });
      for (const early of waiting) socket.receive(early);
    });
  }

  /**
   * Joins a connection recovered from another node to its rooms here, and adds to what it missed
   * the broadcasts that reached neither node meanwhile; null (a fresh start) when there were too many.
   */
  #withLateBroadcasts(nsp: string, state: RecoveredState, lateBroadcasts: RemoteRecovery['lateBroadcasts']): RecoveredState | null {
    const { adapter } = this.host.hub.namespace(nsp);
    if (state.rooms.length) adapter.addAll(state.id, state.rooms);
    const late = lateBroadcasts(state.id, state.rooms);
    if (late === null) {
      adapter.delAll(state.id);
      return null;
    }
    if (late.length === 0) return state;
    const stamper = this.host.stamperFor(nsp);
    return { ...state, missed: state.missed.concat(late.map((packet) => stamper.encode(packet))) };
  }

  /** Makes the namespace's socket and runs its `onOpen`, recovered when `recovered` says from what. */
  #openSocket(
    nsp: string,
    ConnectionType: ConnectionClass,
    request: RequestInfo,
    auth: Record<string, unknown>,
    store: RecoveryStore | null,
    recovered: { pid: string; state: RecoveredState } | null,
  ): EioSocket {
    const { dialect, host } = this;
    const recovery: SocketRecovery | null = store && {
      pid: recovered?.pid ?? host.hub.newSessionId(),
      sent: new SentLog(store.settings.maxMissed),
      stamper: host.stamperFor(nsp),
      store,
    };
    const id = recovered?.state.id ?? dialect.socketId(this.id, nsp, host.hub);
    const socket = new EioSocket(id, nsp, host.hub.namespace(nsp), ConnectionType, this, host.encoderFor(nsp), dialect, recovery);
    this.#sockets.set(nsp, socket);
    socket.open({ sessionId: id, transport: this.transport, protocol: dialect.protocol, namespace: nsp, auth, request, extra: null, recovered: recovered !== null }, recovered?.state.missed);
    return socket;
  }

  socketGone(socket: EioSocket, wasOpen: boolean): void {
    if (this.#sockets.get(socket.namespace) === socket) {
      this.#sockets.delete(socket.namespace);
      (this.#left ??= new Set()).add(socket.namespace);
    }
    if (wasOpen) this.host.hub.memberClosed(socket);
  }

  // ---- websocket ----

  /** A client that asked for `b64=1` (engine.io-client's forceBase64) reads binary only as `b` + base64 text. */
  base64Only = false;

  /** A session opened over websocket from the start. */
  attachWebSocket(ws: ServerWebSocket): void {
    this.#ws = ws;
    ws.listen(this);
  }

  /**
   * The upgrade of a polling session: the client probes with `2probe`, we
   * answer `3probe` and release its pending poll with a noop so it pauses
   * polling; its `5` switches the session to the socket, and whatever waits
   * in the outbox goes out there, in order.
   */
  probe(ws: ServerWebSocket): void {
    if (this.#probe || this.#ws) {
      ws.close(1008);
      return;
    }
    this.#probe = ws;
    ws.listen(this);
  }

  /** A message on the session's websocket or on the one being probed (a socket it has left behind is ignored). */
  onWebSocketMessage(ws: ServerWebSocket, data: Buffer, isBinary: boolean): void {
    if (ws === this.#probe) return this.#probeMessage(ws, isBinary ? null : data.toString('utf8'));
    if (this.#ws !== ws) return;
    this.host.hub.counters.bytesIn += data.length;
    let packet: EnginePacket;
    try {
      packet = this.dialect.decodeFromWebSocket(data, isBinary);
    } catch (error) {
      this.fail((error as Error).message);
      return;
    }
    this.receive([packet]);
  }

  #probeMessage(ws: ServerWebSocket, text: string | null): void {
    if (text === '2probe') {
      ws.send('3probe');
      this.#probeAnswered = true;
      if (this.#poll) this.#answerPoll([{ type: 'noop' }]);
      return;
    }
    if (text === '5') {
      this.#probe = null;
      this.#probeAnswered = false;
      this.transport = 'websocket';
      this.#ws = ws;
      if (this.#poll) this.#answerPoll([{ type: 'noop' }]);
      if (this.#outbox.length > 0 && !this.#flushScheduled) this.flush();
      return;
    }
    this.fail(`unexpected ${JSON.stringify(text ?? '(binary)')} during the upgrade probe`);
  }

  onWebSocketClose(ws: ServerWebSocket): void {
    if (ws === this.#probe) {
      this.#probe = null;
      this.#probeAnswered = false;
      return;
    }
    if (this.#ws === ws) this.abort('transport close');
  }

  onWebSocketError(ws: ServerWebSocket, reason: string, code: number): void {
    this.logger.warn(`[engine ${this.id}] ${ws === this.#probe ? 'upgrade socket' : 'websocket'}: ${reason} (closing with ${code})`);
  }

  // ---- heartbeat ----

  /** Called by the shared ping clock: the next ping, its pong due within pingTimeout. */
  heartbeat(): void {
    // (With pingTimeout ≥ pingInterval a pong may still be due: it keeps its deadline.)
    if (this.#awaitingPong) return;
    this.#awaitingPong = true;
    this.send([{ type: 'ping' }]);
    this.host.pongDeadlines.add((this.#pongWatch ??= new SessionDeadline(this, 'ping timeout')));
  }

  // ---- closing ----

  /** The client broke the protocol: logged, and this session alone is closed. */
  fail(reason: string): void {
    this.logger.warn(`[engine ${this.id}] closing: ${reason}`);
    if (this.#closed) return;
    this.logger.debug(`[engine ${this.id}] closing: protocol error: ${reason}`);
    // A client that broke the protocol is not kept for connection state recovery, as in socket.io.
    this.#shutDown(`protocol error: ${reason}`, false);
  }

  /** The client is gone: close at once. */
  abort(reason: string): void {
    if (this.#closed) return;
    this.logger.debug(`[engine ${this.id}] closing: ${reason}`);
    this.#shutDown(reason, true);
  }

  expire(): void {
    this.abort('session expired');
  }

  #shutDown(reason: string, recoverable: boolean): void {
    this.#closed = true;
    this.host.pings.delete(this);
    if (this.#pongWatch) this.host.pongDeadlines.delete(this.#pongWatch);
    if (this.#connectWatch) this.host.connectDeadlines.delete(this.#connectWatch);
    if (this.#silenceWatch) this.host.silenceDeadlines.delete(this.#silenceWatch);
    for (const socket of [...this.#sockets.values()]) socket.abort(reason, recoverable);
    this.#sockets.clear();
    this.#outbox = [];
    this.#decoder.reset();
    if (this.#poll) {
      const { answer, headers } = this.#poll;
      this.#poll = null;
      // A pending poll learns the session is over from a close packet.
      const body = this.#pollBody([{ type: 'close' }]);
      answer.send(200, this.#pollHeaders(headers, body), body);
    }
    const ws = this.#ws ?? this.#probe;
    this.#ws = null;
    this.#probe = null;
    ws?.close(1000);
    this.host.hub.release(this);
  }
}

/** The request as a v3 namespace sees it: the handshake's query with the namespace's own on top (as socket.io 2 merges them). */
function withQuery(request: RequestInfo, search: string): RequestInfo {
  const query = { ...request.query, ...parseQuery(search) };
  // The address and cookies stay lazy: reading the peer address costs a system call.
  return {
    get remoteAddress() {
      return request.remoteAddress;
    },
    headers: request.headers,
    query,
    get cookies() {
      return request.cookies;
    },
    url: request.url,
    secure: request.secure,
  };
}
