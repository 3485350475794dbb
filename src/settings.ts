import { SettingsError } from './errors';
import { createDefaultLogger, type Logger } from './logger';

/** The six transports of Socket.IO 0.6, in the order the 0.6 client prefers them. */
export const TRANSPORT_NAMES = [
  'websocket',
  'flashsocket',
  'htmlfile',
  'xhr-multipart',
  'xhr-polling',
  'jsonp-polling',
] as const;

export type TransportName = (typeof TRANSPORT_NAMES)[number];

export function isTransportName(name: string): name is TransportName {
  return (TRANSPORT_NAMES as readonly string[]).includes(name);
}

/**
 * Settings of one router (Tornadio's `get_router(..., settings)`), in
 * camelCase. Durations are in seconds, fractions allowed.
 */
export interface RouterSettings {
  /** Transports clients may use. @default all six */
  enabledProtocols?: readonly TransportName[];
  /** How often idle polling sessions are swept, in seconds. @default 15 */
  sessionCheckInterval?: number;
  /** A polling session with no GET for this long is closed, in seconds. @default 30 */
  sessionExpiry?: number;
  /** Seconds between `~h~` heartbeats on streaming transports; keep it under the client's 15 s. @default 12 */
  heartbeatInterval?: number;
  /** A long-poll GET with nothing to send answers empty after this many seconds; keep it under the client's 25 s. @default 20 */
  xhrPollingTimeout?: number;
  /** The first path segment(s) of every socket.io URL, without slashes at the ends. @default 'socket.io' */
  resource?: string;
  /**
   * Tornadio's `extra_re`: a pattern for extra path segments between the
   * resource and the transport name (`/socket.io/<extra>/websocket`), handed
   * to `onOpen` as `info.extra`. @default null (none)
   */
  extraRe?: RegExp | string | null;
  /** Tornadio's `extra_sep`: what stands between the resource and the extra part. @default '/' */
  extraSep?: string;
  /**
   * Origins allowed to connect, as `host:port`, `host:*`, `*:port` or `*:*`
   * (the 0.6 server's format). @default ['*:*']
   */
  origins?: readonly string[];
  /** Largest websocket message accepted, in bytes; a larger one closes with 1009. @default 1_000_000 */
  maxMessageSize?: number;
  /** Largest POST body accepted, in bytes; a larger one is answered 413. @default 1_000_000 */
  maxBodySize?: number;
  /**
   * Most messages queued for one session (a polling client that stopped
   * polling); past it the session is closed and logged. @default 10_000
   */
  maxQueuedMessages?: number;
  /**
   * Most bytes queued for one session, counting a websocket's unsent buffer;
   * past it the session is closed and logged. @default 16_777_216 (16 MiB)
   */
  maxQueuedBytes?: number;
  /** Most sessions open at once; a new client beyond it is answered 503. @default null (no limit) */
  maxSessions?: number | null;
  /** Longest request URL accepted; a longer one is answered 414. @default 4096 */
  maxUrlLength?: number;
  /** Serve the 0.6 browser client at `/<resource>/socket.io.js`. @default true */
  serveClient?: boolean;
  /** Behind a reverse proxy: take `info.request.remoteAddress` from the first `X-Forwarded-For` hop. @default false */
  trustProxy?: boolean;
  /** Where the router logs. @default silent unless NODE_DEBUG=tornadio */
  logger?: Logger;
}

export interface ResolvedRouterSettings {
  enabledProtocols: ReadonlySet<TransportName>;
  sessionCheckInterval: number;
  sessionExpiry: number;
  heartbeatInterval: number;
  xhrPollingTimeout: number;
  resource: string;
  extraRe: RegExp | null;
  extraSep: string;
  origins: readonly string[];
  maxMessageSize: number;
  maxBodySize: number;
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  maxSessions: number | null;
  maxUrlLength: number;
  serveClient: boolean;
  trustProxy: boolean;
  logger: Logger;
}

export const ROUTER_DEFAULTS = {
  enabledProtocols: TRANSPORT_NAMES,
  sessionCheckInterval: 15,
  sessionExpiry: 30,
  heartbeatInterval: 12,
  xhrPollingTimeout: 20,
  resource: 'socket.io',
  extraRe: null,
  extraSep: '/',
  origins: ['*:*'],
  maxMessageSize: 1_000_000,
  maxBodySize: 1_000_000,
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxSessions: null,
  maxUrlLength: 4096,
  serveClient: true,
  trustProxy: false,
} as const;

