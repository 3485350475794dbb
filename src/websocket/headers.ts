import type { IncomingHttpHeaders } from 'node:http';

/** A handshake header's value; the first one when a client sent it twice. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
