import {
  connectionInternals,
  type AckCallback,
  type ConnectionClass,
  type ConnectionInfo,
  type OpenResult,
  type SessionControl,
  type SocketConnection,
} from '../../connection';
import type { HubNamespace } from '../../hub/hub-namespace';
import type { Member } from '../../hub/member';
import type { BroadcastEncodings, OutgoingPacket, PacketEncoder } from '../../hub/packet';
import { describeError } from '../../logger';
import type { EngineDialect, RefusalPayload } from './dialect';
import { withTextFrames, type EnginePacket } from './engine-codec';
import { nextOffset, type RecoveryStore, type SentLog, type StampedPackets } from './recovery';
import { encodeMessageEvent, encodeSocketPacket, SocketPacketType, type SocketPacket } from './socket-codec';

/** What a namespace socket needs from the Engine.IO session that carries it. */
export interface SocketCarrier {
  readonly transport: string;
  readonly logger: { error(message: string): void; warn(message: string): void; debug(message: string): void };
  /** Queues engine packets for the client, in order. */
  send(packets: readonly EnginePacket[]): void;
  /** The same for a broadcast's packets (shared by every receiver): they may be written at once. */
  sendBroadcast(packets: readonly EnginePacket[]): void;
  /** Counts one message the user sent, for `router.stats`. */
  countOut(): void;
  /** The client broke the protocol: close the whole transport session with a logged reason. */
  fail(reason: string): void;
  /** This socket is gone (closed after opening, or refused): the carrier forgets it and tells the hub. */
  socketGone(socket: EioSocket, wasOpen: boolean): void;
}

/** A Socket.IO packet as engine packets: the text, then one binary message per attachment. */
export function enginePacketsOf(packet: SocketPacket): EnginePacket[] {
  // A string sent with send() and no ack, the commonest packet of all: straight to its text.
  if (packet.type === SocketPacketType.EVENT && packet.id === undefined && isStringMessage(packet.data)) {
    return [{ type: 'message', data: encodeMessageEvent(packet.nsp, packet.data[1]) }];
  }
  const { text, attachments } = encodeSocketPacket(packet);
  const packets: EnginePacket[] = [{ type: 'message', data: text }];
  for (const attachment of attachments) packets.push({ type: 'message', data: attachment });
  return packets;
}

function isStringMessage(data: unknown): data is ['message', string] {
  return Array.isArray(data) && data.length === 2 && data[0] === 'message' && typeof data[1] === 'string';
}

/**
 * Broadcast packets in one namespace's wire form, made once per broadcast
 * for every Engine.IO client of it: an EVENT reads the same in Socket.IO
 * protocol 4 (v3 clients) and 5, so both generations share the encoding;
 * each session only frames it for its transport.
 */
export class NamespaceEncoder implements PacketEncoder<EnginePacket[]> {
  constructor(private readonly namespace: string) {}

  encode(packet: OutgoingPacket): EnginePacket[] {
    const data = packet.type === 'message' ? ['message', packet.data] : [packet.name, ...packet.args];
    // Encoded once for every session of the broadcast: the websocket frame too.
    return withTextFrames(enginePacketsOf({ type: SocketPacketType.EVENT, nsp: this.namespace, data }));
  }
}

/**
 * With connection state recovery on: a namespace's broadcasts to v4 clients,
 * each with its offset as the last argument, encoded once per broadcast.
 */
export class StampingEncoder implements PacketEncoder<StampedPackets> {
  constructor(private readonly namespace: string) {}

  encode(packet: OutgoingPacket): StampedPackets {
    const offset = nextOffset();
    const data = packet.type === 'message' ? ['message', packet.data, offset] : [packet.name, ...packet.args, offset];
    return { offset, packets: withTextFrames(enginePacketsOf({ type: SocketPacketType.EVENT, nsp: this.namespace, data })) };
  }
}

/** A v4 connection's part in connection state recovery. */
export interface SocketRecovery {
  /** The private id the client sends back to recover (never shown to other clients, unlike the socket id). */
  readonly pid: string;
  readonly sent: SentLog;
  readonly stamper: StampingEncoder;
  readonly store: RecoveryStore;
}

/** The error a refused connection reports: `Not authorized` for a plain `false`, else the thrown message and its `data`. */
function refusalPayload(error: unknown): RefusalPayload {
  if (error instanceof Error) {
    const data = (error as Error & { data?: unknown }).data;
    return data === undefined ? { message: error.message } : { message: error.message, data };
  }
  return { message: 'Not authorized' };
}

