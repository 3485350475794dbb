import type { ConnectionClass, ConnectionInfo, IncomingMessage } from '../../../connection';
import type { OutgoingPacket, PacketEncoder } from '../../../hub/packet';
import type { SessionHub } from '../../../hub/session-hub';
import type { Logger } from '../../../logger';
import type { Framing, PayloadReceiver } from '../framing';
import { Payload } from '../payload';
import type { Session } from '../session';
import {
  decodePayload,
  DISCONNECT_FRAME,
  encodeHeartbeat,
  encodePacket,
  encodeSessionId,
  FrameType,
  interpretMessage,
  realmOf,
} from './codec';
import { RealmConnection, type RealmHost } from './realm-connection';

/** What the annotated framing needs from its router: the namespace classes realms reach. */
export interface RealmDirectory {
  readonly hub: SessionHub;
  readonly logger: Logger;
  /** The connection class of a namespace; undefined for one the router does not have. */
  connectionClassFor(namespace: string): ConnectionClass | undefined;
}

/**
 * The seed fork's framing on a 0.6 router (`framing: 'annotated'`): the
 * same transports and URLs, `(type):(length):(data),` frames, and realms as
 * namespaces. One per router: it keeps one broadcast encoder per namespace,
 * so a broadcast is encoded once for all its annotated sessions.
 */
export class AnnotatedFraming implements Framing {
  readonly name = 'annotated';
  readonly disconnectFrame = DISCONNECT_FRAME;
  /** Only `/` and the router's namespaces get here: bounded by the settings. */
  readonly #encoders = new Map<string, PacketEncoder<Payload>>();

  constructor(private readonly directory: RealmDirectory) {}

  sessionIdFrame(id: string): string {
    return encodeSessionId(id);
  }

  heartbeatFrame(beat: number): string {
    return encodeHeartbeat(beat);
  }

  encodePacket(packet: OutgoingPacket, namespace: string): string[] {
    return encodePacket(packet, realmOf(namespace));
  }

  encoderFor(namespace: string): PacketEncoder<Payload> {
    let encoder = this.#encoders.get(namespace);
    if (!encoder) {
      const realm = realmOf(namespace);
      encoder = { encode: (packet) => new Payload(encodePacket(packet, realm)) };
      this.#encoders.set(namespace, encoder);
    }
    return encoder;
  }

  isWellFormed(payload: string): boolean {
    return decodePayload(payload).error === undefined;
  }

  createReceiver(session: Session, info: ConnectionInfo): PayloadReceiver {
    return new RealmReceiver(session, info, this.directory, this);
  }
}

/**
 * Reads one annotated session's payloads: heartbeats, the client's force
 * disconnect, and messages, each handed to the connection of its realm
 * (`/` is the session's own). A frame the fork would not write (a bad
 * length, no `,`, an unknown type) or a realm the router has no class for
 * closes the whole session, logged.
 */
class RealmReceiver implements PayloadReceiver, RealmHost {
  /** Realms this session has opened, closed ones included: at most one per namespace of the router. */
  readonly #realms = new Map<string, RealmConnection>();

  constructor(
    private readonly session: Session,
    private readonly info: ConnectionInfo,
    private readonly directory: RealmDirectory,
    private readonly framing: AnnotatedFraming,
  ) {}

  get hub(): SessionHub {
    return this.directory.hub;
  }

  get logger(): Logger {
    return this.directory.logger;
  }

  receive(payload: string): void {
    const { frames, error } = decodePayload(payload);
    for (const frame of frames) {
      if (this.session.isClosed) return;
      switch (frame.type) {
        case FrameType.Heartbeat:
          this.session.answerHeartbeat(frame.beat);
          break;
        case FrameType.Message:
          this.#receiveMessage(frame.data);
          break;
        case FrameType.Disconnect:
          this.session.abort('the client sent a force disconnect');
          return;
        default:
          return this.fail('the client sent a session id frame, which only the server sends');
      }
    }
    if (error !== undefined && !this.session.isClosed) this.fail(`malformed payload: ${error}`);
  }

  #receiveMessage(data: string): void {
    const message = interpretMessage(data);
    if (!message.ok) return this.fail(`malformed message: ${message.reason}`);
    let value: IncomingMessage = message.text;
    if (message.json) {
      try {
        value = JSON.parse(message.text) as IncomingMessage;
      } catch (error) {
        this.logger.warn(`[session ${this.session.id}] message dropped: invalid JSON: ${(error as Error).message}`);
        return;
      }
    }
    if (message.namespace === '/') return this.session.dispatch(value);
    this.#realmFor(message.namespace)?.receive(value);
  }

  #realmFor(namespace: string): RealmConnection | undefined {
    const known = this.#realms.get(namespace);
    if (known) return known;
    const ConnectionType = this.directory.connectionClassFor(namespace);
    if (!ConnectionType) {
      // The fork has no frame to refuse one realm: a client that names a realm we do not serve is closed.
      this.fail(`the client named realm ${shortened(realmOf(namespace) ?? '')}, but the router has no namespace ${shortened(namespace)}`);
      return undefined;
    }
    const realm = new RealmConnection(this.session, namespace, realmOf(namespace) ?? '', ConnectionType, this, this.framing.encoderFor(namespace));
    this.#realms.set(namespace, realm);
    realm.open({ ...this.info, namespace });
    return realm;
  }

  fail(reason: string): void {
    this.logger.warn(`[session ${this.session.id}] ${reason}; closing the client`);
    this.session.abort(reason);
  }

  sessionClosed(): void {
    for (const realm of this.#realms.values()) realm.abort('session closed');
  }
}

/** A client-chosen name as it goes into a log line: a realm may be as long as a message. */
const LOGGED_NAME_LENGTH = 100;
function shortened(name: string): string {
  return name.length <= LOGGED_NAME_LENGTH ? name : `${name.substring(0, LOGGED_NAME_LENGTH)}…`;
}
