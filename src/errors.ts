/** A setting was missing, unknown, or of the wrong type or range. The message names the key. */
export class SettingsError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`tornadio setting "${key}": ${problem}`);
    this.name = 'SettingsError';
  }
}

/**
 * Every way tornadio refuses a client, with the HTTP status it answers and
 * the WebSocket close code it closes with once a socket is open. The README's
 * error table is this table (a test holds them equal).
 */
export const REFUSALS = {
  BAD_REQUEST: { status: 400, closeCode: 1002, doc: 'the request or frame could not be read', engineIo: 3 },
  BAD_URL: { status: 400, closeCode: 1002, doc: 'the path has the wrong shape for its transport (a POST not to `/send`, a bad JSONP index)', engineIo: 3 },
  URL_TOO_LONG: { status: 414, closeCode: 1009, doc: 'the URL is longer than `maxUrlLength`' },
  UNKNOWN_TRANSPORT: { status: 400, closeCode: 1002, doc: 'no protocol of this router claims the path, or an Engine.IO request names no known transport', engineIo: 0 },
  UNSUPPORTED_PROTOCOL: { status: 400, closeCode: 1002, doc: 'an Engine.IO request with an `EIO` version this router does not speak', engineIo: 5 },
  TRANSPORT_DISABLED: { status: 403, closeCode: 1008, doc: 'the transport is known but not in `enabledProtocols`, or needs an upgrade' },
  FORBIDDEN_ORIGIN: { status: 403, closeCode: 1008, doc: 'the `Origin` is not in `origins`', engineIo: 4 },
  UNKNOWN_SESSION: { status: 404, closeCode: 1008, doc: 'no live session has this id (never issued, expired or closed); a closed 0.6 session\'s last poll gets it too. Engine.IO answers it 400, as engine.io does', engineIo: 1 },
  METHOD_NOT_ALLOWED: { status: 405, closeCode: 1008, doc: 'an HTTP method the transport does not take (Engine.IO: a handshake that is not a GET, answered 400)', engineIo: 2 },
  BODY_TOO_LARGE: { status: 413, closeCode: 1009, doc: 'a POST body over `maxBodySize` (the connection is dropped after the answer)' },
  TOO_MANY_SESSIONS: { status: 503, closeCode: 1013, doc: '`maxSessions` sessions are open already' },
  SHUTTING_DOWN: { status: 503, closeCode: 1001, doc: 'the router is closing' },
  NOT_FOUND: { status: 404, closeCode: 1008, doc: 'nothing is served at this path (or the client file is turned off)' },
  NODE_UNREACHABLE: { status: 502, closeCode: 1011, doc: 'in a cluster, the node owning the session could not be reached or did not answer in time (the client reconnects, to a live node)' },
  INTERNAL_ERROR: { status: 500, closeCode: 1011, doc: 'tornadio failed while serving the request; the reason is logged' },
} as const satisfies Record<string, { status: number; closeCode: number; doc: string; engineIo?: number }>;

/** Stable codes for every way a client request can be refused. */
export type RequestErrorCode = keyof typeof REFUSALS;

/** A refused client request: carries the code, and the status it is answered with. */
export class RequestError extends Error {
  readonly status: number;
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
    this.status = REFUSALS[code].status;
  }
}

/** How one refusal goes out, whatever carries it. */
export interface Refusal {
  code: RequestErrorCode;
  status: number;
  closeCode: number;
  /** The plain-text body: `CODE: message`. */
  body: string;
  /** Whether this is tornadio's fault (logged as an error) rather than the client's (a warning). */
  internal: boolean;
}

/** engine.io's own words for its error codes, which its clients show. */
const ENGINE_IO_MESSAGES = ['Transport unknown', 'Session ID unknown', 'Bad handshake method', 'Bad request', 'Forbidden', 'Unsupported protocol version'];

/**
 * The same refusal as Engine.IO clients expect it: engine.io answers its
 * error codes 0-3 and 5 with 400 and 4 with 403, with a JSON body
 * `{"code","message"}`; other refusals keep their status.
 */
export function engineIoRefusal(refusal: Refusal): { status: number; body: string } {
  const { status, code, message } = engineIoError(refusal);
  return { status, body: JSON.stringify({ code, message }) };
}

/**
 * A refused Engine.IO websocket upgrade, as engine.io answers one: the
 * status as for a plain request, and its message alone as the body (no JSON).
 */
export function engineIoUpgradeRefusal(refusal: Refusal): { status: number; contentType: string; body: string } {
  const { status, message } = engineIoError(refusal);
  return { status, contentType: 'text/html', body: message };
}

function engineIoError(refusal: Refusal): { status: number; code: number; message: string } {
  const row: { status: number; engineIo?: number } = REFUSALS[refusal.code];
  if (row.engineIo === undefined) return { status: refusal.status, code: 3, message: refusal.body.trimEnd() };
  return { status: row.engineIo === 4 ? 403 : 400, code: row.engineIo, message: ENGINE_IO_MESSAGES[row.engineIo] };
}

/** Refusals decided in this process, by code, for metrics (every refusal is made by `refusalFor`). */
export const refusalCounts: Partial<Record<RequestErrorCode, number>> = {};

/**
 * The one mapping from a failure to what the client is told: a RequestError
 * says it itself; anything else is our fault, answered 500 without details
 * (they go to the log, not to the client).
 */
export function refusalFor(error: unknown): Refusal {
  const known = error instanceof RequestError;
  const code: RequestErrorCode = known ? error.code : 'INTERNAL_ERROR';
  refusalCounts[code] = (refusalCounts[code] ?? 0) + 1;
  const message = known ? error.message : 'request could not be handled';
  const { status, closeCode } = REFUSALS[code];
  return { code, status, closeCode, body: `${code}: ${message}\n`, internal: !known };
}
