import { createHash, randomFillSync } from 'node:crypto';

/** 144 bits from the CSPRNG; base64url keeps it URL-safe with no padding. */
const SESSION_ID_BYTES = 18;
/** Random bytes are drawn from the CSPRNG in blocks: one call per 227 ids, not one per id. */
const IDS_PER_BLOCK = 227;
const POOL_BYTES = SESSION_ID_BYTES * IDS_PER_BLOCK;
/** 18 bytes are exactly 24 base64url characters, so a block's text cut every 24 characters is 227 whole ids. */
const ID_LENGTH = (SESSION_ID_BYTES / 3) * 4;

/** The shape every id we issue has; anything else in a URL is refused before a lookup. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

const pool = Buffer.alloc(POOL_BYTES);
let block = '';
let next = IDS_PER_BLOCK;

/**
 * A fresh, unguessable session id. Tornadio used md5(random + time); an id is
 * the only credential a polling session has, so it must come from `crypto`.
 * Every random byte is used once: a block is drawn and encoded at once, and
 * each id is the next 24 characters of it.
 */
export function generateSessionId(): string {
  if (next === IDS_PER_BLOCK) {
    randomFillSync(pool);
    block = pool.toString('base64url');
    next = 0;
  }
  const start = next * ID_LENGTH;
  next++;
  return block.substring(start, start + ID_LENGTH);
}

/** Characters of a cluster id that name its node: 24 bits, so 20 characters (120 bits) stay random. */
export const NODE_TAG_LENGTH = 4;

/**
 * The tag a node puts at the start of every id it issues: the first 24 bits
 * of sha256(nodeId), in base64url. It is routing, not a credential: a
 * forged tag only sends the request to a node that does not know the id
 * and refuses it as unknown, and where a tag points comes from the cluster's
 * own directory, never from the request.
 */
export function nodeTagOf(nodeId: string): string {
  return createHash('sha256').update(nodeId).digest().toString('base64url', 0, 3);
}

/** The node tag an id carries (its first characters); null for a string that is no id of ours. */
export function tagOfSessionId(id: string): string | null {
  return SESSION_ID_PATTERN.test(id) ? id.substring(0, NODE_TAG_LENGTH) : null;
}

/**
 * Issues the ids of one router. Alone, an id is 24 random characters; in a
 * cluster it is the node's tag and 20 random characters, the same length and
 * shape (every protocol's id check still holds), so any node can tell which
 * node owns a session from its id, without a lookup.
 */
export class SessionIdIssuer {
  constructor(readonly tag: string | null) {
    if (tag !== null && !new RegExp(`^[A-Za-z0-9_-]{${NODE_TAG_LENGTH}}$`).test(tag)) throw new RangeError(`bad node tag ${tag}`);
  }

  next(): string {
    const id = generateSessionId();
    return this.tag === null ? id : this.tag + id.substring(NODE_TAG_LENGTH);
  }

  /** Whether an id was issued here (or, alone, could have been). */
  isOwn(id: string): boolean {
    return this.tag === null || id.startsWith(this.tag);
  }
}
