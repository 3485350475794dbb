import { randomFillSync } from 'node:crypto';

/** 144 bits from the CSPRNG; base64url keeps it URL-safe with no padding. */
const SESSION_ID_BYTES = 18;
/** Random bytes are drawn from the CSPRNG in blocks: one call per 227 ids, not one per id. */
const POOL_BYTES = SESSION_ID_BYTES * 227;

/** The shape every id we issue has; anything else in a URL is refused before a lookup. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * A fresh, unguessable session id. Tornadio used md5(random + time); an id is
 * the only credential a polling session has, so it must come from `crypto`.
 * Every byte of the pool is used once, then the pool is refilled.
 */
export function generateSessionId(): string {
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + SESSION_ID_BYTES);
  offset += SESSION_ID_BYTES;
  return id;
}
