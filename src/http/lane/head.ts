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
  /** The target up to its `?`, and what follows the `?` ('' without one), as splitUrl splits them. */
  readonly pathname: string;
  readonly search: string;
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
/** Content-Length digits beyond this are refused (node:http's own limit is about the same: 2^53). */
const MAX_LENGTH_DIGITS = 15;
/** node:http's default maxHeadersCount. */
const MAX_HEADER_LINES = 2000;

/** Headers node:http keeps the first of when repeated (its `matchKnownFields`); others are joined. */
const FIRST_WINS = new Set([
  'content-type', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization', 'if-modified-since',
  'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires',
]);

/**
 * Names browsers and clients send on nearly every request, by length. A name
 * read is matched against these without building a lower-case copy, and the
 * constant (an internalized string) keys the header object: V8 then stores
 * and finds it without a string-table lookup per header.
 */
const COMMON_NAMES = byLength([
  'host', 'connection', 'content-type', 'content-length', 'origin', 'user-agent', 'accept', 'accept-encoding', 'accept-language',
  'cookie', 'referer', 'upgrade', 'pragma', 'cache-control', 'authorization', 'priority', 'dnt', 'te', 'keep-alive', 'expect',
  'transfer-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'forwarded', 'sec-websocket-key',
  'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest',
  'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform',
]);

/**
 * Where the header lines of the head being read lie: name start and end,
 * value start and end (trimmed), four numbers a line. One array for every
 * head (a head is read in one go), grown for a head of many lines.
 */
let lineMarks: Int32Array = new Int32Array(4 * 64);

const CR = 0x0d;
const LF = 0x0a;
const VERSION = Buffer.from(' HTTP/1.1', 'latin1');
const OPTIONS = Buffer.from('OPTIONS ', 'latin1');

/**
 * Reads a request head (the bytes before its blank line, `end` being where
 * the CRLF CRLF starts), or returns null when it is not in the lane's plain
 * shape: node:http then reads it, and answers whatever is wrong with it the
 * way it always has. Being strict costs nothing here, since whatever is
 * refused is still served. The bytes are checked and measured first; the
 * strings are then cut from one latin1 copy of the head.
 */
