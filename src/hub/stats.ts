import type { ProtocolName } from './member';

/** Counters for a dashboard; `router.stats` returns a fresh snapshot. */
export interface RouterStats {
  /** Open connections, in all, by transport and by protocol. */
  connections: number;
  connectionsByTransport: Record<string, number>;
  connectionsByProtocol: Record<ProtocolName, number>;
  /** v4 connections that dropped and may still be recovered (setting `recovery`); not counted in `connections`. */
  connectionsAwaitingRecovery: number;
  sessionsCreated: number;
  sessionsClosed: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** The running totals every protocol adds to; plain fields, since they are bumped on every message. */
export class TrafficCounters {
  sessionsCreated = 0;
  sessionsClosed = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
}
