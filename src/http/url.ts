/** Splits a request URL into path and query without trusting it to be well formed. */
export function splitUrl(url: string): { pathname: string; search: string } {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return { pathname: url, search: '' };
  return { pathname: url.substring(0, queryStart), search: url.substring(queryStart + 1) };
}

/** Shortens a client-supplied string before it goes into a log line or an error body. */
export function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.substring(0, max)}…` : text;
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every path under a router's resource, whichever protocol it is for: what an
 * `Application` routes on and what `router.owns()` tests.
 */
export function resourcePattern(resource: string, extraSep: string): RegExp {
  return new RegExp(`^${escapeRegExp(`/${resource}`)}(?=[/?]|$|${escapeRegExp(extraSep || '/')})`);
}

/** The lookups a protocol makes in a request's query; URLSearchParams has them too. */
export interface QueryLookup {
  get(name: string): string | null;
  has(name: string): boolean;
}

/**
 * A query string to look names up in, read as URLSearchParams reads it. The
 * queries of a protocol's requests are a few plain `name=value` pairs
 * (`EIO=4&transport=polling&sid=…`): those are split once, with no decoding
 * to do; a query with a `%` or a `+` in it is left to URLSearchParams.
 */
export function queryOf(search: string): QueryLookup {
  return search.includes('%') || search.includes('+') ? new URLSearchParams(search) : new PlainQuery(search);
}

/** Pairs of names and values as they stand in the query, in order. */
class PlainQuery implements QueryLookup {
  readonly #pairs: string[] = [];

  constructor(search: string) {
    const pairs = this.#pairs;
    let start = 0;
    while (start < search.length) {
      let end = search.indexOf('&', start);
      if (end === -1) end = search.length;
      // Empty pairs (`a=1&&b=2`) are skipped, as URLSearchParams skips them.
      if (end > start) {
        const equals = search.indexOf('=', start);
        if (equals === -1 || equals > end) pairs.push(search.substring(start, end), '');
        else pairs.push(search.substring(start, equals), search.substring(equals + 1, end));
      }
      start = end + 1;
    }
  }

  get(name: string): string | null {
    const pairs = this.#pairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return pairs[i + 1];
    return null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }
}
