import { escapeRegExp } from '../../http/url';
import { TRANSPORT_NAMES, type TransportName } from './transport-names';

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


/** `path.substring(from).split('/')`, at a third of the cost (`split` is measurable on every poll). */
function segmentsFrom(path: string, from: number): string[] {
  const segments: string[] = [];
  let start = from;
  for (;;) {
    const slash = path.indexOf('/', start);
    if (slash === -1) {
      segments.push(path.substring(start));
      return segments;
    }
    segments.push(path.substring(start, slash));
    start = slash + 1;
  }
}

/** Reads socket.io paths under one resource, with Tornadio's optional extra segment. */
export class SocketIoPathMatcher {
  readonly #prefix: string;
  readonly #pattern: RegExp;
  readonly #hasExtra: boolean;

  constructor(resource: string, extraRe: RegExp | null, extraSep: string) {
    this.#prefix = `/${resource}`;
    this.#hasExtra = extraRe !== null;
    const targets = [...TRANSPORT_NAMES, 'socket.io.js'].map(escapeRegExp).join('|');
    const extra = extraRe ? `(?:${escapeRegExp(extraSep)}(${extraRe.source}))?` : '()';
    this.#pattern = new RegExp(`^${escapeRegExp(this.#prefix)}${extra}/(${targets})(?=/|$)(.*)$`);
  }

  /** The common case, no extra segment: read by hand, a regular expression per request is measurable. */
  #parsePlain(pathname: string): SocketIoPath | null {
    const start = this.#prefix.length + 1;
    if (!pathname.startsWith(this.#prefix) || pathname.charCodeAt(start - 1) !== SLASH) {
      return null;
    }
    const end = pathname.indexOf('/', start);
    const target = end === -1 ? pathname.substring(start) : pathname.substring(start, end);
    if (!TARGETS.has(target)) return null;
    return {
      target: target as SocketIoPath['target'],
      extra: null,
      segments: end === -1 ? [] : segmentsFrom(pathname, end + 1),
    };
  }

  /** Reads a 0.6 path: a known transport (or the client file) under the resource; null for anything else. */
  parse(pathname: string): SocketIoPath | null {
    if (!this.#hasExtra) return this.#parsePlain(pathname);
    const match = this.#pattern.exec(pathname);
    if (!match) return null;
    const [, extra, target, rest] = match;
    return {
      target: target as SocketIoPath['target'],
      extra: extra ? extra : null,
      segments: rest ? segmentsFrom(rest, 1) : [],
    };
  }
}
