import type { OutgoingHttpHeaders } from 'node:http';
import { fixedHeaders } from '../../http/answer';
import type { CorsSetting } from '../../settings';

/**
 * The headers of each kind of Engine.IO answer to one origin: its CORS
 * headers and what each answer adds to them. Made once per origin and
 * frozen (see fixedHeaders), so a poll's answer copies nothing and the HTTP
 * lane writes their lines once. Content-Length is the answer's own.
 */
export interface EngineAnswerHeaders {
  /** The CORS headers alone (a preflight's answer adds to them). */
  readonly cors: Readonly<Record<string, string>>;
  /** A poll's answer: a text payload, a binary one, a JSONP script. */
  readonly text: Readonly<OutgoingHttpHeaders>;
  readonly binary: Readonly<OutgoingHttpHeaders>;
  readonly script: Readonly<OutgoingHttpHeaders>;
  /** A post's `ok`. */
  readonly ok: Readonly<OutgoingHttpHeaders>;
  /** A refusal's `{"code","message"}`. */
  readonly refusal: Readonly<OutgoingHttpHeaders>;
}

/** Origins whose answer headers are kept: a client cannot grow the cache past this by sending new origins. */
const MAX_KEPT_ORIGINS = 256;

/**
 * The `cors` setting applied to a request's origin, as engine.io applies it:
 * `*` without credentials; with credentials (or a list) the request's origin
 * is echoed when allowed, never `*`, as browsers require.
 */
export class EngineCors {
  readonly #origin: '*' | string | readonly string[] | null;
  readonly #credentials: boolean;
  /** The answers' headers without CORS headers: an origin not allowed, or no `cors` setting. */
  readonly #plain = answerHeaders({});
  /** `*` without credentials: the same for every origin. */
  readonly #everyOrigin: EngineAnswerHeaders | null;
  readonly #byOrigin = new Map<string, EngineAnswerHeaders>();

  constructor(setting: CorsSetting | null) {
    const options = setting !== null && typeof setting === 'object' && !Array.isArray(setting) ? (setting as { origin: '*' | string | readonly string[]; credentials?: boolean }) : null;
    this.#origin = options ? options.origin : (setting as '*' | readonly string[] | null);
    this.#credentials = options?.credentials === true;
    this.#everyOrigin = this.#origin === '*' && !this.#credentials ? answerHeaders({ 'Access-Control-Allow-Origin': '*' }) : null;
  }

  headersFor(origin: string | undefined): EngineAnswerHeaders {
    if (this.#everyOrigin) return this.#everyOrigin;
    if (origin === undefined || !this.#allows(origin)) return this.#plain;
    let headers = this.#byOrigin.get(origin);
    if (headers === undefined) {
      if (this.#byOrigin.size >= MAX_KEPT_ORIGINS) this.#byOrigin.clear();
      const cors: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
      if (this.#credentials) cors['Access-Control-Allow-Credentials'] = 'true';
      this.#byOrigin.set(origin, (headers = answerHeaders(cors)));
    }
    return headers;
  }

  #allows(origin: string): boolean {
    const allowed = this.#origin;
    if (allowed === null) return false;
    return allowed === '*' || (typeof allowed === 'string' ? allowed === origin : allowed.includes(origin));
  }
}

function answerHeaders(cors: Record<string, string>): EngineAnswerHeaders {
  const polled = (contentType: string) => fixedHeaders({ ...cors, 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  return {
    cors: Object.freeze(cors),
    text: polled('text/plain; charset=UTF-8'),
    binary: polled('application/octet-stream'),
    script: polled('text/javascript; charset=UTF-8'),
    ok: polled('text/html'),
    refusal: fixedHeaders({ ...cors, 'Content-Type': 'application/json' }),
  };
}
