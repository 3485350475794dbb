import type { ConnectionClass, ConnectionInfo, IncomingMessage, OpenResult, SessionControl, SocketConnection } from '../../connection';
import type { HubNamespace } from '../../hub/hub-namespace';
import type { Member } from '../../hub/member';
import type { BroadcastEncodings, OutgoingPacket, PacketEncoder } from '../../hub/packet';
import type { SessionHub } from '../../hub/session-hub';
import type { RegisteredSession } from '../../hub/session-registry';
import { describeError, type Logger } from '../../logger';
import { FrameQueue } from '../../session/frame-queue';
import type { HeartbeatClock, HeartbeatTarget } from '../../session/heartbeat-clock';
import { decodePayload, HEARTBEAT_PREFIX, JSON_PREFIX, MessageKind, messageKind, singleFrameMessage } from './codec';
import { V06_FRAMING, type Framing, type PayloadReceiver } from './framing';
import { Payload } from './payload';
import type { SessionSink } from './sink';
import type { TransportName } from './transport-names';

/** What a session needs from the protocol server that owns it. */
export interface SessionHost {
  readonly logger: Logger;
  readonly hub: SessionHub;
  /** Calls `session.flush()` once the current tick's work is done (one microtask for every session). */
  scheduleFlush(session: Session): void;
  /** The router's wire format; `~m~` when absent. */
  readonly framing?: Framing;
}

export interface SessionOptions {
  /** The router's heartbeat clock; null for transports that need none (long-polling). */
  heartbeats: HeartbeatClock | null;
  /** Past this many queued messages, or bytes, the client is not keeping up: close it. */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
}

type SessionState = 'opening' | 'open' | 'closed';

/**
 * One 0.6 virtual connection: a `SocketConnection` plus the queue of frames
 * bound for it, spread over however many requests its transport takes. This
 * is Tornadio's session: messages queue while no request is attached and
 * flush to whichever one attaches next. 0.6 has no namespaces: every session
 * is one member of `/`.
 */
export class Session implements SessionControl, Member, RegisteredSession, HeartbeatTarget {
  readonly protocol = '0.6';
  readonly namespace = '/';
  readonly connection: SocketConnection;
  readonly space: HubNamespace;
  #state: SessionState = 'opening';
  readonly #queue = new FrameQueue();
  #sink: SessionSink | null = null;
  #flushScheduled = false;
  /** Messages that arrived before `onOpen` settled; replayed once it accepts (null while there are none, as on most connects). */
  #earlyPayloads: string[] | null = null;
  #beatsSent = 0;
  #lastBeatAnswered = true;
  /** POSTs being handled: a close waits for them to be answered before ending the GET. */
  #postsInFlight = 0;
  #endSinkAfterPosts = false;
  #lastActive = Date.now();
  readonly #framing: Framing;
  /** Broadcasts into `/`, in this session's framing: one object for all its sessions, so each broadcast is encoded once. */
  readonly #encoder: PacketEncoder<Payload>;
  /** Reads the client's payloads when the framing is not `~m~` (made once `/` opens). */
  #receiver: PayloadReceiver | null = null;

  constructor(
    readonly id: string,
    readonly transport: TransportName,
    ConnectionType: ConnectionClass,
    private readonly host: SessionHost,
    private readonly options: SessionOptions,
  ) {
    this.space = host.hub.namespace('/');
    this.#framing = host.framing ?? V06_FRAMING;
    this.#encoder = this.#framing.encoderFor('/');
    // The 0.6 client takes the first message it gets as its session id.
    this.#queue.push(this.#framing.sessionIdFrame(id));
    this.connection = new ConnectionType(this);
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** True while a request or socket is attached to carry frames out. */
  get hasSink(): boolean {
    return this.#sink !== null;
  }

  /** When this session last had a request attached or detached, or received data (ms since epoch). */
  get lastActive(): number {
    return this.#sink ? Date.now() : this.#lastActive;
  }

  /**
   * Runs the user's `onOpen`. Returns (or, for an async `onOpen`, resolves
   * with) true when the connection is accepted; on refusal (false, or a
   * throw) the session is closed without `onClose`, since it never opened. A
   * synchronous `onOpen` settles at once: no promise on the connect path.
   */
  open(info: ConnectionInfo): boolean | Promise<boolean> {
    this.#receiver = this.#framing.createReceiver(this, info);
    let result: OpenResult;
    try {
      result = this.connection.onOpen(info);
    } catch (error) {
      return this.#settleOpen(false, error);
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => this.#settleOpen(value !== false),
        (error: unknown) => this.#settleOpen(false, error),
      );
    }
    return this.#settleOpen(result !== false);
  }

