import { randomBytes } from 'node:crypto';
import { SettingsError } from './errors';
import { createDefaultLogger, type Logger } from './logger';
import type { ConnectionClass } from './connection';
import { TRANSPORT_NAMES, isTransportName, type TransportName } from './protocols/v06/transport-names';

/**
 * Settings of one router (Tornadio's `get_router(..., settings)`), in
 * camelCase. Durations are in seconds, fractions allowed. What each key means,
 * its default and its check live in one place: `ROUTER_SETTINGS` below.
 */
export interface RouterSettings {
  enabledProtocols?: readonly TransportName[];
  sessionCheckInterval?: number;
  sessionExpiry?: number;
  heartbeatInterval?: number;
  heartbeatTimeout?: number;
  closeTimeout?: number;
  xhrPollingTimeout?: number;
  resource?: string;
  extraRe?: RegExp | string | null;
  extraSep?: string;
  origins?: readonly string[];
  maxMessageSize?: number;
  handshakeTimeout?: number;
  maxBodySize?: number;
  maxQueuedMessages?: number;
  maxQueuedBytes?: number;
  maxSessions?: number | null;
  maxUrlLength?: number;
  serveClient?: boolean;
  clientBundle?: '0.6' | 'v4';
  framing?: '0.6' | 'annotated';
  trustProxy?: boolean;
  pingInterval?: number;
  pingTimeout?: number;
  maxPayload?: number;
  connectTimeout?: number;
  allowEIO3?: boolean;
  cors?: CorsSetting | null;
  namespaces?: Readonly<Record<string, ConnectionClass>>;
  cluster?: ClusterSettings | null;
  recovery?: RecoverySettings | null;
  logger?: Logger;
}

/** `recovery`: connection state recovery for v4 clients (socket.io 4.6's `connectionStateRecovery`). */
export interface RecoverySettings {
  maxDisconnection?: number;
  maxMissed?: number;
}

/** `cluster`: this router is one node of several that share a Redis server (see `CLUSTER_SETTINGS`). */
export interface ClusterSettings {
  redis: string;
  nodeId?: string;
  address?: string | null;
  requestTimeout?: number;
  heartbeatInterval?: number;
  maxPending?: number;
}

/** Which origins an Engine.IO response lets a browser read: `'*'`, a list, or `{ origin, credentials }`. */
export type CorsSetting = '*' | readonly string[] | { readonly origin: '*' | string | readonly string[]; readonly credentials?: boolean };

/** Settings of an `Application` (Tornadio's application settings); see `APPLICATION_SETTINGS`. */
export interface ApplicationSettings {
  socketIoPort?: number;
  socketIoAddress?: string;
  flashPolicyPort?: number;
  flashPolicyFile?: string | null;
  headersTimeout?: number;
  requestTimeout?: number;
  keepAliveTimeout?: number;
  httpLane?: boolean;
  logger?: Logger;
}

export type SettingUnit = 'seconds' | 'bytes' | 'count' | 'characters' | 'port' | '';

/** One row of a settings table: everything tornadio knows about one key. */
export interface Setting<In, Out = In> {
  /** The value when the key is not given (a function for defaults built per router, like the logger). */
  readonly default: In | (() => In);
  readonly unit: SettingUnit;
  /** The README's "meaning" column, word for word (a test holds them equal). */
  readonly doc: string;
  /** How the default reads in the README, when `String(default)` would not do. */
  readonly shownDefault?: string;
  /** Throws a SettingsError naming the key for a value of the wrong type or range. */
  readonly check: (key: string, value: unknown) => void;
  /** Turns a checked value into the form the code uses (a Set, a RegExp…). */
  readonly resolve?: (value: In) => Out;
}

type Check = (key: string, value: unknown) => void;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

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

const transportList: Check = (key, value) => {
  if (!Array.isArray(value)) throw new SettingsError(key, `expected an array of transport names, got ${describe(value)}`);
  for (const name of value) {
    if (typeof name !== 'string' || !isTransportName(name)) {
      throw new SettingsError(key, `unknown protocol ${describe(name)}; known: ${TRANSPORT_NAMES.join(', ')}`);
    }
  }
};

