/**
 * The real socket.io-client 2.5.0 (installed as `socket.io-client-v2`), with
 * the few types the tests use: the package ships none.
 */
type Listener = (...args: never[]) => void;

export interface V2Engine {
  id: string;
  transport: { name: string; query: Record<string, string> };
  once(event: 'upgrade', listener: () => void): V2Engine;
  on(event: string, listener: Listener): V2Engine;
  close(): void;
}

export interface V2Manager {
  engine: V2Engine;
  socket(namespace: string, options?: V2Options): V2Socket;
  on(event: string, listener: Listener): V2Manager;
}

export interface V2Socket {
  id: string;
  connected: boolean;
  io: V2Manager;
  on(event: string, listener: Listener): V2Socket;
  once(event: string, listener: Listener): V2Socket;
  off(event: string, listener?: Listener): V2Socket;
  emit(event: string, ...args: unknown[]): V2Socket;
  send(...args: unknown[]): V2Socket;
  open(): V2Socket;
  close(): V2Socket;
}

export interface V2Options {
  transports?: string[];
  forceNew?: boolean;
  reconnection?: boolean;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  forceBase64?: boolean;
  query?: Record<string, string> | string;
  autoConnect?: boolean;
  timeout?: number;
  /** An http.Agent for the polling requests; false (the default) opens a connection per request. */
  agent?: false;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lookup = require('socket.io-client-v2') as (url: string, options?: V2Options) => V2Socket;

/** A 2.x client for `url` (a namespace in its path). */
export function ioV2(url: string, options: V2Options = {}): V2Socket {
  return lookup(url, options);
}
