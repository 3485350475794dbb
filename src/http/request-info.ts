import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestInfo } from '../connection';

/** Parses a Cookie header leniently: a malformed pair is skipped, never fatal. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.substring(0, separator).trim();
    let value = pair.substring(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: a stray % must not cost the user the cookie
    }
    if (!(name in cookies)) cookies[name] = value;
  }
  return cookies;
}

export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  return query;
}

/** The peer address; with `trustProxy`, the first hop of X-Forwarded-For. */
export function remoteAddressOf(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? '';
}

export function describeRequest(req: IncomingMessage, search: string, trustProxy: boolean): RequestInfo {
  return {
    remoteAddress: remoteAddressOf(req, trustProxy),
    headers: req.headers,
    query: parseQuery(search),
    cookies: parseCookies(req.headers.cookie),
    url: req.url ?? '',
    secure: (req.socket as Partial<TLSSocket>).encrypted === true,
  };
}