export function parseRequestHead(bytes: Buffer, end: number, socket: Socket): LaneHead | null {
  let at = methodEnd(bytes);
  if (at === -1 || bytes[at] !== 0x2f) return null;
  // The target: origin-form, visible ASCII up to the space before the version.
  const targetStart = at;
  let queryStart = -1;
  for (; at < end; at++) {
    const code = bytes[at];
    if (code === 0x20) break;
    if (code < 0x20 || code >= 0x7f) return null;
    if (code === 0x3f && queryStart === -1) queryStart = at;
  }
  const targetEnd = at;
  if (targetEnd + VERSION.length > end || !holdsAt(bytes, targetEnd, VERSION)) return null;
  at = targetEnd + VERSION.length;
  if (at < end) {
    if (bytes[at] !== CR || bytes[at + 1] !== LF) return null;
    at += 2;
  }

  let marks = lineMarks;
  let count = 0;
  while (at < end) {
    // name: token characters up to the colon (no space before it, no obs-fold line)
    const nameStart = at;
    while (at < end && IS_TOKEN[bytes[at]] === 1) at++;
    if (at === nameStart || at === end || bytes[at] !== 0x3a) return null;
    const nameEnd = at++;
    while (at < end && isSpace(bytes[at])) at++;
    const valueStart = at;
    let valueEnd = at;
    // value: up to CRLF; no control character but tab; trailing spaces trimmed
    for (; at < end; at++) {
      const code = bytes[at];
      if (code === CR) break;
      if (IS_FIELD_CHAR[code] !== 1) return null;
      if (!isSpace(code)) valueEnd = at + 1;
    }
    // The head's last line ends at `end`; any other at a CRLF (a CR before `end` has a byte after it).
    if (at < end) {
      if (bytes[at + 1] !== LF) return null;
      at += 2;
    }
    if (count === marks.length) marks = lineMarks = grown(marks);
    marks[count] = nameStart;
    marks[count + 1] = nameEnd;
    marks[count + 2] = valueStart;
    marks[count + 3] = valueEnd;
    count += 4;
  }

  // node:http keeps only the first MAX_HEADER_LINES lines (its maxHeadersCount): a longer head is its to read.
  if (count > 4 * MAX_HEADER_LINES) return null;
  const text = bytes.toString('latin1', 0, end);
  const headers: IncomingHttpHeaders = {};
  let contentLength = 0;
  let connection = '';
  for (let line = 0; line < count; line += 4) {
    const key = headerName(bytes, text, marks[line], marks[line + 1]);
    const value = text.substring(marks[line + 2], marks[line + 3]);
    if (key === 'transfer-encoding' || key === 'expect') return null;
    if (key === 'content-length') {
      // One plain Content-Length is the only body framing the lane reads.
      if (headers['content-length'] !== undefined) return null;
      contentLength = decimalOf(value);
      if (contentLength === -1) return null;
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
  const url = text.substring(targetStart, targetEnd);
  const pathname = queryStart === -1 ? url : text.substring(targetStart, queryStart);
  const search = queryStart === -1 ? '' : text.substring(queryStart + 1, targetEnd);
  return { method: METHODS[targetStart], url, pathname, search, headers, socket, contentLength, keepAlive, upgrade };
}

/** The method, by where its target starts (its length and the space after it). */
const METHODS: Record<number, string> = { 4: 'GET', 5: 'POST', 8: 'OPTIONS' };

/** Where the target starts after one of the lane's methods and its space; -1 for any other start. */
function methodEnd(bytes: Buffer): number {
  switch (bytes[0]) {
    case 0x47: // GET
      return bytes[1] === 0x45 && bytes[2] === 0x54 && bytes[3] === 0x20 ? 4 : -1;
    case 0x50: // POST
      return bytes[1] === 0x4f && bytes[2] === 0x53 && bytes[3] === 0x54 && bytes[4] === 0x20 ? 5 : -1;
    case 0x4f: // OPTIONS
      return holdsAt(bytes, 0, OPTIONS) ? OPTIONS.length : -1;
    default:
      return -1;
  }
}

/** Whether `word` stands in `bytes` at `at` (a loop: cheaper than a native call for a few bytes). */
function holdsAt(bytes: Buffer, at: number, word: Uint8Array): boolean {
  for (let index = 0; index < word.length; index++) if (bytes[at + index] !== word[index]) return false;
  return true;
}

function grown(marks: Int32Array): Int32Array {
  const larger = new Int32Array(marks.length * 2);
  larger.set(marks);
  return larger;
}

/** A header's lower-case name: one of COMMON_NAMES when it is one, in any case, else a lower-cased copy. */
function headerName(bytes: Buffer, text: string, start: number, end: number): string {
  const candidates = COMMON_NAMES[end - start];
  if (candidates !== undefined) {
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index];
      const letters = candidate.bytes;
      let at = 0;
      // `| 0x20` lower-cases a letter; the names hold only letters and '-', which it leaves alone.
      while (at < letters.length && (bytes[start + at] | 0x20) === letters[at]) at++;
      if (at === letters.length) return candidate.name;
    }
  }
  return text.substring(start, end).toLowerCase();
}

/** A Content-Length value: 1 to 15 decimal digits, or -1. */
function decimalOf(value: string): number {
  if (value.length === 0 || value.length > MAX_LENGTH_DIGITS) return -1;
  let number = 0;
  for (let at = 0; at < value.length; at++) {
    const digit = value.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

function charTable(accepts: (code: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) table[code] = accepts(code) ? 1 : 0;
  return table;
}

interface CommonName {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function byLength(names: readonly string[]): (readonly CommonName[] | undefined)[] {
  const table: CommonName[][] = [];
  for (const name of names) (table[name.length] ??= []).push({ name, bytes: Buffer.from(name, 'latin1') });
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
