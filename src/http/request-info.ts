import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { RequestInfo } from '../connection';

/** What tornadio reads of a request's head, whether node:http or the HTTP lane (see http/lane) read it. */
export interface RequestHead {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
}

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
export function remoteAddressOf(headers: IncomingHttpHeaders, socket: Socket | null, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return socket?.remoteAddress ?? '';
}

/**
 * What `onOpen` sees of the request. Address, query and cookies are worked
 * out on first read: most applications never read them, and asking the
 * kernel for the peer address costs a system call per connect.
 */
class LazyRequestInfo implements RequestInfo {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly secure: boolean;
  #socket: Socket | null;
  #search: string | null;
  #remoteAddress: string | undefined;
  #query: Record<string, string | string[]> | undefined;
  #cookies: Record<string, string> | undefined;

  constructor(
    req: RequestHead,
    search: string,
    private readonly trustProxy: boolean,
  ) {
    this.headers = req.headers;
    this.url = req.url ?? '';
    this.secure = (req.socket as Partial<TLSSocket>).encrypted === true;
    this.#socket = req.socket;
    this.#search = search;
  }

  get remoteAddress(): string {
    if (this.#remoteAddress === undefined) {
      this.#remoteAddress = remoteAddressOf(this.headers, this.#socket, this.trustProxy);
      this.#socket = null;
    }
    return this.#remoteAddress;
  }

  get query(): Record<string, string | string[]> {
    if (this.#query === undefined) {
      this.#query = parseQuery(this.#search ?? '');
      this.#search = null;
    }
    return this.#query;
  }

  get cookies(): Record<string, string> {
    this.#cookies ??= parseCookies(this.headers.cookie);
    return this.#cookies;
  }

  toJSON(): RequestInfo {
    const { remoteAddress, headers, query, cookies, url, secure } = this;
    return { remoteAddress, headers, query, cookies, url, secure };
  }
}

export function describeRequest(req: RequestHead, search: string, trustProxy: boolean): RequestInfo {
  return new LazyRequestInfo(req, search, trustProxy);
}
