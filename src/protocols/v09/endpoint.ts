import {
  connectionInternals,
  type AckCallback,
  type ConnectionClass,
  type ConnectionInfo,
  type IncomingMessage,
  type SessionControl,
  type SocketConnection,
} from '../../connection';
import type { HubNamespace } from '../../hub/hub-namespace';
import type { Member } from '../../hub/member';
import type { BroadcastEncodings, OutgoingPacket, PacketEncoder } from '../../hub/packet';
import { describeError, type Logger } from '../../logger';
import { encodeAck, encodeConnect, encodeDisconnect, encodeError, encodeEvent, encodeSend, PacketType, readAck, readEvent, type WirePacket } from './codec';

/** What an endpoint needs from the transport session that carries it. */
export interface EndpointCarrier {
  readonly transport: string;
  readonly logger: Logger;
  /** Queues one encoded packet for the client, in order. */
  write(packet: string): void;
  /** Counts one message the user sent, for `router.stats`. */
  countOut(): void;
  /** The endpoint is gone (closed after opening, or refused): the carrier forgets it and tells the hub. */
  endpointGone(endpoint: V09Endpoint, wasOpen: boolean): void;
  /** Ends the whole transport session, every endpoint with it (what closing the default endpoint means). */
  close(): void;
}

/** Broadcasts in one endpoint's wire form: made once per broadcast for every 0.9 client of that namespace. */
export class EndpointEncoder implements PacketEncoder<string> {
  constructor(private readonly endpoint: string) {}

  encode(packet: OutgoingPacket): string {
    return packet.type === 'message' ? encodeSend(this.endpoint, packet.data) : encodeEvent(this.endpoint, packet.name, packet.args);
  }
}

/** The endpoint a namespace travels as: `/` is the default endpoint, written ''. */
export const endpointOf = (namespace: string): string => (namespace === '/' ? '' : namespace);

/** Ack ids wrap here: far more than a client keeps pending. */
const MAX_ACK_ID = 2 ** 31;

type EndpointState = 'opening' | 'open' | 'closed';

/**
 * One 0.9 client's connection to one endpoint (namespace) over its
 * transport session: a `SocketConnection`, its acks both ways, its place in
 * the hub. What the connection sends during `onOpen` waits for the connect
 * packet; what the client sends meanwhile waits for `onOpen` to accept.
 */
export class V09Endpoint implements SessionControl, Member {
  readonly protocol = '0.9';
  readonly connection: SocketConnection;
  readonly #endpoint: string;
  #state: EndpointState = 'opening';
  #held: string[] | null = [];
  #early: WirePacket[] | null = [];
  #acks: Map<number, AckCallback> | null = null;
  #nextAckId = 1;

  constructor(
    readonly id: string,
    readonly namespace: string,
    readonly space: HubNamespace,
    ConnectionType: ConnectionClass,
    private readonly carrier: EndpointCarrier,
    private readonly encoder: EndpointEncoder,
  ) {
    this.#endpoint = endpointOf(namespace);
    this.connection = new ConnectionType(this);
  }