  #settleOpen(accepted: boolean, error?: unknown): boolean {
    if (error !== undefined) {
      this.host.logger.error(`[session ${this.id}] onOpen threw; refusing the connection: ${describeError(error)}`);
    }
    if (this.#state !== 'opening') return this.#state === 'open';
    if (!accepted) {
      this.#earlyPayloads = null;
      this.close();
      return false;
    }
    this.#state = 'open';
    this.space.entered(this);
    this.options.heartbeats?.add(this);
    // At once, not at the end of the tick: on a websocket the session id (and what onOpen sent) then joins the 101 in one write.
    this.flush();
    const early = this.#earlyPayloads;
    this.#earlyPayloads = null;
    if (early) for (const payload of early) this.receivePayload(payload);
    return true;
  }

  // ---- outbound ----

  /** Encodes at once, so a value JSON cannot carry throws in the caller's `send`. */
  /** 0.6 has no acknowledgements: an ack callback is never called, and false says so. */
  sendPacket(packet: OutgoingPacket, _ack?: unknown): false {
    if (this.#state === 'closed') {
      this.host.logger.debug(`[session ${this.id}] send after close ignored`);
      return false;
    }
    this.#enqueue(this.#framing.encodePacket(packet, '/'));
    return false;
  }

  reportError(what: string, error: unknown): void {
    this.host.logger.error(`[session ${this.id}] ${what} threw: ${describeError(error)}`);
  }

