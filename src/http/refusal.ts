import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { refusalFor, type Refusal } from '../errors';
import { describeError, type Logger } from '../logger';
import type { HttpAnswer } from './answer';

/** Logs a refusal once, at the level it deserves: the client's fault is a warning, ours an error. */
function logRefusal(logger: Logger, where: string, refusal: Refusal, error: unknown): void {
  if (refusal.internal) logger.error(`${where} failed: ${describeError(error)}`);
  else logger.warn(`${where} refused: ${refusal.body.trimEnd()}`);
}

/**
 * Answers a refused HTTP request with its status and a short plain-text body.
 * Safe on a response that has already started: then the only honest answer
 * is to end it.
 */
export function refuseRequest(
  res: ServerResponse,
  error: unknown,
  logger: Logger,
  where = 'request',
  headers: Record<string, string> = {},
): Refusal {
  const refusal = refusalFor(error);
  logRefusal(logger, where, refusal, error);
  writeRefusal(res, refusal, headers);
  return refusal;
}

/**
 * As refuseRequest, for an answer that may go back over a cluster relay.
 * `refusesBody`: the refusal is of the request's body (a 413).
 */
export function answerRefusal(
  answer: HttpAnswer,
  error: unknown,
  logger: Logger,
  where: string,
  headers: Readonly<Record<string, string>> = {},
  refusesBody = false,
): Refusal {
  const refusal = refusalFor(error);
  logRefusal(logger, where, refusal, error);
  sendRefusal(answer, refusal, headers, refusesBody);
  return refusal;
}

/** Sends a refusal decided before (a closed session's poll), unlogged. */
export function sendRefusal(answer: HttpAnswer, refusal: Refusal, headers: Readonly<Record<string, string>> = {}, refusesBody = false): void {
  answer.send(refusal.status, refusalHeaders(refusal, headers), refusal.body, refusesBody);
}

/** Writes a refusal without logging it: for answers that are the protocol speaking, not a fault (a closed session's last poll). */
export function writeRefusal(res: ServerResponse, refusal: Refusal, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(refusal.status, refusalHeaders(refusal, headers));
  res.end(refusal.body);
}

function refusalHeaders(refusal: Refusal, headers: Readonly<Record<string, string>>): Record<string, string | number> {
  return { ...headers, 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': Buffer.byteLength(refusal.body), 'Cache-Control': 'no-store' };
}

/** What a refused upgrade's HTTP answer carries; a protocol whose clients read it in their own form passes its own. */
export interface UpgradeAnswer {
  status: number;
  contentType: string;
  body: string;
}

const plainUpgradeAnswer = (refusal: Refusal): UpgradeAnswer => ({ status: refusal.status, contentType: 'text/plain; charset=UTF-8', body: refusal.body });

/** Answers a refused upgrade with an HTTP status on the raw socket, then closes it. */
export function refuseUpgrade(socket: Duplex, error: unknown, logger: Logger, answerFor: (refusal: Refusal) => UpgradeAnswer = plainUpgradeAnswer): Refusal {
  const refusal = refusalFor(error);
  logRefusal(logger, 'upgrade', refusal, error);
  if (!socket.writable) {
    socket.destroy();
    return refusal;
  }
  const { status, contentType, body } = answerFor(refusal);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  return refusal;
}

/** A socket that can be closed with a code and reason (an RFC 6455 ServerWebSocket; a hixie socket ignores both). */
export interface ClosableSocket {
  close(code?: number, reason?: string): void;
}

/** Closes an open WebSocket for a refusal with the table's close code. */
export function refuseSocket(socket: ClosableSocket, error: unknown, logger: Logger, where: string): Refusal {
  const refusal = refusalFor(error);
  logRefusal(logger, where, refusal, error);
  // A close reason is at most 123 bytes; the code says enough, the message stays short.
  socket.close(refusal.closeCode, refusal.code);
  return refusal;
}