type SocketState = 'opening' | 'open' | 'closed';

/** Largest ack id we hand out before wrapping: far more than any client keeps pending. */
const MAX_ACK_ID = 2 ** 31;

/**
 * One client's connection to one namespace over an Engine.IO session: a
 * `SocketConnection` instance, its acks, and its place in the hub. Packets
 * the connection sends while `onOpen` is pending wait for the CONNECT answer.
 */
export class EioSocket implements SessionControl, Member {
  readonly protocol: EngineDialect['protocol'];
  readonly connection: SocketConnection;
  #state: SocketState = 'opening';
  /** Packets emitted during `onOpen`: sent right after the CONNECT answer (made on the first; most `onOpen`s emit nothing). */
  #held: EnginePacket[][] | null = null;
  /** Client packets that came before `onOpen` settled: handled once it accepts (made on the first, as `#held`). */
  #early: SocketPacket[] | null = null;
  /** Acks we wait for, by id; made on the first emit that asks for one (most connections never do). */
  #acks: Map<number, AckCallback> | null = null;
  #nextAckId = 0;

  constructor(
    readonly id: string,
    readonly namespace: string,
    readonly space: HubNamespace,
    ConnectionType: ConnectionClass,
    private readonly carrier: SocketCarrier,
    private readonly encoder: NamespaceEncoder,
    private readonly dialect: EngineDialect,
    private readonly recovery: SocketRecovery | null = null,
  ) {
    this.protocol = dialect.protocol;
    this.connection = new ConnectionType(this);
  }

  get transport(): string {
    return this.carrier.transport;
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * Runs `onOpen`; answers CONNECT with the socket id, or CONNECT_ERROR on
   * refusal. A recovered connection's missed packets go right after the
   * answer, before whatever `onOpen` sends.
   */
  open(info: ConnectionInfo, missed: readonly StampedPackets[] = []): void {
    for (const stamped of missed) {
      (this.#held ??= []).push(stamped.packets);
      this.recovery?.sent.push(stamped);
    }
    let result: OpenResult;
    try {
      result = this.connection.onOpen(info);
    } catch (error) {
      this.#settle(false, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (value) => this.#settle(value !== false),
        (error: unknown) => this.#settle(false, error),
      );
      return;
    }
    this.#settle(result !== false);
  }

  #settle(accepted: boolean, error?: unknown): void {
    if (this.#state !== 'opening') return;
    if (!accepted) {
      if (error !== undefined) this.carrier.logger.warn(`[socket ${this.id}] onOpen refused ${this.namespace}: ${describeError(error)}`);
      this.#state = 'closed';
      this.#held = null;
      this.#early = null;
      this.carrier.send(enginePacketsOf(this.dialect.refusal(this.namespace, refusalPayload(error))));
      this.space.left(this);
      this.carrier.socketGone(this, false);
      return;
    }
    this.#state = 'open';
    this.carrier.send(enginePacketsOf(this.dialect.connectAnswer(this.namespace, this.id, this.recovery?.pid)));
    const held = this.#held;
    this.#held = null;
    if (held) for (const packets of held) this.carrier.send(packets);
    this.space.entered(this);
    const early = this.#early;
    this.#early = null;
    if (early) for (const packet of early) this.receive(packet);
  }

  // ---- outbound ----

  sendPacket(packet: OutgoingPacket, ack?: AckCallback): boolean {
    if (this.#state === 'closed') return false;
    const data = packet.type === 'message' ? ['message', packet.data] : [packet.name, ...packet.args];
    let id: number | undefined;
    // As in socket.io, only packets without an ack carry an offset and are replayed after a drop.
    let offset: string | undefined;
    if (ack) {
      id = this.#nextAckId;
      this.#nextAckId = (this.#nextAckId + 1) % MAX_ACK_ID;
      (this.#acks ??= new Map()).set(id, ack);
    } else if (this.recovery) {
      offset = nextOffset();
      data.push(offset);
    }
    const packets = enginePacketsOf({ type: SocketPacketType.EVENT, nsp: this.namespace, data, id });
    if (offset !== undefined) this.recovery?.sent.push({ offset, packets });
    this.#write(packets);
    this.carrier.countOut();
    return true;
  }

  #write(packets: EnginePacket[]): void {
    if (this.#state === 'opening') (this.#held ??= []).push(packets);
    else this.carrier.send(packets);
  }

  receiveBroadcast(encodings: BroadcastEncodings): void {
    if (this.#state !== 'open') return;
    if (this.recovery) {
      const stamped = encodings.encodedBy(this.recovery.stamper);
      this.recovery.sent.push(stamped);
      this.carrier.sendBroadcast(stamped.packets);
    } else {
      this.carrier.sendBroadcast(encodings.encodedBy(this.encoder));
    }
    this.carrier.countOut();
  }

  reportError(what: string, error: unknown): void {
    this.carrier.logger.error(`[socket ${this.id}] ${what} threw: ${describeError(error)}`);
  }

  // ---- inbound ----

  /** A packet for this namespace from the client (CONNECT was handled by the session). */
  receive(packet: SocketPacket): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'opening') {
      (this.#early ??= []).push(packet);
      return;
    }
    switch (packet.type) {
      case SocketPacketType.EVENT:
      case SocketPacketType.BINARY_EVENT:
        return this.#receiveEvent(packet.data as unknown[], packet.id);
      case SocketPacketType.ACK:
      case SocketPacketType.BINARY_ACK:
        return this.#receiveAck(packet.id, packet.data as unknown[]);
      case SocketPacketType.DISCONNECT:
        return this.#end('client namespace disconnect', false);
      default:
        this.carrier.fail(`unexpected packet type ${packet.type} for ${this.namespace}`);
    }
  }

  #receiveEvent(data: unknown[], id: number | undefined): void {
    // (slice, not `[event, ...args] =`: destructuring with a rest walks the array's iterator, per packet.)
    const event = data[0] as string;
    const args = data.slice(1);
    const ack = id === undefined ? undefined : this.#ackSender(id);
    try {
      if (event === 'message') {
        // `socket.send(x)` on the client: onMessage gets x; `on('message')` handlers get everything.
        const result = this.connection.onMessage(args[0] as never);
        if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onMessage', error));
        connectionInternals.runHandlers(this.connection, event, args, ack);
        return;
      }
      const result = this.connection.onEvent(event, args, ack);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onEvent', error));
    } catch (error) {
      this.reportError(event === 'message' ? 'onMessage' : 'onEvent', error);
    }
  }

  /** The ack function a handler calls: once only, later calls are ignored (as in socket.io). */
  #ackSender(id: number): AckCallback {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent || this.#state !== 'open') return;
      sent = true;
      this.carrier.send(enginePacketsOf({ type: SocketPacketType.ACK, nsp: this.namespace, data: args, id }));
    };
  }

