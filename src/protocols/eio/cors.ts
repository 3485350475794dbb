import type { CorsSetting } from '../../settings';

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The CORS headers of one Engine.IO response, from the `cors` setting: `*`
 * without credentials; with credentials (or a list) the request's origin is
 * echoed when allowed, never `*`, as browsers require.
 */
export function engineCorsHeaders(setting: CorsSetting | null, origin: string | undefined): Readonly<Record<string, string>> {
  if (setting === null) return NO_HEADERS;
  const options = typeof setting === 'object' && !Array.isArray(setting) ? (setting as { origin: '*' | string | readonly string[]; credentials?: boolean }) : { origin: setting as '*' | readonly string[] };
  const credentials = options.credentials === true;
  const allowed = options.origin === '*' ? true : typeof options.origin === 'string' ? options.origin === origin : origin !== undefined && options.origin.includes(origin);
  if (!allowed) return NO_HEADERS;
  if (options.origin === '*' && !credentials) return { 'Access-Control-Allow-Origin': '*' };
  if (origin === undefined) return NO_HEADERS;
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  if (credentials) headers['Access-Control-Allow-Credentials'] = 'true';
  return headers;
}
