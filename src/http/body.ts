import type { IncomingMessage } from 'node:http';
import { RequestError } from '../errors';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Called once with the body, or with the RequestError that refused it. */
export type BodyCallback = (error: RequestError | null, body: string) => void;
export type BodyBytesCallback = (error: RequestError | null, body: Buffer) => void;

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body up to `limit` bytes and decodes it once as UTF-8
 * (decoding chunk by chunk would split multi-byte characters). Refuses with
 * BODY_TOO_LARGE as soon as the count passes the limit, without buffering
 * the rest, and with BAD_REQUEST for bytes that are not UTF-8. A callback,
 * not a promise: this runs for every POST, and a promise costs an extra
 * microtask and allocations on the hottest polling path.
 */
export function readBody(req: IncomingMessage, limit: number, done: BodyCallback): void {
  readBodyBytes(req, limit, asText(done));
}

/** A bytes callback that hands on the bytes decoded as UTF-8, or the refusal. */
function asText(done: BodyCallback): BodyBytesCallback {
  return (error, bytes) => {
    if (error) return done(error, '');
    let body: string;
    try {
      body = decodeUtf8Body(bytes);
    } catch (failure) {
      return done(failure as RequestError, '');
    }
    done(null, body);
  };
}

/**
 * As readBodyBytes, for a body already read whole: by the node that relayed
 * its request (see cluster/relay.ts), or by the HTTP lane (see http/lane);
 * null when it was larger than they would read, which is larger than the
 * limit here.
 */
export function wholeBodyBytes(body: Buffer | null, limit: number, done: BodyBytesCallback): void {
  if (body === null || body.length > limit) done(new RequestError('BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`), EMPTY);
  else done(null, body);
}

/** As readBody, for a body already read whole (see wholeBodyBytes). */
export function wholeBody(body: Buffer | null, limit: number, done: BodyCallback): void {
  wholeBodyBytes(body, limit, asText(done));
}

/** A body's bytes as UTF-8 text; BAD_REQUEST if they are not UTF-8. */
export function decodeUtf8Body(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new RequestError('BAD_REQUEST', 'body is not valid UTF-8');
  }
}

/** As readBody, without the decoding: for bodies that may be binary. */
export function readBodyBytes(req: IncomingMessage, limit: number, done: BodyBytesCallback): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(new RequestError('BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`), EMPTY);
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > limit) {
      cleanup();
      done(new RequestError('BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`), EMPTY);
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    cleanup();
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  };
  const onAbort = (): void => {
    cleanup();
    done(new RequestError('BAD_REQUEST', 'request aborted before its body ended'), EMPTY);
  };
  const cleanup = (): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
}

/** Bodies up to this size are read to their end when refused, so the answer is not lost to a reset. */
const DRAINED_BODY_LIMIT = 64 * 1024;

/**
 * After a 413 (sent with Connection: close): a small body is read to its end
 * and the connection closes after the answer (closing a socket with unread
 * bytes resets it, and a reset can discard the answer before the client, or
 * the node forwarding for it, reads it); a large one is dropped at once, so
 * nobody spends bandwidth on it.
 */
export function dropRefusedBody(req: IncomingMessage, res: { once(event: 'finish', listener: () => void): unknown }): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared <= DRAINED_BODY_LIMIT) {
    req.resume();
    return;
  }
  res.once('finish', () => req.destroy());
}

/** The `data` field of a form-encoded body, as every 0.6 polling transport posts it. */
export function formDataField(body: string): string {
  // The usual body is one field, `data=...`: decode it directly.
  if (body.startsWith('data=') && !body.includes('&')) {
    const encoded = body.substring(5);
    try {
      return decodeURIComponent(encoded.includes('+') ? encoded.replace(/\+/g, ' ') : encoded);
    } catch {
      // A malformed %-escape: fall through to the lenient parser, as a browser's form decoding would.
    }
  }
  const data = new URLSearchParams(body).get('data');
  if (data === null) throw new RequestError('BAD_REQUEST', 'body has no "data" field');
  return data;
}
