import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A request head the lane serves itself: a GET, POST or OPTIONS in HTTP/1.1,
 * origin-form target, every header well formed, a plain Content-Length body
 * or none. Its fields mean what node:http's IncomingMessage fields mean.
 */
export interface LaneHead {
  readonly method: string;
  readonly url: string;
  /** Lower-case names, duplicates joined as node:http joins them. */
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
  /** The body's declared length; 0 without Content-Length. */
  readonly contentLength: number;
  /** False after `Connection: close`: the connection ends with the answer. */
  readonly keepAlive: boolean;
  /** `Connection: upgrade` with an `Upgrade` header. */
  readonly upgrade: boolean;
}

/** 1 for the characters of a token (RFC 9110 tchar), by character code. */
const IS_TOKEN = charTable((code) => (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(code)));
/** 1 for what a field value may hold: visible ASCII, space, tab and obs-text; no other control character. */
const IS_FIELD_CHAR = charTable((code) => code === 0x09 || (code >= 0x20 && code !== 0x7f));
const DECIMAL = /^\d{1,15}$/;

/** Headers node:http keeps the first of when repeated (its `matchKnownFields`); others are joined. */
const FIRST_WINS = new Set([
  'content-type', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization', 'if-modified-since',
  'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires',
]);

/**
 * Reads a request head (latin1, up to but not including its blank line), or
 * returns null when it is not in the lane's plain shape: node:http then reads
 * it, and answers whatever is wrong with it the way it always has. Being
 * strict costs nothing here, since whatever is refused is still served.
 */
export function parseRequestHead(text: string, socket: Socket): LaneHead | null {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = text.length;
  const line = text.substring(0, lineEnd);
  const firstSpace = line.indexOf(' ');
  const secondSpace = line.indexOf(' ', firstSpace + 1);
  if (firstSpace === -1 || secondSpace === -1 || line.substring(secondSpace + 1) !== 'HTTP/1.1') return null;
  const method = line.substring(0, firstSpace);
  if (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS') return null;
  for (let at = firstSpace + 1; at < secondSpace; at++) {
    const code = line.charCodeAt(at);
    if (code <= 0x20 || code >= 0x7f) return null;
  }
  const url = line.substring(firstSpace + 1, secondSpace);
  if (url.charCodeAt(0) !== 0x2f) return null;

  const headers: IncomingHttpHeaders = {};
  let contentLength = 0;
  let connection = '';
  let position = lineEnd + 2;
  const length = text.length;
  while (position < length) {
    // name: token characters up to the colon (no space before it, no obs-fold line)
    let at = position;
    while (at < length && IS_TOKEN[text.charCodeAt(at)] === 1) at++;
    if (at === position || at === length || text.charCodeAt(at) !== 0x3a) return null;
    const key = text.substring(position, at).toLowerCase();
    at++;
    while (at < length && isSpace(text.charCodeAt(at))) at++;
    const valueStart = at;
    let valueEnd = at;
    // value: up to CRLF; no control character but tab; trailing spaces trimmed
    for (; at < length; at++) {
      const code = text.charCodeAt(at);
      if (code === 0x0d) break;
      if (IS_FIELD_CHAR[code] !== 1) return null;
      if (!isSpace(code)) valueEnd = at + 1;
    }
    if (at < length && text.charCodeAt(at + 1) !== 0x0a) return null;
    const value = text.substring(valueStart, valueEnd);
    position = at + 2;
    if (key === 'transfer-encoding' || key === 'expect') return null;
    if (key === 'content-length') {
      // One plain Content-Length is the only body framing the lane reads.
      if (headers['content-length'] !== undefined || !DECIMAL.test(value)) return null;
      contentLength = Number(value);
    } else if (key === 'connection') {
      connection = connection ? `${connection}, ${value}` : value;
    }
    addHeader(headers, key, value);
  }
  if (headers.host === undefined) return null;
  let keepAlive = true;
  let upgrade = false;
  // `keep-alive`, what nearly every client sends, says nothing more.
  if (connection !== '' && connection !== 'keep-alive') {
    const tokens = connection.toLowerCase();
    keepAlive = !/(?:^|[\s,])close(?:$|[\s,])/.test(tokens);
    upgrade = headers.upgrade !== undefined && /(?:^|[\s,])upgrade(?:$|[\s,])/.test(tokens);
  }
  // An Upgrade without `Connection: upgrade`, or an upgrade with a body: node:http's to sort out.
  if ((headers.upgrade !== undefined && !upgrade) || (upgrade && contentLength > 0)) return null;
  return { method, url, headers, socket, contentLength, keepAlive, upgrade };
}

function charTable(accepts: (code: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) table[code] = accepts(code) ? 1 : 0;
  return table;
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

function addHeader(headers: IncomingHttpHeaders, key: string, value: string): void {
  const existing = headers[key];
  if (existing === undefined) {
    headers[key] = key === 'set-cookie' ? [value] : value;
  } else if (key === 'set-cookie') {
    (existing as string[]).push(value);
  } else if (!FIRST_WINS.has(key)) {
    headers[key] = `${existing as string}${key === 'cookie' ? '; ' : ', '}${value}`;
  }
}