  /** Queues frames a connection this session carries sent (the framing's other namespaces, besides `/`). */
  sendFrames(frames: readonly string[]): void {
    if (this.#state === 'closed') return;
    this.#enqueue(frames);
  }

  #enqueue(frames: readonly string[]): void {
    this.#queue.pushAll(frames);
    this.host.hub.counters.messagesOut += frames.length;
    if (this.#overQueueLimit()) return;
    this.#scheduleFlush();
  }

  /**
   * A broadcast, encoded once for every 0.6 session. With nothing queued and
   * a socket attached it is written at once: a fan-out to thousands then
   * costs one write each and no queueing, and the first client is not kept
   * waiting for the last one to be queued.
   */
  receiveBroadcast(encodings: BroadcastEncodings): void {
    this.sendBroadcast(encodings.encodedBy(this.#encoder));
  }

  /** A broadcast payload, already in this session's framing (for `/` or another namespace it carries). */
  sendBroadcast(payload: Payload): void {
    if (this.#state === 'closed') return;
    const sink = this.#sink;
    if (this.#state === 'open' && sink?.persistent && this.#queue.length === 0 && !this.#flushScheduled) {
      this.host.hub.counters.messagesOut += payload.frames.length;
      sink.deliver(payload);
      return;
    }
    this.#enqueue(payload.frames);
  }

  /** A sink could not deliver these frames: put them back at the head of the queue, in order. */
  requeue(frames: readonly string[]): void {
    // A closed session has handed out its last frames and is gone from the router: nobody could collect these.
    if (frames.length === 0 || this.#state === 'closed') return;
    this.#queue.requeue(frames);
    this.#scheduleFlush();
  }

  /** A client that stops collecting its messages must not grow our memory without bound. */
  #overQueueLimit(): boolean {
    const { maxQueuedMessages, maxQueuedBytes } = this.options;
    if (this.#queue.length <= maxQueuedMessages && this.#queue.bytes <= maxQueuedBytes) return false;
    this.host.logger.warn(
      `[session ${this.id}] send queue over its limit (${this.#queue.length} messages, ${this.#queue.bytes} bytes); closing`,
    );
    this.abort('send queue over its limit');
    return true;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Sends in the same tick coalesce into one write: fewer syscalls, and the
    // 0.6 protocol lets one payload carry any number of frames.
    this.host.scheduleFlush(this);
  }

  /** Hands every queued frame to the attached sink, if there is one. */
  flush(): void {
    this.#flushScheduled = false;
    const sink = this.#sink;
    if (!sink || this.#queue.length === 0 || this.#state === 'opening') return;
    const payload = new Payload(this.#queue.drain());
    if (!sink.persistent) this.#sink = null;
    sink.deliver(payload);
    if (!sink.persistent) this.#afterDetach();
  }

  // ---- sinks ----

  /**
   * Attaches the request or socket that will carry frames out. A newer sink
   * replaces an older one, which is released (answered empty), so neither
   * hangs: the newer request is the one the client is waiting on.
   */
  attach(sink: SessionSink): void {
    const previous = this.#sink;
    this.#sink = sink;
    if (previous && previous !== sink) previous.release();
    if (this.#state === 'closed') {
      // A closed session kept only so a long-poll can collect what was queued.
      this.flush();
      this.#finishIfDrained();
      return;
    }
    // Nothing queued: the next send schedules the flush (most polls wait, and a microtask each would be wasted).
    // Still opening: the session id waits for onOpen's answer, and that flushes.
    if (this.#queue.length > 0 && this.#state === 'open') this.#scheduleFlush();
  }

  /** The sink went away (answered, timed out, or its socket closed). */
  detach(sink: SessionSink): void {
    if (this.#sink !== sink) return;
    this.#sink = null;
    this.#afterDetach();
  }

  #afterDetach(): void {
    this.#lastActive = Date.now();
    if (this.#state === 'closed') this.#finishIfDrained();
  }

  // ---- inbound ----

  /** A POST is being handled; pair with `endPost()`. */
  beginPost(): void {
    this.#postsInFlight++;
  }

  /** A POST has been answered: a close that waited for it may now end the GET. */
  endPost(): void {
    this.#postsInFlight--;
    if (this.#postsInFlight === 0 && this.#endSinkAfterPosts) {
      this.#endSinkAfterPosts = false;
      this.#finishIfDrained();
    }
  }

  /** Decodes a payload from the client and dispatches each message in order. */
  receivePayload(payload: string): void {
    if (this.#state === 'closed') return;
    if (!this.#sink) this.#lastActive = Date.now();
    if (this.#state === 'opening') {
      (this.#earlyPayloads ??= []).push(payload);
      return;
    }
    if (this.#receiver) return this.#receiver.receive(payload);
    const single = singleFrameMessage(payload);
    if (single !== null) {
      this.#receiveMessage(single);
      return;
    }
    const { messages, error } = decodePayload(payload);
    for (const text of messages) {
      if (this.#state !== 'open') return;
      this.#receiveMessage(text);
    }
    if (error) this.host.logger.warn(`[session ${this.id}] malformed payload dropped (${error})`);
  }

  #receiveMessage(text: string): void {
    switch (messageKind(text)) {
      case MessageKind.Heartbeat:
        // A heartbeat may share a payload with real messages: keep going (the 0.6 reference server stopped here).
        return this.answerHeartbeat(text.substring(HEARTBEAT_PREFIX.length));
      case MessageKind.Json: {
        let value: IncomingMessage;
        try {
          value = JSON.parse(text.substring(JSON_PREFIX.length)) as IncomingMessage;
        } catch (error) {
          this.host.logger.warn(`[session ${this.id}] message dropped: invalid JSON: ${(error as Error).message}`);
          return;
        }
        return this.dispatch(value);
      }
      default:
        return this.dispatch(text);
    }
  }

  /** The client echoed a heartbeat: the last one sent, or a stale one (which proves nothing). */
  answerHeartbeat(beat: string): void {
    if (beat === String(this.#beatsSent)) this.#lastBeatAnswered = true;
  }

  /** Hands one client message to the connection of `/`. */
  dispatch(message: IncomingMessage): void {
    this.host.hub.counters.messagesIn++;
    try {
      const result = this.connection.onMessage(message);
      if (result instanceof Promise) result.catch((error: unknown) => this.#userCallbackFailed('onMessage', error));
    } catch (error) {
      this.#userCallbackFailed('onMessage', error);
    }
  }

  #userCallbackFailed(callback: string, error: unknown): void {
    this.host.logger.error(`[session ${this.id}] ${callback} threw; closing this session: ${describeError(error)}`);
    this.close();
  }

  // ---- heartbeats ----

  /** Called by the heartbeat clock: the next `~h~n`, unless the last one went unanswered. */
  heartbeat(): void {
    if (!this.#lastBeatAnswered) {
      this.abort(`heartbeat ${this.#beatsSent} not answered`);
      return;
    }
    this.#lastBeatAnswered = false;
    this.#beatsSent++;
    // Counted like any frame, but not as a message: `stats.messagesOut` counts the user's.
    this.#queue.push(this.#framing.heartbeatFrame(this.#beatsSent));
    if (this.#overQueueLimit()) return;
    this.#scheduleFlush();
  }

  // ---- closing ----

  /**
   * Ends the session from the server side. Frames already queued still go
   * out (a long-poll client collects them with its next GET); then the
   * transport tells the client the connection is over.
   */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'opening') {
      // Refused before it opened: the client never saw a session, nothing to deliver.
      this.#state = 'closed';
      this.#queue.clear();
      this.space.left(this);
    } else {
      this.#shutDown('closed by server');
      // A framing that can say so tells the client; `~m~` has no frame for it: the transport ends.
      if (this.#framing.disconnectFrame !== null) this.#queue.push(this.#framing.disconnectFrame);
      this.flush();
    }
    this.#finishIfDrained();
  }

  /** The client is gone (socket closed, heartbeat missed, session expired): drop what is queued and close. */
  abort(reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'opening') return this.close();
    this.#shutDown(reason);
    this.#queue.clear();
    this.#finishIfDrained();
  }

  /** No request came for too long: the client is gone. A closed session still holding frames gives them up. */
  expire(): void {
    if (this.#state !== 'closed') return this.abort('session expired');
    this.#queue.clear();
    this.#finishIfDrained();
  }

  #shutDown(reason: string): void {
    this.host.logger.debug(`[session ${this.id}] closing: ${reason}`);
    this.#state = 'closed';
    this.options.heartbeats?.delete(this);
    this.host.hub.memberClosed(this);
    this.#receiver?.sessionClosed();
    try {
      const result = this.connection.onClose();
      if (result instanceof Promise) result.catch((error: unknown) => this.#logCloseError(error));
    } catch (error) {
      this.#logCloseError(error);
    }
  }

  #logCloseError(error: unknown): void {
    this.host.logger.error(`[session ${this.id}] onClose threw: ${describeError(error)}`);
  }

  #endSink(): void {
    const sink = this.#sink;
    this.#sink = null;
    sink?.end();
  }

  /**
   * Once a closed session has nothing left to deliver, end its sink and let
   * the router forget it. If a POST is still being answered, wait for it: the
   * 0.6 client must see its POST succeed before its GET fails, or its
   * "posting" flag stays stuck after it reconnects.
   */
  #finishIfDrained(): void {
    if (this.#state !== 'closed' || this.#queue.length > 0) return;
    if (this.#postsInFlight > 0) {
      this.#endSinkAfterPosts = true;
      return;
    }
    this.#endSink();
    this.host.hub.release(this);
  }
}
