import { randomBytes } from 'node:crypto';

/** 144 bits from the CSPRNG; base64url keeps it URL-safe with no padding. */
const SESSION_ID_BYTES = 18;

/** The shape every id we issue has; anything else in a URL is refused before a lookup. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

/**
 * A fresh, unguessable session id. Tornadio used md5(random + time); an id is
 * the only credential a polling session has, so it must come from `crypto`.
 */
export function generateSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}