/** Settings of an `Application` (Tornadio's application settings). */
export interface ApplicationSettings {
  /** Port the HTTP server listens on; 0 picks a free one. @default 8001 */
  socketIoPort?: number;
  /** Address the HTTP server binds. @default '' (every interface) */
  socketIoAddress?: string;
  /** Port of the Flash policy server. @default 843 */
  flashPolicyPort?: number;
  /** Path of the Flash policy file; the policy server starts only when this is set and flashsocket is enabled. @default null */
  flashPolicyFile?: string | null;
  /** Seconds a client has to send its request headers (slow-loris guard). @default 20 */
  headersTimeout?: number;
  /** Seconds a client has to send a whole request, body included. Long-poll responses are not affected. @default 30 */
  requestTimeout?: number;
  /** Seconds an idle keep-alive connection is held between requests. @default 5 */
  keepAliveTimeout?: number;
  /** Where the application logs. @default silent unless NODE_DEBUG=tornadio */
  logger?: Logger;
}

export interface ResolvedApplicationSettings {
  socketIoPort: number;
  socketIoAddress: string;
  flashPolicyPort: number;
  flashPolicyFile: string | null;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  logger: Logger;
}

export const APPLICATION_DEFAULTS = {
  socketIoPort: 8001,
  socketIoAddress: '',
  flashPolicyPort: 843,
  flashPolicyFile: null,
  headersTimeout: 20,
  requestTimeout: 30,
  keepAliveTimeout: 5,
} as const;

type Check = (key: string, value: unknown) => void;

const positiveSeconds: Check = (key, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SettingsError(key, `expected a positive number of seconds, got ${describe(value)}`);
  }
};

const positiveInteger: Check = (key, value) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SettingsError(key, `expected a positive integer, got ${describe(value)}`);
  }
};

const port: Check = (key, value) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new SettingsError(key, `expected a port number from 0 to 65535, got ${describe(value)}`);
  }
};

const string: Check = (key, value) => {
  if (typeof value !== 'string') throw new SettingsError(key, `expected a string, got ${describe(value)}`);
};

const boolean: Check = (key, value) => {
  if (typeof value !== 'boolean') throw new SettingsError(key, `expected true or false, got ${describe(value)}`);
};

const logger: Check = (key, value) => {
  const candidate = value as Partial<Logger> | null;
  const levels = ['debug', 'info', 'warn', 'error'] as const;
  if (typeof candidate !== 'object' || candidate === null || levels.some((level) => typeof candidate[level] !== 'function')) {
    throw new SettingsError(key, 'expected an object with debug, info, warn and error functions');
  }
};

const nullable =
  (check: Check): Check =>
  (key, value) => {
    if (value !== null) check(key, value);
  };

const enabledProtocols: Check = (key, value) => {
  if (!Array.isArray(value)) throw new SettingsError(key, `expected an array of transport names, got ${describe(value)}`);
  for (const name of value) {
    if (typeof name !== 'string' || !isTransportName(name)) {
      throw new SettingsError(key, `unknown protocol ${describe(name)}; known: ${TRANSPORT_NAMES.join(', ')}`);
    }
  }
};

