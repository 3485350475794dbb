import { debuglog } from 'node:util';

/** Where tornadio writes what it has to say. Replace it with a setting to route into your own logging. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that writes nothing; handy in tests and for users who want silence even under NODE_DEBUG. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * The default logger: silent unless `NODE_DEBUG` names `tornadio` (Node's own
 * convention, so it composes with `NODE_DEBUG=http,tornadio`).
 */
export function createDefaultLogger(): Logger {
  const write = debuglog('tornadio');
  if (!write.enabled) return silentLogger;
  return {
    debug: (message) => write('debug %s', message),
    info: (message) => write('info %s', message),
    warn: (message) => write('warn %s', message),
    error: (message) => write('error %s', message),
  };
}

/** Renders anything thrown as one line, keeping the stack when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
