import type { ConnectionInfo } from '../../connection';
import type { OutgoingPacket, PacketEncoder } from '../../hub/packet';
import { decodePayload, encodeFrame, encodeHeartbeat, encodePacket } from './codec';
import { Payload } from './payload';
import type { Session } from './session';

/** The wire formats a 0.6 router can speak (its `framing` setting). */
export type FramingName = '0.6' | 'annotated';

/**
 * Reads a session's client payloads, for a framing whose sessions carry more
 * than the one connection of `/` (the annotated framing's realms). It is told
 * when the session closes, to close what it opened.
 */
export interface PayloadReceiver {
  receive(payload: string): void;
  sessionClosed(): void;
}

/**
 * What a 0.6 session asks of its wire format: how the frames it writes look,
 * and who reads what the client sends. The transports, URLs, queue, sinks
 * and heartbeat clock are the same whatever the framing.
 */
export interface Framing {
  readonly name: FramingName;
  /** The first frame of every session: the client takes it as its session id. */
  sessionIdFrame(id: string): string;
  heartbeatFrame(beat: number): string;
  /** Written before a server-side close; null where ending the transport is how the client learns it (`~m~`). */
  readonly disconnectFrame: string | null;
  /** The frames of what a connection of this namespace sends. */
  encodePacket(packet: OutgoingPacket, namespace: string): string[];
  /** Broadcasts into a namespace, encoded once for every session of this framing (one object per namespace). */
  encoderFor(namespace: string): PacketEncoder<Payload>;
  /** Whether a payload decodes as it is (jsonp-polling repairs its form's CRLFs when it does not). */
  isWellFormed(payload: string): boolean;
  /** Who reads the client's payloads once `/` opened; null when the session reads `~m~` itself (the hot path). */
  createReceiver(session: Session, info: ConnectionInfo): PayloadReceiver | null;
}

/** Packets in 0.6's wire form; a broadcast is encoded by it once for every 0.6 session. */
export const V06_ENCODER: PacketEncoder<Payload> = { encode: (packet) => new Payload(encodePacket(packet)) };

/** Socket.IO 0.6's own `~m~<length>~m~<data>` framing: no namespaces, no disconnect frame. */
export const V06_FRAMING: Framing = {
  name: '0.6',
  sessionIdFrame: (id) => encodeFrame(id),
  heartbeatFrame: (beat) => encodeHeartbeat(beat),
  disconnectFrame: null,
  encodePacket: (packet) => encodePacket(packet),
  encoderFor: () => V06_ENCODER,
  isWellFormed: (payload) => decodePayload(payload).error === undefined,
  createReceiver: () => null,
};