const corsSetting: Check = (key, value) => {
  if (value === null || value === '*') return;
  const origins = typeof value === 'object' && !Array.isArray(value) ? (value as { origin?: unknown }).origin : value;
  const list = origins === '*' || typeof origins === 'string' ? [origins] : origins;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    throw new SettingsError(key, `expected '*', a list of origins, or { origin, credentials }, got ${describe(value)}`);
  }
  const credentials = typeof value === 'object' && !Array.isArray(value) ? (value as { credentials?: unknown }).credentials : undefined;
  if (credentials !== undefined && typeof credentials !== 'boolean') throw new SettingsError(`${key}.credentials`, 'expected true or false');
};

const namespaceTable: Check = (key, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsError(key, `expected an object of namespace → SocketConnection subclass, got ${describe(value)}`);
  }
  for (const [name, connectionClass] of Object.entries(value)) {
    if (!name.startsWith('/')) throw new SettingsError(`${key}.${name}`, 'a namespace starts with "/"');
    if (typeof connectionClass !== 'function') throw new SettingsError(`${key}.${name}`, 'expected a SocketConnection subclass');
  }
};

const resourcePath: Check = (key, value) => {
  string(key, value);
  const text = value as string;
  if (text === '' || text.startsWith('/') || text.endsWith('/') || !/^[A-Za-z0-9._~!$&'()*+,;=:@/-]+$/.test(text)) {
    throw new SettingsError(key, `expected path segments without leading or trailing "/", got ${describe(value)}`);
  }
};

const regExpOrSource: Check = (key, value) => {
  if (value === null || value instanceof RegExp) return;
  string(key, value);
  try {
    new RegExp(value as string);
  } catch (error) {
    throw new SettingsError(key, `not a valid regular expression: ${(error as Error).message}`);
  }
};

const originList: Check = (key, value) => {
  if (!Array.isArray(value)) throw new SettingsError(key, `expected an array of "host:port" patterns, got ${describe(value)}`);
  for (const entry of value) {
    if (typeof entry !== 'string' || !/^[^:\s]+:(\*|\d{1,5})$/.test(entry)) {
      throw new SettingsError(key, `expected entries like "host:port", "host:*" or "*:port", got ${describe(entry)}`);
    }
  }
};

/** A count of things: a positive whole number. */
const count = (value: number, doc: string): Setting<number> => ({ default: value, unit: 'count', doc, check: positiveInteger });

/** A duration: given in seconds, also resolved to milliseconds under `settings.ms`. */
const seconds = (value: number, doc: string): Setting<number> & { readonly unit: 'seconds' } => ({
  default: value,
  unit: 'seconds',
  doc,
  check: positiveSeconds,
});
/** Sizes read better rounded: 1000000 as "1 MB", 16777216 as "16 MiB". */
function shownSize(value: number): string {
  if (value % (1024 * 1024) === 0) return `\`${value}\` (${value / (1024 * 1024)} MiB)`;
  if (value % 1_000_000 === 0) return `\`${value}\` (${value / 1_000_000} MB)`;
  return `\`${value}\``;
}
const bytes = (value: number, doc: string): Setting<number> => ({
  default: value,
  unit: 'bytes',
  doc,
  shownDefault: shownSize(value),
  check: positiveInteger,
});
const flag = (value: boolean, doc: string): Setting<boolean> => ({ default: value, unit: '', doc, check: boolean });
const loggerSetting = (doc: string): Setting<Logger> => ({
  default: createDefaultLogger,
  unit: '',
  doc,
  shownDefault: 'silent (`NODE_DEBUG=tornadio` writes to stderr)',
  check: logger,
});

type Given<S, K extends keyof S> = Exclude<S[K], undefined>;
/** What a key holds after resolution: its given type unless the table resolves it into something else. */
type Resolved<S, Overrides> = { readonly [K in keyof Required<S>]: K extends keyof Overrides ? Overrides[K] : Given<S, K> };
type Table<S, Overrides> = { readonly [K in keyof Required<S>]: Setting<Given<S, K>, Resolved<S, Overrides>[K]> };

/** Router keys that the table turns into another form. */
interface RouterResolvedForms {
  enabledProtocols: ReadonlySet<TransportName>;
  extraRe: RegExp | null;
  cluster: ResolvedClusterSettings | null;
  recovery: ResolvedRecoverySettings | null;
}

const redisUrl: Check = (key, value) => {
  if (typeof value !== 'string' || !/^rediss?:\/\//.test(value)) throw new SettingsError(key, `expected a redis:// or rediss:// URL, got ${describe(value)}`);
};

const httpAddress: Check = (key, value) => {
  if (value === null) return;
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search) {
    throw new SettingsError(key, `expected an http:// or https:// origin like 'http://10.0.0.5:8001', got ${describe(value)}`);
  }
};

const nodeName: Check = (key, value) => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(value)) {
    throw new SettingsError(key, `expected 1 to 64 letters, digits or . _ : -, got ${describe(value)}`);
  }
};

