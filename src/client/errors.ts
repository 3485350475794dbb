/** Why a client operation failed; stable, for code that branches on it. */
export type ClientErrorCode =
  /** The server answered with an HTTP status other than the one expected (see `status`). */
  | 'HTTP_STATUS'
  /** Nothing listens at the address (ECONNREFUSED). */
  | 'CONNECTION_REFUSED'
  /** Any other socket or TLS failure (reset, DNS, certificate...). */
  | 'NETWORK'
  /** No answer in time: the connect timeout, or a POST the server never answered. */
  | 'TIMEOUT'
  /** The connection ended before it had a session id (closed by the server, or by `close()`). */
  | 'CLOSED'
  /** The server sent something that is not the 0.6 protocol (bad framing, bad JSON). */
  | 'PROTOCOL';

/** Every error the client rejects `connect()` with or emits as `'error'`. */
export class ClientError extends Error {
  /** The HTTP status, for `HTTP_STATUS`; null otherwise. */
  readonly status: number | null;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
    this.status = options.status ?? null;
  }
}

/** Wraps a socket-level failure, telling a refused connection from the rest. */
export function networkError(what: string, error: Error): ClientError {
  const code = (error as NodeJS.ErrnoException).code;
  return new ClientError(code === 'ECONNREFUSED' ? 'CONNECTION_REFUSED' : 'NETWORK', `${what} failed: ${error.message}`, { cause: error });
}

/** An unexpected HTTP status, with the start of the body the server gave as its reason. */
export function statusError(what: string, status: number, statusText: string, body: string): ClientError {
  const reason = body.trim().slice(0, 200);
  return new ClientError('HTTP_STATUS', `${what} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}${reason ? `: ${reason}` : ''}`, {
    status,
  });
}