  get transport(): string {
    return this.carrier.transport;
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Runs `onOpen`: acceptance sends the connect packet, refusal an `unauthorized` error for the endpoint. */
  open(info: ConnectionInfo): void {
    const accept = (value: unknown): void => this.#settle(value !== false, undefined);
    const refuse = (error: unknown): void => this.#settle(false, error);
    try {
      const result = this.connection.onOpen(info);
      if (result instanceof Promise) result.then(accept, refuse);
      else accept(result);
    } catch (error) {
      refuse(error);
    }
  }

  #settle(accepted: boolean, error: unknown): void {
    if (this.#state !== 'opening') return;
    const held = this.#held ?? [];
    const early = this.#early ?? [];
    this.#held = null;
    this.#early = null;
    if (!accepted) {
      if (error !== undefined) this.carrier.logger.warn(`[0.9 ${this.id}] onOpen refused ${this.namespace}: ${describeError(error)}`);
      this.#state = 'closed';
      // The 0.9 client shows only the reason's index: `unauthorized` becomes its `connect_failed`.
      this.carrier.write(encodeError(this.#endpoint, 'unauthorized'));
      this.space.left(this);
      this.carrier.endpointGone(this, false);
      return;
    }
    this.#state = 'open';
    this.carrier.write(encodeConnect(this.#endpoint));
    for (const packet of held) this.carrier.write(packet);
    this.space.entered(this);
    for (const packet of early) this.receive(packet);
  }

  // ---- outbound ----

  sendPacket(packet: OutgoingPacket, ack?: AckCallback): boolean {
    if (this.#state === 'closed') return false;
    let text: string;
    if (packet.type === 'message') text = encodeSend(this.#endpoint, packet.data);
    else if (!ack) text = encodeEvent(this.#endpoint, packet.name, packet.args);
    else {
      const id = this.#nextAckId;
      this.#nextAckId = id === MAX_ACK_ID ? 1 : id + 1;
      text = encodeEvent(this.#endpoint, packet.name, packet.args, id);
      (this.#acks ??= new Map()).set(id, ack);
    }
    if (this.#held) this.#held.push(text);
    else this.carrier.write(text);
    this.carrier.countOut();
    return true;
  }

  receiveBroadcast(encodings: BroadcastEncodings): void {
    if (this.#state !== 'open') return;
    this.carrier.write(encodings.encodedBy(this.encoder));
    this.carrier.countOut();
  }

  reportError(what: string, error: unknown): void {
    this.carrier.logger.error(`[0.9 ${this.id}] ${what} threw: ${describeError(error)}`);
  }

  // ---- inbound ----

  /** A message, json, event or ack packet for this endpoint. */
  receive(packet: WirePacket): void {
    if (this.#early) return void this.#early.push(packet);
    if (this.#state !== 'open') return;
    switch (packet.type) {
      case PacketType.MESSAGE:
        return this.#receiveMessage(packet.data, packet);
      case PacketType.JSON: {
        let value: IncomingMessage;
        try {
          value = JSON.parse(packet.data) as IncomingMessage;
        } catch {
          return this.carrier.logger.warn(`[0.9 ${this.id}] json packet with invalid JSON dropped`);
        }
        return this.#receiveMessage(value, packet);
      }
      case PacketType.EVENT:
        return this.#receiveEvent(packet);
      case PacketType.ACK:
        return this.#receiveAck(packet.data);
      default:
        this.carrier.logger.debug(`[0.9 ${this.id}] packet type ${packet.type} for ${this.namespace} ignored`);
    }
  }

  /** `send(x)` on the client; with an id it wants a bare ack back at once (a data ack goes to the `on('message')` handlers). */
  #receiveMessage(message: IncomingMessage, packet: WirePacket): void {
    const ack = packet.id === '' ? undefined : packet.ackWithData ? this.#ackSender(packet.id) : undefined;
    if (packet.id !== '' && !packet.ackWithData) this.carrier.write(encodeAck(this.#endpoint, packet.id));
    try {
      const result = this.connection.onMessage(message);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onMessage', error));
      connectionInternals.runHandlers(this.connection, 'message', [message], ack);
    } catch (error) {
      this.reportError('onMessage', error);
    }
  }

  #receiveEvent(packet: WirePacket): void {
    const event = readEvent(packet.data);
    if (!event) return this.carrier.logger.warn(`[0.9 ${this.id}] event packet that is not {"name","args"} dropped`);
    const ack = packet.id === '' ? undefined : this.#ackSender(packet.id);
    try {
      const result = this.connection.onEvent(event.name, event.args, ack);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onEvent', error));
    } catch (error) {
      this.reportError('onEvent', error);
    }
  }

  /** The ack function a handler calls: the first call answers, later ones are ignored. */
  #ackSender(id: string): AckCallback {
    let answered = false;
    return (...args: unknown[]) => {
      if (answered || this.#state !== 'open') return;
      answered = true;
      this.carrier.write(encodeAck(this.#endpoint, id, args));
    };
  }

  #receiveAck(data: string): void {
    const ack = readAck(data);
    const callback = ack && this.#acks?.get(ack.id);
    if (!ack || !callback) return this.carrier.logger.warn(`[0.9 ${this.id}] ack ${JSON.stringify(data.substring(0, 20))} answers nothing pending; dropped`);
    this.#acks?.delete(ack.id);
    try {
      callback(...ack.args);
    } catch (error) {
      this.reportError('ack callback', error);
    }
  }

  // ---- closing ----

  /** The server ends this connection: the client gets a disconnect packet for it (`0::` ends the whole session). */
  close(): void {
    if (this.#endpoint === '') this.carrier.close();
    else this.end('closed by server', true);
  }

  /** Ends the endpoint once: `tellClient` sends its disconnect packet (not when the client left or the transport is gone). */
  end(reason: string, tellClient: boolean): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#held = null;
    this.#early = null;
    this.#acks = null;
    this.carrier.logger.debug(`[0.9 ${this.id}] ${this.namespace} closing: ${reason}`);
    if (tellClient && wasOpen) this.carrier.write(encodeDisconnect(this.#endpoint));
    if (!wasOpen) this.space.left(this);
    this.carrier.endpointGone(this, wasOpen);
    if (!wasOpen) return;
    try {
      const result = this.connection.onClose();
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onClose', error));
    } catch (error) {
      this.reportError('onClose', error);
    }
  }
}