  #receiveAck(id: number | undefined, args: unknown[]): void {
    const ack = id === undefined ? undefined : this.#acks?.get(id);
    if (!ack || id === undefined) {
      this.carrier.fail(`ack ${String(id)} was never asked for (or already answered)`);
      return;
    }
    this.#acks?.delete(id);
    try {
      ack(...args);
    } catch (error) {
      this.reportError('ack callback', error);
    }
  }

  // ---- closing ----

  /** The server ends this connection: the client sees `io server disconnect`. */
  close(): void {
    this.#end('server namespace disconnect', true);
  }

  /** The transport went away: no DISCONNECT can reach the client. `recoverable` unless the client broke the protocol. */
  abort(reason: string, recoverable: boolean): void {
    if (this.#state === 'opening') {
      this.#state = 'closed';
      this.space.left(this);
      return;
    }
    const { recovery } = this;
    if (!recovery || this.#state !== 'open' || !recoverable) return this.#end(reason, false);
    const rooms = [...(this.space.adapter.socketRooms(this.id) ?? [])];
    this.#end(reason, false);
    recovery.store.keep({ pid: recovery.pid, id: this.id, space: this.space, rooms, sent: recovery.sent, stamper: recovery.stamper });
  }

  #end(reason: string, tellClient: boolean): void {
    if (this.#state !== 'open') return;
    this.carrier.logger.debug(`[socket ${this.id}] closing: ${reason}`);
    this.#state = 'closed';
    if (tellClient) this.carrier.send(enginePacketsOf({ type: SocketPacketType.DISCONNECT, nsp: this.namespace }));
    this.#acks = null;
    this.carrier.socketGone(this, true);
    try {
      const result = this.connection.onClose();
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onClose', error));
    } catch (error) {
      this.reportError('onClose', error);
    }
  }
}