/** The cluster's settings (the router setting `cluster`), described like the others; errors name `cluster.<key>`. */
export const CLUSTER_SETTINGS = {
  redis: { default: '', unit: '', shownDefault: 'required', doc: "the Redis server every node shares, as a URL (`'redis://10.0.0.2:6379'`)", check: redisUrl },
  nodeId: {
    default: () => randomBytes(6).toString('hex'),
    unit: '',
    shownDefault: 'random',
    doc: "this node's name in the cluster: `fetchConnections` and `clusterStats` report it, and every session id this node issues is tagged with it",
    check: nodeName,
  },
  address: {
    default: null,
    unit: '',
    doc: "where the other nodes reach this one over HTTP (`'http://10.0.0.5:8001'`); a request for one of its sessions landing elsewhere is forwarded there. Without it, requests for its sessions that land on another node are refused as unknown.",
    check: httpAddress,
  },
  requestTimeout: seconds(5, '`fetchConnections` and `clusterStats` wait this long for the other nodes; one that does not answer is left out (and listed with an error by `clusterStats`)'),
  heartbeatInterval: seconds(2, 'how often a node renews its entry in the node directory; a node silent for three of them is taken for dead'),
  maxPending: count(10_000, 'most cross-node messages held while Redis is unreachable (sent in order once it is back); past it they are dropped, counted and logged'),
} satisfies Table<ClusterSettings, object>;

export type ResolvedClusterSettings = ResolvedSettings<ClusterSettings, object, typeof CLUSTER_SETTINGS>;

function resolveClusterSettings(value: ClusterSettings): ResolvedClusterSettings {
  const resolved = resolveTable<ResolvedClusterSettings>(CLUSTER_SETTINGS, value, 'cluster', 'cluster.');
  if (resolved.redis === '') throw new SettingsError('cluster.redis', 'is required: the URL of the Redis server every node shares');
  return resolved;
}

/** Connection state recovery's settings (the router setting `recovery`); errors name `recovery.<key>`. */
export const RECOVERY_SETTINGS = {
  maxDisconnection: seconds(120, 'a v4 connection that comes back within this long gets its id, rooms and missed packets back'),
  maxMissed: count(1000, 'most packets kept for one dropped connection (and recent ones kept per live connection, for those lost in flight); past it the oldest go and that connection is not recovered'),
} satisfies Table<RecoverySettings, object>;

export type ResolvedRecoverySettings = ResolvedSettings<RecoverySettings, object, typeof RECOVERY_SETTINGS>;

/** A group of settings with a table of its own (`cluster`, `recovery`), off when null; its errors name `<group>.<key>`. */
function settingsGroup<In extends object, Out>(shape: string, doc: string, resolveGroup: (value: In) => Out): Setting<In | null, Out | null> {
  return {
    default: null,
    unit: '',
    doc,
    check: (key, value) => {
      if (value === null) return;
      if (typeof value !== 'object' || Array.isArray(value)) throw new SettingsError(key, `expected ${shape}, got ${describe(value)}`);
      resolveGroup(value as In);
    },
    resolve: (value) => (value === null ? null : resolveGroup(value)),
  };
}