const resource: Check = (key, value) => {
  string(key, value);
  const text = value as string;
  if (text === '' || text.startsWith('/') || text.endsWith('/') || !/^[A-Za-z0-9._~!$&'()*+,;=:@/-]+$/.test(text)) {
    throw new SettingsError(key, `expected path segments without leading or trailing "/", got ${describe(value)}`);
  }
};

const extraRe: Check = (key, value) => {
  if (value === null || value instanceof RegExp) return;
  string(key, value);
  try {
    new RegExp(value as string);
  } catch (error) {
    throw new SettingsError(key, `not a valid regular expression: ${(error as Error).message}`);
  }
};

const origins: Check = (key, value) => {
  if (!Array.isArray(value)) throw new SettingsError(key, `expected an array of "host:port" patterns, got ${describe(value)}`);
  for (const entry of value) {
    if (typeof entry !== 'string' || !/^[^:\s]+:(\*|\d{1,5})$/.test(entry)) {
      throw new SettingsError(key, `expected entries like "host:port", "host:*" or "*:port", got ${describe(entry)}`);
    }
  }
};

const routerChecks: Record<keyof RouterSettings, Check> = {
  enabledProtocols,
  sessionCheckInterval: positiveSeconds,
  sessionExpiry: positiveSeconds,
  heartbeatInterval: positiveSeconds,
  xhrPollingTimeout: positiveSeconds,
  resource,
  extraRe,
  extraSep: string,
  origins,
  maxMessageSize: positiveInteger,
  maxBodySize: positiveInteger,
  maxQueuedMessages: positiveInteger,
  maxQueuedBytes: positiveInteger,
  maxSessions: nullable(positiveInteger),
  maxUrlLength: positiveInteger,
  serveClient: boolean,
  trustProxy: boolean,
  logger,
};

const applicationChecks: Record<keyof ApplicationSettings, Check> = {
  socketIoPort: port,
  socketIoAddress: string,
  flashPolicyPort: port,
  flashPolicyFile: nullable(string),
  headersTimeout: positiveSeconds,
  requestTimeout: positiveSeconds,
  keepAliveTimeout: positiveSeconds,
  logger,
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Checks every given key against its table; unknown keys are errors, not silently ignored typos. */
function validate<T extends object>(settings: unknown, checks: Record<string, Check>, what: string): Partial<T> {
  if (settings === undefined) return {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new SettingsError(what, 'expected an object of settings');
  }
  for (const [key, value] of Object.entries(settings)) {
    const check = checks[key];
    if (!check) throw new SettingsError(key, `unknown ${what} setting; known: ${Object.keys(checks).join(', ')}`);
    if (value !== undefined) check(key, value);
  }
  return settings as Partial<T>;
}

export function resolveRouterSettings(settings?: RouterSettings): ResolvedRouterSettings {
  const given = validate<RouterSettings>(settings, routerChecks, 'router');
  const extra = given.extraRe ?? ROUTER_DEFAULTS.extraRe;
  return {
    enabledProtocols: new Set(given.enabledProtocols ?? ROUTER_DEFAULTS.enabledProtocols),
    sessionCheckInterval: given.sessionCheckInterval ?? ROUTER_DEFAULTS.sessionCheckInterval,
    sessionExpiry: given.sessionExpiry ?? ROUTER_DEFAULTS.sessionExpiry,
    heartbeatInterval: given.heartbeatInterval ?? ROUTER_DEFAULTS.heartbeatInterval,
    xhrPollingTimeout: given.xhrPollingTimeout ?? ROUTER_DEFAULTS.xhrPollingTimeout,
    resource: given.resource ?? ROUTER_DEFAULTS.resource,
    extraRe: extra === null ? null : new RegExp(typeof extra === 'string' ? extra : extra.source),
    extraSep: given.extraSep ?? ROUTER_DEFAULTS.extraSep,
    origins: [...(given.origins ?? ROUTER_DEFAULTS.origins)],
    maxMessageSize: given.maxMessageSize ?? ROUTER_DEFAULTS.maxMessageSize,
    maxBodySize: given.maxBodySize ?? ROUTER_DEFAULTS.maxBodySize,
    maxQueuedMessages: given.maxQueuedMessages ?? ROUTER_DEFAULTS.maxQueuedMessages,
    maxQueuedBytes: given.maxQueuedBytes ?? ROUTER_DEFAULTS.maxQueuedBytes,
    maxSessions: given.maxSessions ?? ROUTER_DEFAULTS.maxSessions,
    maxUrlLength: given.maxUrlLength ?? ROUTER_DEFAULTS.maxUrlLength,
    serveClient: given.serveClient ?? ROUTER_DEFAULTS.serveClient,
    trustProxy: given.trustProxy ?? ROUTER_DEFAULTS.trustProxy,
    logger: given.logger ?? createDefaultLogger(),
  };
}

export function resolveApplicationSettings(settings?: ApplicationSettings): ResolvedApplicationSettings {
  const given = validate<ApplicationSettings>(settings, applicationChecks, 'application');
  const headersTimeout = given.headersTimeout ?? APPLICATION_DEFAULTS.headersTimeout;
  const requestTimeout = given.requestTimeout ?? APPLICATION_DEFAULTS.requestTimeout;
  if (headersTimeout > requestTimeout) {
    throw new SettingsError('headersTimeout', `must not exceed requestTimeout (${requestTimeout} s), got ${headersTimeout} s`);
  }
  return {
    socketIoPort: given.socketIoPort ?? APPLICATION_DEFAULTS.socketIoPort,
    socketIoAddress: given.socketIoAddress ?? APPLICATION_DEFAULTS.socketIoAddress,
    flashPolicyPort: given.flashPolicyPort ?? APPLICATION_DEFAULTS.flashPolicyPort,
    flashPolicyFile: given.flashPolicyFile ?? APPLICATION_DEFAULTS.flashPolicyFile,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: given.keepAliveTimeout ?? APPLICATION_DEFAULTS.keepAliveTimeout,
    logger: given.logger ?? createDefaultLogger(),
  };
}

export const secondsToMs = (seconds: number): number => Math.round(seconds * 1000);
