import type { ConnectionClass, RequestInfo } from '../../connection';
import { parseQuery } from '../../http/request-info';
import type { RegisteredSession } from '../../hub/session-registry';
import type { SessionHub } from '../../hub/session-hub';
import type { Logger } from '../../logger';
import type { DeadlineClock, Expirable } from '../../session/deadline-clock';
import type { Flushable } from '../../session/flush-scheduler';
import { FrameQueue } from '../../session/frame-queue';
import type { HeartbeatClock, HeartbeatTarget } from '../../session/heartbeat-clock';
import type { ResolvedRouterSettings } from '../../settings';
import { decodePacket, decodePayload, encodeDisconnect, encodeError, HEARTBEAT_PACKET, PacketType, type WirePacket } from './codec';
import { V09Endpoint, type EndpointCarrier, type EndpointEncoder } from './endpoint';
import type { Outlet } from './outlets';

/** What a session needs from the 0.9 server of its router. */
export interface V09Host {
  readonly logger: Logger;
  readonly hub: SessionHub;
  readonly settings: ResolvedRouterSettings;
  /** One timer beats every session each heartbeatInterval. */
  readonly heartbeats: HeartbeatClock;
  /** A session with no request or socket attached is closed after closeTimeout. */
  readonly closeDeadlines: DeadlineClock;
  /** Runs `session.flush()` once this tick's work is done (one microtask for every session). */
  scheduleFlush(session: V09Session): void;
  connectionClassFor(namespace: string): ConnectionClass | undefined;
  encoderFor(namespace: string): EndpointEncoder;
}

/** Most packets one POST body or websocket message may carry: a client batches one tick's packets, never thousands. */
const MAX_PACKETS_PER_BODY = 1024;

type SessionState = 'handshaken' | 'open' | 'closed';

/** The transports whose client watches polls, not heartbeats. */
const POLLING: ReadonlySet<string> = new Set(['xhr-polling', 'jsonp-polling']);

/**
 * One 0.9 transport session: made by the handshake, opened by the first
 * transport that attaches (which may be replaced by another under the same
 * id, as the client does when a transport fails to connect), carrying the
 * endpoints the client connects. Packets queue while nothing is attached and
 * go out to whichever outlet attaches next.
 */
export class V09Session implements RegisteredSession, HeartbeatTarget, Flushable, EndpointCarrier {
  /** From the hub, like every protocol's ids: in a cluster it names this node, so other nodes forward to it. */
  readonly id: string;
  transport = 'handshake';
  #state: SessionState = 'handshaken';
  readonly #queue = new FrameQueue();
  #outlet: Outlet | null = null;
  #flushScheduled = false;
  readonly #endpoints = new Map<string, V09Endpoint>();
  #beatAnswered = true;
  #lastActive = Date.now();
  /** Gone from the hub: nothing can collect a packet any more. */
  #released = false;
  readonly #closeWatch: Expirable = { expire: () => this.#closeTimedOut() };

