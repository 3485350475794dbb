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