/** The router's settings: the one place each key is described, defaulted and checked. */
export const ROUTER_SETTINGS = {
  enabledProtocols: {
    default: TRANSPORT_NAMES,
    unit: '',
    shownDefault: 'all six',
    doc: 'transports clients may use; others are refused with 403',
    check: transportList,
    resolve: (names: readonly TransportName[]): ReadonlySet<TransportName> => new Set(names),
  },
  sessionCheckInterval: seconds(15, 'how often sessions are swept for expiry'),
  sessionExpiry: seconds(30, 'a session with no request attached for this long is closed (sliding: every poll restarts the clock)'),
  heartbeatInterval: seconds(
    12,
    'time between `~h~n` heartbeats on websocket, flashsocket, xhr-multipart and htmlfile, and `2::` heartbeats on every 0.9 transport; a heartbeat not echoed by the next one closes the connection. Keep it under the 0.6 client\'s 15 s.',
  ),
  xhrPollingTimeout: seconds(20, "a long-poll with nothing to send is answered empty after this long. Keep it under the client's 25 s."),
  heartbeatTimeout: seconds(
    17,
    "0.9 clients: advertised in the handshake; a websocket or htmlfile client that hears nothing for this long drops the connection. Keep it above `heartbeatInterval` (Tornadio2's `heartbeat_interval` + `client_timeout`).",
  ),
  closeTimeout: seconds(
    25,
    "0.9 clients: advertised in the handshake; a polling client that gets no answer for this long drops the connection, and a session with no request attached for this long is closed. Keep it above `xhrPollingTimeout` (Tornadio2's `xhr_polling_timeout` + `client_timeout`).",
  ),
  resource: {
    default: 'socket.io',
    unit: '',
    doc: "the path under which every URL lives (`/socket.io/...`); may have several segments (`'chat/socket.io'`)",
    check: resourcePath,
  },
  extraRe: {
    default: null,
    unit: '',
    doc: "Tornadio's `extra_re`: a pattern for an extra path part between the resource and the transport (`/socket.io/<extra>/websocket`), handed to `onOpen` as `info.extra`. Set the client's `resource` to `'socket.io/<extra>'` to use it.",
    check: regExpOrSource,
    resolve: (value: RegExp | string | null): RegExp | null =>
      value === null ? null : new RegExp(typeof value === 'string' ? value : value.source),
  },
  extraSep: { default: '/', unit: '', doc: "Tornadio's `extra_sep`: what separates the resource from the extra part", check: string },
  origins: {
    default: ['*:*'],
    unit: '',
    shownDefault: "`['*:*']`",
    doc: "allowed origins, as `host:port`, `host:*`, `*:port` or `*:*` (the 0.6 server's format). Requests with a disallowed `Origin` get 403 and no session.",
    check: originList,
    resolve: (value: readonly string[]): readonly string[] => [...value],
  },
  maxMessageSize: bytes(1_000_000, 'largest websocket message; a larger one closes the socket with 1009'),
  handshakeTimeout: seconds(5, 'hixie-76 websocket and flashsocket clients: the 8 key bytes after the handshake headers must arrive within this long, or the connection is closed'),
  maxBodySize: bytes(1_000_000, 'largest POST body; a larger one is answered 413 as soon as the count passes the limit'),
  maxQueuedMessages: count(10_000, 'most messages queued for one session (a client that stopped polling); past it the session is closed and logged'),
  maxQueuedBytes: bytes(
    16 * 1024 * 1024,
    "most bytes queued for one session, a websocket's unsent buffer included (a peer that stopped reading); past it the session is closed and logged",
  ),
  maxSessions: {
    default: null,
    unit: 'count',
    doc: 'most sessions open at once per router; a new client beyond it gets 503 (no limit when null)',
    check: nullable(positiveInteger),
  },
  maxUrlLength: { default: 4096, unit: 'characters', doc: 'longest request URL; a longer one gets 414', check: positiveInteger },
  serveClient: flag(true, 'serve the browser clients: `/<resource>/socket.io.js` (the generation `clientBundle` names), `socket.io-0.9.js`, `socket.io-2.js`, `socket.io.min.js` (with ETag, 304 and gzip)'),
  clientBundle: {
    default: '0.6',
    unit: '',
    doc: "which browser client `/<resource>/socket.io.js` serves: `'0.6'`, or `'v4'` (socket.io-client 4.x, always at `/<resource>/socket.io.min.js` too)",
    check: (key, value) => {
      if (value !== '0.6' && value !== 'v4') throw new SettingsError(key, `expected '0.6' or 'v4', got ${describe(value)}`);
    },
  },
  framing: {
    default: '0.6',
    unit: '',
    doc: "how the 0.6 transports frame messages: `'0.6'` (`~m~`), or `'annotated'`, the seed fork's `(type):(length):(data),` with realms as namespaces (see [the annotated framing](#the-seed-forks-annotated-framing))",
    check: (key, value) => {
      if (value !== '0.6' && value !== 'annotated') throw new SettingsError(key, `expected '0.6' or 'annotated', got ${describe(value)}`);
    },
  },
  trustProxy: flag(false, 'behind a reverse proxy: take `info.request.remoteAddress` from the first `X-Forwarded-For` hop'),
  pingInterval: seconds(25, 'Engine.IO clients: time between the server\'s pings (advertised in the handshake)'),
  pingTimeout: seconds(20, 'Engine.IO clients: a client that does not answer a ping within this long is closed'),
  maxPayload: bytes(1_000_000, 'Engine.IO clients: largest POST body or websocket message (advertised in the handshake); larger is 413 or close 1009'),
  connectTimeout: seconds(45, 'Engine.IO clients: a transport session that joins no namespace within this long is closed'),
  allowEIO3: flag(true, 'accept Engine.IO 3 clients (socket.io-client 2.x, `EIO=3`); when false they are refused with 400 and engine.io\'s code 5 (unsupported protocol version)'),
  cors: {
    default: null,
    unit: '',
    doc: "Engine.IO clients: `'*'`, a list of origins, or `{ origin, credentials }`; answered on every Engine.IO response and preflight (with credentials the origin is echoed, never `*`). None when null.",
    check: corsSetting,
  },
  namespaces: {
    default: {},
    unit: '',
    shownDefault: '`{}`',
    doc: "namespaces besides `/` and the `SocketConnection` subclass of each (`{ '/admin': AdminConnection }`); a client asking for another is refused",
    check: namespaceTable,
  },
  cluster: settingsGroup(
    '{ redis, nodeId, address }',
    'run as one node of several sharing Redis: `{ redis, nodeId, address, … }` (see [clusters](#running-on-several-processes-or-machines)). None when null.',
    resolveClusterSettings,
  ),
  recovery: settingsGroup(
    '{ maxDisconnection }',
    'connection state recovery for v4 clients: `{ maxDisconnection, maxMissed }` (see [recovery](#connection-state-recovery)). Off when null.',
    (value: RecoverySettings) => resolveTable<ResolvedRecoverySettings>(RECOVERY_SETTINGS, value, 'recovery', 'recovery.'),
  ),
  logger: loggerSetting('where the router logs (see [logging](#tls-proxies-logging-shutdown))'),
} satisfies Table<RouterSettings, RouterResolvedForms>;

