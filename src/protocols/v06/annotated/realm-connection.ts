import type { ConnectionClass, ConnectionInfo, IncomingMessage, OpenResult, SessionControl, SocketConnection } from '../../../connection';
import type { HubNamespace } from '../../../hub/hub-namespace';
import type { Member } from '../../../hub/member';
import type { BroadcastEncodings, OutgoingPacket, PacketEncoder } from '../../../hub/packet';
import type { SessionHub } from '../../../hub/session-hub';
import { describeError, type Logger } from '../../../logger';
import type { Payload } from '../payload';
import type { Session } from '../session';
import { encodePacket } from './codec';

/** What a realm's connection needs from the receiver that opened it. */
export interface RealmHost {
  readonly hub: SessionHub;
  readonly logger: Logger;
  /** The client broke the protocol (or flooded a pending `onOpen`): close its whole session, logged. */
  fail(reason: string): void;
}

type RealmState = 'opening' | 'open' | 'closed';

/** Messages a client may send into a realm while its `onOpen` is pending; more is a flood. */
const MAX_EARLY_MESSAGES = 1000;

/**
 * One realm of an annotated session: a connection of its own (its class,
 * `onOpen`/`onClose`, rooms, `info.namespace`) carried by the session's
 * transport. It opens with the client's first message in the realm (the
 * fork has no "join realm" frame) and, once closed, stays closed for the
 * session's life: the fork cannot tell a client that one realm ended.
 */
export class RealmConnection implements SessionControl, Member {
  readonly protocol = '0.6';
  readonly connection: SocketConnection;
  readonly space: HubNamespace;
  #state: RealmState = 'opening';
  /** Frames sent during `onOpen`: queued once it accepts, dropped if it refuses. */
  #held: string[][] | null = [];
  /** Client messages that came before `onOpen` settled. */
  #early: IncomingMessage[] | null = [];

  constructor(
    private readonly session: Session,
    readonly namespace: string,
    private readonly realm: string,
    ConnectionType: ConnectionClass,
    private readonly host: RealmHost,
    private readonly encoder: PacketEncoder<Payload>,
  ) {
    this.space = host.hub.namespace(namespace);
    this.connection = new ConnectionType(this);
  }

  /** The transport session's id: the only id the client knows, and unique within the namespace. */
  get id(): string {
    return this.session.id;
  }

  get transport(): string {
    return this.session.transport;
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  open(info: ConnectionInfo): void {
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
    if (error !== undefined) this.host.logger.error(`[session ${this.id}] onOpen of ${this.namespace} threw; refusing the realm: ${describeError(error)}`);
    if (!accepted) {
      this.host.logger.debug(`[session ${this.id}] realm ${this.realm} refused by onOpen`);
      this.#state = 'closed';
      this.#held = null;
      this.#early = null;
      this.space.left(this);
      return;
    }
    this.#state = 'open';
    for (const frames of this.#held ?? []) this.session.sendFrames(frames);
    this.#held = null;
    this.space.entered(this);
    const early = this.#early ?? [];
    this.#early = null;
    for (const message of early) this.receive(message);
  }

  // ---- outbound ----

  /** The fork has no acknowledgements: false says an ack callback is never called. */
  sendPacket(packet: OutgoingPacket): false {
    if (this.#state === 'closed') {
      this.host.logger.debug(`[session ${this.id}] send to ${this.namespace} after close ignored`);
      return false;
    }
    const frames = encodePacket(packet, this.realm);
    if (this.#state === 'opening') this.#held?.push(frames);
    else this.session.sendFrames(frames);
    return false;
  }

  receiveBroadcast(encodings: BroadcastEncodings): void {
    if (this.#state === 'open') this.session.sendBroadcast(encodings.encodedBy(this.encoder));
  }

  reportError(what: string, error: unknown): void {
    this.host.logger.error(`[session ${this.id}] ${this.namespace}: ${what} threw: ${describeError(error)}`);
  }

  // ---- inbound ----

  receive(message: IncomingMessage): void {
    if (this.#state === 'closed') {
      this.host.logger.debug(`[session ${this.id}] message for closed realm ${this.realm} dropped`);
      return;
    }
    if (this.#state === 'opening') {
      if ((this.#early?.length ?? 0) >= MAX_EARLY_MESSAGES) return this.host.fail(`over ${MAX_EARLY_MESSAGES} messages for realm ${this.realm} while its onOpen is pending`);
      this.#early?.push(message);
      return;
    }
    this.host.hub.counters.messagesIn++;
    try {
      const result = this.connection.onMessage(message);
      if (result instanceof Promise) result.catch((error: unknown) => this.#userCallbackFailed(error));
    } catch (error) {
      this.#userCallbackFailed(error);
    }
  }

  /** As on `/`, a throwing `onMessage` closes its connection: here the realm's, not the session. */
  #userCallbackFailed(error: unknown): void {
    this.host.logger.error(`[session ${this.id}] onMessage of ${this.namespace} threw; closing the realm: ${describeError(error)}`);
    this.close();
  }

  // ---- closing ----

  /** Ends this realm's connection; the session and its other realms go on (the client cannot be told). */
  close(): void {
    this.#end('closed by server');
  }

  /** The session is over: every realm it carried ends with it. */
  abort(reason: string): void {
    this.#end(reason);
  }

  #end(reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'opening') {
      // Never opened: no onClose, as for a refusal.
      this.#state = 'closed';
      this.#held = null;
      this.#early = null;
      this.space.left(this);
      return;
    }
    this.host.logger.debug(`[session ${this.id}] realm ${this.realm} closing: ${reason}`);
    this.#state = 'closed';
    this.host.hub.memberClosed(this);
    try {
      const result = this.connection.onClose();
      if (result instanceof Promise) result.catch((error: unknown) => this.reportError('onClose', error));
    } catch (error) {
      this.reportError('onClose', error);
    }
  }
}