  constructor(
    private readonly host: V09Host,
    private readonly request: RequestInfo,
  ) {
    this.id = host.hub.newSessionId();
    // Until a transport attaches, the handshake's closeTimeout runs.
    host.closeDeadlines.add(this.#closeWatch);
  }

  get logger(): Logger {
    return this.host.logger;
  }

  get hasSink(): boolean {
    return this.#outlet !== null;
  }

  get lastActive(): number {
    return this.#outlet ? Date.now() : this.#lastActive;
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  // ---- outlets ----

  /** A transport request or socket takes over delivery; the first one opens the default endpoint. */
  attach(outlet: Outlet, transport: string): void {
    const previous = this.#outlet;
    this.#outlet = outlet;
    this.host.closeDeadlines.delete(this.#closeWatch);
    // A newer request is the one the client waits on: the older is let go, not left hanging.
    if (previous && previous !== outlet) previous.release();
    if (this.#state === 'closed') {
      // Kept only so this request can collect the last packets (the disconnect among them).
      this.flush();
      return;
    }
    this.transport = transport;
    if (this.#state === 'handshaken') this.#open();
    if (this.#queue.length > 0) this.#scheduleFlush();
  }

  /** The outlet's connection went away: packets wait for the next one, for closeTimeout at most. */
  detach(outlet: Outlet): void {
    if (this.#outlet !== outlet) return;
    this.#outlet = null;
    this.#lastActive = Date.now();
    if (this.#state === 'closed') this.#finish();
    else this.host.closeDeadlines.add(this.#closeWatch);
  }

  /** A socket outlet closed: if it was the one attached, the client is gone (a 0.9 client handshakes anew). */
  lost(outlet: Outlet, reason: string): void {
    if (this.#outlet === outlet) this.abort(reason);
  }

  #open(): void {
    this.#state = 'open';
    this.host.heartbeats.add(this);
    this.#connect('/', '');
  }

  // ---- outbound ----

  write(packet: string): void {
    if (this.#released) return;
    this.#queue.push(packet);
    const { maxQueuedMessages, maxQueuedBytes } = this.host.settings;
    if (this.#queue.length > maxQueuedMessages || this.#queue.bytes > maxQueuedBytes) {
      this.fail(`send queue over its limit (${this.#queue.length} packets, ${this.#queue.bytes} bytes)`);
      return;
    }
    this.#scheduleFlush();
  }

  countOut(): void {
    this.host.hub.counters.messagesOut++;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.host.scheduleFlush(this);
  }

  /** Hands everything queued to the attached outlet, if any. */
  flush(): void {
    this.#flushScheduled = false;
    const outlet = this.#outlet;
    if (!outlet || this.#queue.length === 0) return;
    const packets = this.#queue.drain();
    if (!outlet.write(packets)) {
      this.#queue.requeue(packets);
      return this.detach(outlet);
    }
    if (!outlet.persistent) this.detach(outlet);
    else if (this.#state === 'closed') this.#finish();
  }

  // ---- inbound ----

  /**
   * A POST body or websocket message: one packet, or several framed. Throws
   * PacketDecodeError for a malformed one. `transport` names a POST's
   * transport: a POST that overtakes the session's first GET (behind a
   * balancer, the two may take different paths) opens it, as that GET
   * would, rather than its packets being lost.
   */
  receive(body: string, transport?: string): void {
    if (this.#state === 'closed') return;
    this.#lastActive = Date.now();
    const texts = decodePayload(body, MAX_PACKETS_PER_BODY);
    // Decode all first: a malformed packet refuses the whole body, none of it half-dispatched.
    const packets = texts.map(decodePacket);
    if (this.#state === 'handshaken' && transport !== undefined) {
      this.transport = transport;
      this.#open();
    }
    for (const packet of packets) {
      if (this.#state !== 'open') return;
      // `router.stats` counts what the user sees, not the protocol's own heartbeats.
      if (packet.type !== PacketType.HEARTBEAT) this.host.hub.counters.messagesIn++;
      this.#dispatch(packet);
    }
  }

  #dispatch(packet: WirePacket): void {
    const namespace = packet.endpoint === '' ? '/' : packet.endpoint;
    switch (packet.type) {
      case PacketType.HEARTBEAT:
        this.#beatAnswered = true;
        return;
      case PacketType.NOOP:
        return;
      case PacketType.ERROR:
        return this.logger.warn(`[0.9 ${this.id}] the client reported an error: ${packet.data.substring(0, 80)}`);
      case PacketType.DISCONNECT:
        if (namespace === '/') return this.abort('the client disconnected');
        return this.#endpoints.get(namespace)?.end('the client left the endpoint', false);
      case PacketType.CONNECT: {
        // An endpoint's own query: `1::/chat?x=1`, or in the data field as the 0.9 parser encodes `qs` (`1::/chat:?x=1`).
        const mark = packet.endpoint.indexOf('?');
        const path = mark === -1 ? namespace : packet.endpoint.substring(0, mark) || '/';
        const query = mark === -1 ? packet.data : packet.endpoint.substring(mark + 1);
        return this.#connect(path, query.startsWith('?') ? query.substring(1) : query);
      }
      default: {
        const endpoint = this.#endpoints.get(namespace);
        // A packet for an endpoint the client never connected (or left) is dropped, as Tornadio2 does.
        if (!endpoint) return this.logger.debug(`[0.9 ${this.id}] packet for ${namespace}, which is not connected, dropped`);
        endpoint.receive(packet);
      }
    }
  }

  #connect(namespace: string, query: string): void {
    const wire = namespace === '/' ? '' : namespace;
    if (this.#endpoints.has(namespace)) return this.logger.debug(`[0.9 ${this.id}] ${namespace} is connected already`);
    const ConnectionType = namespace.startsWith('/') ? this.host.connectionClassFor(namespace) : undefined;
    if (!ConnectionType) {
      // The client can show nothing but the three fixed reasons: `unauthorized` reaches it as `connect_failed`.
      this.logger.warn(`[0.9 ${this.id}] connect to unknown endpoint ${JSON.stringify(namespace.substring(0, 80))} refused`);
      return this.write(encodeError(wire.substring(0, 200), 'unauthorized'));
    }
    const endpoint = new V09Endpoint(this.id, namespace, this.host.hub.namespace(namespace), ConnectionType, this, this.host.encoderFor(namespace));
    this.#endpoints.set(namespace, endpoint);
    endpoint.open({
      sessionId: this.id,
      transport: this.transport,
      protocol: '0.9',
      namespace,
      auth: {},
      request: query === '' ? this.request : withQuery(this.request, query),
      extra: null,
    });
  }

  endpointGone(endpoint: V09Endpoint, wasOpen: boolean): void {
    if (this.#endpoints.get(endpoint.namespace) === endpoint) this.#endpoints.delete(endpoint.namespace);
    if (wasOpen) this.host.hub.memberClosed(endpoint);
    // The default endpoint refused: nothing is left to talk to, and `0::` tells the client not to reconnect.
    if (!wasOpen && endpoint.namespace === '/' && this.#state === 'open') this.close();
  }

  // ---- heartbeats ----

  /**
   * Called by the heartbeat clock: the next `2::`, unless the last one went
   * unanswered. Polling sessions get none: the 0.9 client ignores heartbeats
   * there (its close timeout watches polls), and its jsonp-polling answers a
   * beat by resubmitting its one form, aborting a POST still in flight, so
   * the packets of that POST were lost. The close timeout ends a dead poller.
   */
  heartbeat(): void {
    if (POLLING.has(this.transport)) return;
    if (!this.#beatAnswered) return this.abort('heartbeat not answered');
    this.#beatAnswered = false;
    this.write(HEARTBEAT_PACKET);
  }

  // ---- closing ----

  /** The server ends the session: every endpoint's `onClose` runs, then `0::` goes out and the transport ends. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#shutDown('closed by server');
    this.#queue.push(encodeDisconnect(''));
    if (this.#outlet) this.flush();
    else this.host.closeDeadlines.add(this.#closeWatch);
  }

  /** The client is gone or broke the protocol: nothing more is sent. */
  abort(reason: string): void {
    if (this.#state === 'closed') return;
    this.#shutDown(reason);
    this.#queue.clear();
    this.#finish();
  }

  /** The client broke the protocol: logged, and this session alone is closed. */
  fail(reason: string): void {
    this.logger.warn(`[0.9 ${this.id}] closing: ${reason}`);
    this.abort(`protocol error: ${reason}`);
  }

  expire(): void {
    this.abort('session expired');
  }

  #closeTimedOut(): void {
    if (this.#state === 'closed') return this.#finish();
    this.abort('close timeout: no transport attached');
  }

  #shutDown(reason: string): void {
    this.logger.debug(`[0.9 ${this.id}] closing: ${reason}`);
    this.#state = 'closed';
    this.host.heartbeats.delete(this);
    for (const endpoint of [...this.#endpoints.values()]) endpoint.end(reason, false);
    this.#endpoints.clear();
  }

  /** Nothing is left to deliver: end the outlet and let the hub forget the session. */
  #finish(): void {
    this.host.closeDeadlines.delete(this.#closeWatch);
    const outlet = this.#outlet;
    this.#outlet = null;
    this.#queue.clear();
    this.#released = true;
    outlet?.release();
    this.host.hub.release(this);
  }
}

/** The handshake's request, with an endpoint's own query arguments over the handshake's (Tornadio2 hands both to `on_open`). */
function withQuery(request: RequestInfo, query: string): RequestInfo {
  const { remoteAddress, headers, cookies, url, secure } = request;
  return { remoteAddress, headers, cookies, url, secure, query: { ...request.query, ...parseQuery(query) } };
}