/** The application's settings, described the same way. */
export const APPLICATION_SETTINGS = {
  socketIoPort: { default: 8001, unit: 'port', doc: 'HTTP port (`0` picks a free one)', check: port },
  socketIoAddress: { default: '', unit: '', doc: 'address to bind; empty means every interface', check: string },
  flashPolicyPort: { default: 843, unit: 'port', doc: 'port of the Flash policy server', check: port },
  flashPolicyFile: {
    default: null,
    unit: '',
    doc: 'path of the policy file; the policy server runs only when this is set and a router enables `flashsocket`. An unreadable file throws at `new SocketServer`, naming the setting.',
    check: nullable(string),
  },
  headersTimeout: seconds(20, 'time a client has to send its request headers (slow-loris guard)'),
  requestTimeout: seconds(
    30,
    'time a client has to send a whole request, body included; must be ≥ `headersTimeout`. Long-poll and streaming *responses* are not limited by it.',
  ),
  keepAliveTimeout: seconds(5, 'time an idle keep-alive connection is held between requests'),
  httpLane: {
    default: true,
    unit: '',
    doc: "Engine.IO requests (handshakes, polls, posts, upgrades), 0.6 and 0.9 polls and posts (xhr-polling, jsonp-polling; 0.9's handshake too) and 0.6 websocket upgrades are read by tornadio's own HTTP/1.1 reader, not node:http, and so never reach `server.httpServer`'s `request` and `upgrade` events (see [Architecture](#architecture)); `false` leaves every request to node:http",
    check: boolean,
  },
  logger: loggerSetting('where the server logs'),
} satisfies Table<ApplicationSettings, object>;

