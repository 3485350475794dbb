import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger';
import type { OriginPolicy } from '../http/origin';
import type { PollDeadlines } from './poll-deadlines';
import type { SocketIoPath } from '../protocol/url';
import type { Session } from '../session/session';
import type { SessionSink } from '../session/sink';
import type { ResolvedRouterSettings, TransportName } from '../settings';

/** What the router lends every transport. */
export interface TransportContext {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly origins: OriginPolicy;
  /** The polling timeout of every pending long-poll. */
  readonly pollDeadlines: PollDeadlines;
  /**
   * Creates and registers a session, attaches its first sink and runs
   * `onOpen` (a refusal ends the sink). Throws TOO_MANY_SESSIONS when full.
   */
  openSession(
    transport: TransportName,
    req: IncomingMessage,
    path: SocketIoPath,
    search: string,
    createSink: (session: Session) => SessionSink,
  ): void;
  /** The live session with this id opened over this transport, if any. */
  findSession(id: string, transport: TransportName): Session | undefined;
  /** Counts bytes for `router.stats`. */
  countBytes(direction: 'in' | 'out', bytes: number): void;
}

/** One request about to be served by a transport. */
export interface TransportRequest {
  req: IncomingMessage;
  path: SocketIoPath;
  search: string;
}

/** A transport reached over plain HTTP requests (GET/POST). */
export interface HttpTransport {
  readonly name: TransportName;
  handleRequest(request: TransportRequest, res: ServerResponse): void;
}

/** A transport reached through an HTTP upgrade. */
export interface UpgradeTransport {
  readonly name: TransportName;
  handleUpgrade(request: TransportRequest, socket: Duplex, head: Buffer): void;
  /** Frees what the transport holds once the router closes. */
  close(): void;
}
