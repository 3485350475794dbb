import type { SocketConnection } from '../connection';
import type { BroadcastEncodings } from './packet';

/** The client generations tornadio speaks, as `info.protocol` names them. */
export const PROTOCOL_NAMES = ['0.6', '0.9', 'eio3', 'eio4'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/**
 * A live connection as the hub sees it, whatever protocol carries it: one
 * namespace, one id (a room of its own), and a way to hand it a broadcast.
 */
export interface Member {
  /** The connection id: its own room, and what rooms list. */
  readonly id: string;
  readonly namespace: string;
  readonly protocol: ProtocolName;
  readonly transport: string;
  readonly connection: SocketConnection;
  /** Delivers a broadcast, taking the wire form of its own protocol from the shared encodings. */
  receiveBroadcast(encodings: BroadcastEncodings): void;
  /** Ends the connection from the server side. */
  close(): void;
}
