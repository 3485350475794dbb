import { RequestError } from '../errors';
import { TRANSPORT_NAMES, type TransportName } from '../settings';

/** Where a socket.io request is going, read off its path. */
export interface SocketIoPath {
  /** A transport name, or `socket.io.js` for the client file. */
  target: TransportName | 'socket.io.js';
  /** What Tornadio's `extra_re` captured; null when there is none. */
  extra: string | null;
  /**
   * The path segments after the transport name. For
   * `/socket.io/xhr-polling//1300` they are `['', '1300']`: the empty first
   * segment is the handshake's empty session id.
   */
  segments: string[];
}

const SLASH = 0x2f;
const TARGETS: ReadonlySet<string> = new Set([...TRANSPORT_NAMES, 'socket.io.js']);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reads socket.io paths under one resource, with Tornadio's optional extra segment. */
export class SocketIoPathMatcher {
  readonly #prefix: string;
  readonly #pattern: RegExp;
  readonly #hasExtra: boolean;
  /** A pattern an `Application` can route on: everything under the resource. */
  readonly routePattern: RegExp;

  constructor(resource: string, extraRe: RegExp | null, extraSep: string) {
    this.#prefix = `/${resource}`;
    this.#hasExtra = extraRe !== null;
    const targets = [...TRANSPORT_NAMES, 'socket.io.js'].map(escapeRegExp).join('|');
    const extra = extraRe ? `(?:${escapeRegExp(extraSep)}(${extraRe.source}))?` : '()';
    this.#pattern = new RegExp(`^${escapeRegExp(this.#prefix)}${extra}/(${targets})(?=/|$)(.*)$`);
    this.routePattern = new RegExp(`^${escapeRegExp(this.#prefix)}(?=[/?]|$|${escapeRegExp(extraSep || '/')})`);
  }

  /** The common case, no extra segment: read by hand, a regular expression per request is measurable. */
  #parsePlain(pathname: string): SocketIoPath {
    const start = this.#prefix.length + 1;
    if (!pathname.startsWith(this.#prefix) || pathname.charCodeAt(start - 1) !== SLASH) {
      throw new RequestError('UNKNOWN_TRANSPORT', `no known transport in path ${truncate(pathname)}`);
    }
    const end = pathname.indexOf('/', start);
    const target = end === -1 ? pathname.substring(start) : pathname.substring(start, end);
    if (!TARGETS.has(target)) throw new RequestError('UNKNOWN_TRANSPORT', `no known transport in path ${truncate(pathname)}`);
    return {
      target: target as SocketIoPath['target'],
      extra: null,
      segments: end === -1 ? [] : pathname.substring(end + 1).split('/'),
    };
  }

  /** Whether a path belongs to this resource at all (so 404s for it are ours to give). */
  owns(pathname: string): boolean {
    return this.routePattern.test(pathname);
  }

  /** Parses a path this matcher owns; throws a RequestError for one it cannot read. */
  parse(pathname: string): SocketIoPath {
    if (!this.#hasExtra) return this.#parsePlain(pathname);
    const match = this.#pattern.exec(pathname);
    if (!match) throw new RequestError('UNKNOWN_TRANSPORT', `no known transport in path ${truncate(pathname)}`);
    const [, extra, target, rest] = match;
    return {
      target: target as SocketIoPath['target'],
      extra: extra ? extra : null,
      segments: rest ? rest.substring(1).split('/') : [],
    };
  }
}

/** Splits a request URL into path and query without trusting it to be well formed. */
export function splitUrl(url: string): { pathname: string; search: string } {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return { pathname: url, search: '' };
  return { pathname: url.substring(0, queryStart), search: url.substring(queryStart + 1) };
}

export function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.substring(0, max)}…` : text;
}
