import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RelayedRequest } from '../cluster/relay';
import type { HttpAnswer } from '../http/answer';
import type { LaneClaim, LaneHead } from '../http/lane/lane';
import type { ConnectionClass } from '../connection';
import type { ProtocolName } from '../hub/member';
import type { SessionHub } from '../hub/session-hub';
import type { ResolvedRouterSettings } from '../settings';
import { EIO_PROTOCOL } from './eio';
import type { RecoveryPeers } from './eio/recovery';
import { V06_PROTOCOL } from './v06';
import { V09_PROTOCOL } from './v09';

/** What a router lends each protocol it serves. */
export interface ProtocolEnvironment {
  readonly settings: ResolvedRouterSettings;
  readonly connectionClass: ConnectionClass;
  readonly hub: SessionHub;
  /** The other nodes of a cluster, for connection state recovery across nodes; null alone. */
  readonly recoveryPeers: RecoveryPeers | null;
}

/** A request a protocol has recognised as its own, ready to be served. */
export interface ClaimedRequest {
  /** Serves it as a plain HTTP request; never throws (refusals are answered). */
  serve(res: ServerResponse): void;
  /** Serves it as an upgrade; throws a RequestError to refuse it. */
  upgrade(socket: Duplex, head: Buffer): void;
}

/** A protocol at work inside one router. */
export interface ProtocolServer {
  /**
   * This protocol's reading of a request (its URL split once by the router;
   * `search` without its `?`), or null when the request is not in its shape.
   */
  claim(req: IncomingMessage, pathname: string, search: string): ClaimedRequest | null;
  /**
   * A request read by tornadio's HTTP lane (see http/lane) that this
   * protocol serves there, or null: node:http then reads it and `claim` sees it.
   */
  claimLane?(head: LaneHead, pathname: string, search: string): LaneClaim | null;
  /**
   * The session id a request in this protocol's shape names (a poll, a POST,
   * an upgrade of an existing session), or null when it names none (a
   * handshake, a new websocket, another protocol's request). Cheap and
   * side-effect free: in a cluster the router asks it before claiming, to
   * forward a request to the node that owns its session.
   */
  sessionIdOf?(req: IncomingMessage, pathname: string, search: string): string | null;
  /**
   * In a cluster: when a request naming another node's session can go to
   * that node over the relay (a poll or a post: see cluster/relay.ts), the
   * largest body it may carry; null when it is forwarded as HTTP instead.
   */
  relayBodyLimit?(req: IncomingMessage, pathname: string, search: string): number | null;
  /** Serves a request another node relayed here (one `relayBodyLimit` let through there). */
  serveRelayed?(request: RelayedRequest, answer: HttpAnswer): void;
  /** Ends what the protocol holds beyond its sessions (those end through the hub). */
  close?(): void;
}

/** How a protocol is reached: over plain HTTP requests, or an HTTP upgrade. */
export type TransportKind = 'http' | 'upgrade';

/** A transport as a protocol describes it, and how it is created for a protocol server. */
export interface TransportDefinition<Context, Transport> {
  readonly name: string;
  readonly kind: TransportKind;
  create(context: Context): Transport;
}

/** A wire protocol, as it describes itself to the registry. */
export interface ProtocolDefinition {
  readonly name: ProtocolName;
  /** Every transport the protocol knows (a router enables a subset). */
  readonly transports: readonly { readonly name: string; readonly kind: TransportKind }[];
  create(environment: ProtocolEnvironment): ProtocolServer;
}

/**
 * Every protocol tornadio speaks, in the order a request is offered to them:
 * the first to claim it serves it. Adding a protocol is a folder and a line.
 * No two claim the same request, so the order only decides who looks first:
 * Engine.IO, the protocol of today's clients.
 */
export const PROTOCOLS: readonly ProtocolDefinition[] = [EIO_PROTOCOL, V06_PROTOCOL, V09_PROTOCOL];
