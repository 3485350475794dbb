import type { ClientError } from './errors';

/** What a transport reports to the client that owns it. */
export interface TransportHost {
  /** One payload from the server, as received: frames, or empty (an idle long-poll answered). */
  onPayload(payload: string): void;
  /**
   * The connection ended without `close()` being called: `'server'` when the
   * server ended it (websocket closed, a poll refused with a status), `'error'`
   * on a network failure or timeout. Called at most once.
   */
  onEnd(reason: 'server' | 'error', error: ClientError): void;
}

/** One 0.6 transport as the client drives it. */
export interface ClientTransport {
  /** Starts the handshake; the session id comes back as the first frame of a payload. */
  open(): void;
  /** The session id the server sent, for the URLs that need it. */
  setSessionId(id: string): void;
  /** Sends one payload (one or more frames) to the server, in order with earlier ones. */
  write(payload: string): void;
  /** Ends the connection from the client. No `onEnd` follows. Idempotent. */
  close(): void;
}
