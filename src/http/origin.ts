/**
 * Origin checks in the 0.6 server's format: `host:port`, `host:*`, `*:port`
 * and `*:*`. Unlike the Python Tornadio (whose check always said yes), a
 * listed origin is required whenever the list is not `*:*`.
 */
export class OriginPolicy {
  readonly #allowAll: boolean;
  readonly #entries: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#entries = new Set(origins.map((entry) => entry.toLowerCase()));
    this.#allowAll = this.#entries.has('*:*');
  }

  /** A request with no Origin header is not cross-origin; only a present Origin is checked. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined || this.#allowAll) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null"
    }
    const host = url.hostname.toLowerCase();
    const port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : '80');
    return this.#entries.has(`${host}:${port}`) || this.#entries.has(`${host}:*`) || this.#entries.has(`*:${port}`);
  }
}

/** Shared by every same-origin response: never written to. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Headers that let a browser read a cross-origin response; none for same-origin requests. */
/**
 * An answer's `fixed` headers (made once, see fixedHeaders) with a request's
 * CORS headers before them: the fixed set itself for a request with no
 * Origin, the most common one, so nothing is spread per answer.
 */
export function withCors<T extends Record<string, string>>(cors: Readonly<Record<string, string>>, fixed: Readonly<T>): Readonly<Record<string, string>> {
  return cors === NO_HEADERS ? fixed : { ...cors, ...fixed };
}

export function corsHeaders(origin: string | undefined): Readonly<Record<string, string>> {
  if (origin === undefined) return NO_HEADERS;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    Vary: 'Origin',
  };
}
