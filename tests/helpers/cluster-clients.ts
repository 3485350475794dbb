import { io, type Socket } from 'socket.io-client';
import { decodePayload } from '../../src/protocols/v09/codec';
import { waitForCallback } from './callback';
import { connect as connect06, type TestClient } from './test-client';

/** A socket.io-client 4.x client that records every event it gets, in order. */
export interface V4Client {
  readonly socket: Socket;
  /** Every event received, as [event, ...args]. */
  readonly events: unknown[][];
  /** The node serving it (asked over `whoami`). */
  whoami(): Promise<string>;
  /** Resolves when `count` events named `event` have come (fails after `timeoutMs`). */
  waitForEvents(event: string, count: number, timeoutMs?: number): Promise<unknown[][]>;
  close(): void;
}

export interface V4Options {
  rooms?: string[];
  transports?: Array<'polling' | 'websocket'>;
  upgrade?: boolean;
  reconnection?: boolean;
  timeoutMs?: number;
}

/** Connects a v4 client to `url` and waits for its CONNECT; its rooms are joined by the node's onOpen. */
export async function connectV4(url: string, options: V4Options = {}): Promise<V4Client> {
  const socket = io(url, {
    transports: options.transports ?? ['websocket'],
    upgrade: options.upgrade ?? true,
    auth: { rooms: options.rooms ?? [] },
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
    timeout: options.timeoutMs ?? 10000,
  });
  const events: unknown[][] = [];
  socket.onAny((event: string, ...args: unknown[]) => events.push([event, ...args]));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`v4 connect to ${url} timed out`)), options.timeoutMs ?? 10000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(error);
    });
  });
  const client: V4Client = {
    socket,
    events,
    whoami: () => socket.timeout(10000).emitWithAck('whoami') as Promise<string>,
    async waitForEvents(event, count, timeoutMs = 10000) {
      const matching = () => events.filter(([name]) => name === event);
      await waitForCallback<void>(
        `${count} '${event}' events (have ${matching().length})`,
        (done) => {
          const check = () => {
            if (matching().length < count) return;
            socket.offAny(check);
            done();
          };
          socket.onAny(check);
          check();
        },
        timeoutMs,
      );
      return matching();
    },
    close: () => void socket.disconnect(),
  };
  return client;
}

/** A 0.6 client on `port` that joins `rooms` (the node's onOpen reads the x-join header). */
export function connect06InRooms(transport: 'xhr-polling' | 'websocket', port: number, rooms: string[]): Promise<TestClient> {
  return connect06(transport, port, { headers: { 'x-join': rooms.join(',') } }, 10000);
}

/** The `{name, args}` messages a 0.6 client got for events named `event`, as their arguments. */
export function eventArgs06(client: TestClient, event: string): unknown[][] {
  return client.messages
    .filter((message) => message.startsWith('~j~'))
    .map((message) => JSON.parse(message.substring(3)) as { name?: string; args?: unknown[] })
    .filter((message) => message.name === event)
    .map((message) => message.args ?? []);
}

/** Waits until predicate holds, asking again every `everyMs` (for state only a node process can report). */
export async function eventually(what: string, predicate: () => Promise<boolean>, timeoutMs = 10000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** One sample of a Prometheus text exposition (`name{labels} value`); NaN when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return NaN;
}

/** A Socket.IO 0.9 body's packets (none for an empty poll answer), read by the 0.9 codec, which has its own golden tests. */
export function packets09(body: string): string[] {
  return body === '' ? [] : decodePayload(body, 10_000);
}
