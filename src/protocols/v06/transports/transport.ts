import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OriginPolicy } from '../../../http/origin';
import type { RequestHead } from '../../../http/request-info';
import type { Logger } from '../../../logger';
import type { ResolvedRouterSettings } from '../../../settings';
import type { Framing } from '../framing';
import type { SocketIoPath } from '../paths';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import type { DeadlineClock } from '../../../session/deadline-clock';

/** What the 0.6 protocol server lends every transport. */
export interface TransportContext {
  readonly settings: ResolvedRouterSettings;
  readonly logger: Logger;
  readonly origins: OriginPolicy;
  /** The polling timeout of every pending long-poll. */
  readonly pollDeadlines: DeadlineClock;
  /** The router's wire format (`~m~` or the annotated framing): the transports carry its payloads unchanged. */
  readonly framing: Framing;
  /**
   * Creates and registers a session, attaches its first sink and runs
   * `onOpen` (a refusal ends the sink). Throws TOO_MANY_SESSIONS when full.
   */
  openSession(
    transport: TransportName,
    req: RequestHead,
    path: SocketIoPath,
    search: string,
    createSink: (session: Session) => SessionSink,
  ): void;
  /** The live session with this id opened over this transport, if any. */
  findSession(id: string, transport: TransportName): Session | undefined;
  /** Counts bytes for `router.stats`. */
  countBytes(direction: 'in' | 'out', bytes: number): void;
}

/** One upgrade request about to be served by a transport: read by node:http or by the HTTP lane. */
export interface UpgradeRequest {
  req: RequestHead;
  path: SocketIoPath;
  search: string;
}

/** One plain request about to be served by a transport. */
export interface TransportRequest extends UpgradeRequest {
  req: IncomingMessage;
}

/** A transport reached over plain HTTP requests (GET/POST). */
export interface HttpTransport {
  readonly name: TransportName;
  handleRequest(request: TransportRequest, res: ServerResponse): void;
}

/** A transport reached through an HTTP upgrade. */
export interface UpgradeTransport {
  readonly name: TransportName;
  handleUpgrade(request: UpgradeRequest, socket: Duplex, head: Buffer): void;
}
