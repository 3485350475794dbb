/**
 * JSONP polling, Engine.IO 3's fallback for browsers without CORS XHR
 * (engine.io-client's `jsonp` transport): a session whose handshake carries
 * `j=<index>`. Every poll is answered as the script `___eio[<index>]("<payload>");`
 * and every send is an HTML form post with the payload in the field `d`.
 * JSONP clients cannot take binary: they always ask for `b64=1`.
 */
import { RequestError } from '../../../errors';
import type { QueryLookup } from '../../../http/url';

/** The client's index is its position in the page's `___eio` array: a few digits in any real page. */
const MAX_INDEX_DIGITS = 6;
const INDEX = new RegExp(`^[0-9]{1,${MAX_INDEX_DIGITS}}$`);

/**
 * The JSONP index a request asks for, or null for an XHR request. engine.io
 * strips whatever is not a digit, which for `j=abc` calls `___eio[]`, a
 * syntax error on the page: we refuse it instead.
 */
export function jsonpIndexOf(query: QueryLookup): string | null {
  const index = query.get('j');
  if (index === null) return null;
  if (!INDEX.test(index)) throw new RequestError('BAD_URL', `JSONP index ${JSON.stringify(index.substring(0, 20))} is not 1-${MAX_INDEX_DIGITS} digits`);
  return index;
}

/**
 * A poll answer as a script. JSON.stringify leaves U+2028 and U+2029 as they
 * are, and older JavaScript engines end a string literal at them.
 */
export function jsonpScript(index: string, payload: string): string {
  const literal = JSON.stringify(payload).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `___eio[${index}](${literal});`;
}

/**
 * The payload of a JSONP form post. A textarea turns a newline into CRLF,
 * so the client escapes them: a newline is sent as `\n` (backslash, n) and
 * a `\n` that was already in the text as `\\n`. This undoes both.
 */
export function jsonpFormPayload(body: string): string {
  const field = new URLSearchParams(body).get('d');
  if (field === null) throw new RequestError('BAD_REQUEST', 'JSONP form post has no "d" field');
  return field.replace(/(\\)?\\n/g, (match: string, slash: string | undefined) => (slash ? match : '\n')).replace(/\\\\n/g, '\\n');
}
