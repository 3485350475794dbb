import type { ServerResponse } from 'node:http';

/** A setting was missing, unknown, or of the wrong type or range. The message names the key. */
export class SettingsError extends Error {
  constructor(readonly key: string, problem: string) {
    super(`tornadio setting "${key}": ${problem}`);
    this.name = 'SettingsError';
  }
}

/** Stable codes for every way a client request can be refused. */
export type RequestErrorCode =
  | 'BAD_REQUEST'
  | 'BAD_URL'
  | 'URL_TOO_LONG'
  | 'UNKNOWN_TRANSPORT'
  | 'TRANSPORT_DISABLED'
  | 'FORBIDDEN_ORIGIN'
  | 'UNKNOWN_SESSION'
  | 'METHOD_NOT_ALLOWED'
  | 'BODY_TOO_LARGE'
  | 'TOO_MANY_SESSIONS'
  | 'SHUTTING_DOWN'
  | 'NOT_FOUND';

const statusByCode: Record<RequestErrorCode, number> = {
  BAD_REQUEST: 400,
  BAD_URL: 400,
  URL_TOO_LONG: 414,
  UNKNOWN_TRANSPORT: 400,
  TRANSPORT_DISABLED: 403,
  FORBIDDEN_ORIGIN: 403,
  UNKNOWN_SESSION: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  TOO_MANY_SESSIONS: 503,
  SHUTTING_DOWN: 503,
  NOT_FOUND: 404,
};

/** A refused client request: carries the HTTP status it is answered with. */
export class RequestError extends Error {
  readonly status: number;
  constructor(readonly code: RequestErrorCode, message: string) {
    super(message);
    this.name = 'RequestError';
    this.status = statusByCode[code];
  }
}

/**
 * Answers a refused request with a short plain-text body. Safe to call on a
 * response that has already started: then the only honest answer is to end it.
 */
export function respondError(
  res: ServerResponse,
  code: RequestErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = `${code}: ${message}\n`;
  res.writeHead(statusByCode[code], {
    ...headers,
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
