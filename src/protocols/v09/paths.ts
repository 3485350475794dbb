/** The 0.9 transports, in the order the handshake advertises them (the client tries them in its own order). */
export const V09_TRANSPORTS = ['websocket', 'flashsocket', 'htmlfile', 'xhr-polling', 'jsonp-polling'] as const;
export type V09TransportName = (typeof V09_TRANSPORTS)[number];

/** Where the 0.9 browser client is served: beside the 0.6 client's `socket.io.js`, which keeps its URL. */
export const CLIENT_FILES = { 'socket.io-0.9.js': 'socket.io.js', 'socket.io-0.9.min.js': 'socket.io.min.js' } as const;
export type ClientFileName = keyof typeof CLIENT_FILES;

/** A request under `/<resource>/` in 0.9's shape. */
export type V09Path =
  | { readonly kind: 'client'; readonly file: ClientFileName }
  /** `/<resource>/<version>/`: the handshake. */
  | { readonly kind: 'handshake'; readonly version: string }
  /** `/<resource>/<version>/<transport>/<sid>`; `transport` is '' for the client's synchronous disconnect. */
  | { readonly kind: 'transport'; readonly version: string; readonly transport: string; readonly sessionId: string }
  /** `/<resource>/<version>/...` in no shape 0.9 knows. */
  | { readonly kind: 'malformed'; readonly version: string };

const VERSION = /^\d{1,3}$/;

const isClientFile = (name: string): name is ClientFileName => Object.hasOwn(CLIENT_FILES, name);

/**
 * Reads 0.9 paths under one resource. The protocol version is the first
 * segment (`1` for every 0.7-0.9 client): that digit is what sets these
 * paths apart from 0.6's `/<resource>/<transport>/...` and Engine.IO's
 * `/<resource>/?EIO=`.
 */
export function parseV09Path(pathname: string, prefix: string): V09Path | null {
  if (!pathname.startsWith(prefix)) return null;
  const rest = pathname.substring(prefix.length);
  if (isClientFile(rest)) return { kind: 'client', file: rest };
  const parts = rest.split('/', 5);
  const [version, transport, sessionId, tail] = parts;
  if (!VERSION.test(version)) return null;
  if (parts.length === 1 || (parts.length === 2 && transport === '')) return { kind: 'handshake', version };
  const trailing = parts.length === 3 || (parts.length === 4 && tail === '');
  if (trailing && sessionId !== '') return { kind: 'transport', version, transport, sessionId };
  return { kind: 'malformed', version };
}