type DurationKeys<T> = { [K in keyof T]: T[K] extends { unit: 'seconds' } ? K : never }[keyof T];

/** Settings after validation: every key present, and every duration also in milliseconds under `ms`. */
export type ResolvedSettings<S, Overrides, T> = Resolved<S, Overrides> & {
  /** Durations converted once, here: no other code multiplies seconds by 1000. */
  readonly ms: { readonly [K in DurationKeys<T>]: number };
};

export type ResolvedRouterSettings = ResolvedSettings<RouterSettings, RouterResolvedForms, typeof ROUTER_SETTINGS>;
export type ResolvedApplicationSettings = ResolvedSettings<ApplicationSettings, object, typeof APPLICATION_SETTINGS>;

type AnyTable = Readonly<Record<string, Setting<unknown, unknown>>>;

/** Checks every given key against its table (unknown keys are errors, not silently ignored typos), then fills in defaults. */
function resolveTable<R>(table: object, given: unknown, what: string, keyPrefix = ''): R {
  const rows = table as unknown as AnyTable;
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new SettingsError(what, 'expected an object of settings');
  }
  const values = (given ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    const row = rows[key];
    if (!row) throw new SettingsError(keyPrefix + key, `unknown ${what} setting; known: ${Object.keys(rows).join(', ')}`);
    if (value !== undefined) row.check(keyPrefix + key, value);
  }
  const resolved: Record<string, unknown> = {};
  const ms: Record<string, number> = {};
  for (const [key, row] of Object.entries(rows)) {
    const raw = values[key] !== undefined ? values[key] : typeof row.default === 'function' ? (row.default as () => unknown)() : row.default;
    resolved[key] = row.resolve ? row.resolve(raw) : raw;
    if (row.unit === 'seconds') ms[key] = Math.round((raw as number) * 1000);
  }
  resolved.ms = ms;
  return resolved as R;
}

export function resolveRouterSettings(settings?: RouterSettings): ResolvedRouterSettings {
  return resolveTable<ResolvedRouterSettings>(ROUTER_SETTINGS, settings, 'router');
}

export function resolveApplicationSettings(settings?: ApplicationSettings): ResolvedApplicationSettings {
  const resolved = resolveTable<ResolvedApplicationSettings>(APPLICATION_SETTINGS, settings, 'application');
  if (resolved.headersTimeout > resolved.requestTimeout) {
    throw new SettingsError(
      'headersTimeout',
      `must not exceed requestTimeout (${resolved.requestTimeout} s), got ${resolved.headersTimeout} s`,
    );
  }
  return resolved;
}

/** A table's defaults as plain values (what `ROUTER_DEFAULTS` exports; the logger's is built per router). */
function defaultsOf<S>(table: object): { readonly [K in keyof S]-?: Exclude<S[K], undefined> } {
  const defaults: Record<string, unknown> = {};
  for (const [key, row] of Object.entries(table as AnyTable)) if (typeof row.default !== 'function') defaults[key] = row.default;
  return defaults as { readonly [K in keyof S]-?: Exclude<S[K], undefined> };
}

export const ROUTER_DEFAULTS = defaultsOf<Omit<RouterSettings, 'logger'>>(ROUTER_SETTINGS);
export const APPLICATION_DEFAULTS = defaultsOf<Omit<ApplicationSettings, 'logger'>>(APPLICATION_SETTINGS);

/** One README row per key: `| key | default | unit | meaning |`, as the README's tables print them. */
export function settingsTableRows(table: AnyTable | object): string[] {
  return Object.entries(table as AnyTable).map(([key, row]) => {
    const shown = row.shownDefault ?? `\`${typeof row.default === 'string' ? `'${row.default}'` : JSON.stringify(row.default)}\``;
    return `| \`${key}\` | ${shown} | ${row.unit} | ${row.doc} |`;
  });
}
