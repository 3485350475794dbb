import type { Agent } from 'node:http';

/** The transports this client speaks. */
export type ClientTransportName = 'websocket' | 'xhr-polling';

export interface SocketIoClientOptions {
  /** @default 'websocket' */
  transport?: ClientTransportName;
  /** Path segment(s) every URL lives under, as the server's `resource` setting. @default 'socket.io' */
  resource?: string;
  /** Use https/wss. @default true for an `https:` or `wss:` URL, false otherwise */
  secure?: boolean;
  /** Milliseconds to wait for the session id; 0 waits forever. @default 5000 */
  connectTimeout?: number;
  /**
   * websocket: milliseconds without any data from the server (heartbeats
   * included) before the client gives the connection up, like the 0.6 browser
   * client. Keep it above the server's `heartbeatInterval`. @default 15000
   */
  heartbeatTimeout?: number;
  /**
   * xhr-polling: milliseconds a long-poll (or a POST) may stay unanswered
   * before the client gives the connection up. Keep it above the server's
   * `xhrPollingTimeout`. @default 25000
   */
  pollTimeout?: number;
  /** Extra headers on every request (the websocket upgrade included): `Origin`, `Cookie`... */
  headers?: Record<string, string>;
  /**
   * Agent for every HTTP request (and the websocket upgrade). An `https.Agent`
   * when `secure`, e.g. with `ca` or `rejectUnauthorized: false`. @default a
   * shared keep-alive agent
   */
  agent?: Agent;
}

/** Everything a transport needs to know where and how to connect. */
export interface ResolvedClientOptions {
  transport: ClientTransportName;
  secure: boolean;
  /** Host name for `http.request` (no brackets around IPv6). */
  hostname: string;
  /** Host as it appears in a URL (brackets around IPv6). */
  urlHost: string;
  port: number;
  resource: string;
  connectTimeout: number;
  heartbeatTimeout: number;
  pollTimeout: number;
  headers: Record<string, string>;
  agent: Agent | undefined;
}

const DEFAULTS = { transport: 'websocket', resource: 'socket.io', connectTimeout: 5000, heartbeatTimeout: 15000, pollTimeout: 25000 } as const;

const PROTOCOLS: Record<string, boolean> = { 'http:': false, 'ws:': false, 'https:': true, 'wss:': true };

/** Checks the options and reads the server URL (`http://host:port`); throws a TypeError naming what is wrong. */
export function resolveClientOptions(url: string, options: SocketIoClientOptions = {}): ResolvedClientOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`tornadio client: invalid server URL ${JSON.stringify(url)}`);
  }
  const schemeSecure = PROTOCOLS[parsed.protocol];
  if (schemeSecure === undefined) throw new TypeError(`tornadio client: URL scheme must be http, https, ws or wss, got ${parsed.protocol}`);
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
    throw new TypeError(`tornadio client: give the server URL without a path (${url}); set the path with the "resource" option`);
  }
  const transport = options.transport ?? DEFAULTS.transport;
  if (transport !== 'websocket' && transport !== 'xhr-polling') {
    throw new TypeError(`tornadio client: option "transport" must be "websocket" or "xhr-polling", got ${JSON.stringify(transport)}`);
  }
  const resource = (options.resource ?? DEFAULTS.resource).replace(/^\/+|\/+$/g, '');
  if (resource === '') throw new TypeError('tornadio client: option "resource" must not be empty');
  const secure = options.secure ?? schemeSecure;
  return {
    transport,
    secure,
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    urlHost: parsed.hostname,
    port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
    resource,
    connectTimeout: duration('connectTimeout', options.connectTimeout ?? DEFAULTS.connectTimeout, true),
    heartbeatTimeout: duration('heartbeatTimeout', options.heartbeatTimeout ?? DEFAULTS.heartbeatTimeout, false),
    pollTimeout: duration('pollTimeout', options.pollTimeout ?? DEFAULTS.pollTimeout, false),
    headers: { ...options.headers },
    agent: options.agent,
  };
}

function duration(key: string, value: number, zeroAllowed: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`tornadio client: option "${key}" must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of milliseconds, got ${String(value)}`);
  }
  return value;
}
