import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError } from '../../../errors';
import { dropRefusedBody, formDataField, readBody } from '../../../http/body';
import { corsHeaders } from '../../../http/origin';
import { answerPreflight } from '../../../http/preflight';
import { refuseRequest } from '../../../http/refusal';
import { SESSION_ID_PATTERN } from '../../../hub/session-id';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import type { HttpTransport, TransportContext, TransportRequest } from './transport';

/** Where a polling request points, read off the path segments after the transport name. */
export interface PollAddress {
  /** Empty on a handshake GET. */
  sessionId: string;
  /** `io.JSONP[<index>]` for jsonp-polling; null for the other transports. */
  jsonpIndex: number | null;
}

/** Everything a concrete transport needs to build the sink for one GET. */
export interface GetContext {
  session: Session;
  res: ServerResponse;
  address: PollAddress;
  /** CORS headers for this request (empty when it is same-origin). */
  headers: Readonly<Record<string, string>>;
}

/**
 * The shared half of every HTTP transport: origin check and CORS, GET
 * (handshake or attach to a session), POST (size limit, form decoding,
 * dispatch, `ok`), OPTIONS preflight, and refusals with a status. Each
 * concrete transport only says how its GET is written and its URLs look.
 */
export abstract class PollingTransport implements HttpTransport {
  constructor(
    readonly name: TransportName,
    protected readonly context: TransportContext,
  ) {}

  /** Builds the sink that writes this transport's GET response. */
  protected abstract createSink(get: GetContext): SessionSink;

  /** Reads the URL segments: `[sessionId, 'send']` for a POST unless a transport says otherwise. */
  protected addressOf(segments: string[], method: 'GET' | 'POST'): PollAddress {
    const sessionId = segments[0] ?? '';
    if (method === 'POST' && segments[1] !== 'send') throw new RequestError('BAD_URL', 'a POST goes to /<session id>/send');
    return { sessionId, jsonpIndex: null };
  }

  /** The payload a POST body carries, as the client framed it (xhr posts it as the form field `data`). */
  protected postedPayload(body: string): string {
    return formDataField(body);
  }

  handleRequest(request: TransportRequest, res: ServerResponse): void {
    const { req } = request;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (!this.context.origins.allows(origin)) {
      this.#refuse(res, new RequestError('FORBIDDEN_ORIGIN', `origin ${origin} is not allowed`));
      return;
    }
    const headers = corsHeaders(origin);
    try {
      switch (req.method) {
        case 'GET':
          return this.#get(request, res, headers);
        case 'POST':
          return this.#post(request, res, headers);
        case 'OPTIONS':
          return answerPreflight(req, res, headers);
        default:
          res.setHeader('Allow', 'GET, POST, OPTIONS');
          throw new RequestError('METHOD_NOT_ALLOWED', `method ${req.method} is not allowed`);
      }
    } catch (error) {
      this.#refuse(res, error, headers);
    }
  }

  #get(request: TransportRequest, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
    const address = this.#checkedAddress(request.path.segments, 'GET');
    if (address.sessionId === '') {
      this.context.openSession(this.name, request.req, request.path, request.search, (session) => this.createSink({ session, res, address, headers }));
      return;
    }
    const session = this.#sessionFor(address.sessionId);
    session.attach(this.createSink({ session, res, address, headers }));
  }

  #post(request: TransportRequest, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
    const address = this.#checkedAddress(request.path.segments, 'POST');
    if (address.sessionId === '') throw new RequestError('BAD_URL', 'a POST needs a session id');
    const session = this.#sessionFor(address.sessionId);
    session.beginPost();
    // 'close' comes after 'finish' (the answer handed to the socket), or alone if the client left.
    res.once('close', () => session.endPost());
    readBody(request.req, this.context.settings.maxBodySize, (error, body) => {
      if (error) return this.#refuse(res, error, headers, request.req);
      try {
        this.context.countBytes('in', Buffer.byteLength(body));
        // Answer after dispatch, but the session waits for this answer before it fails a GET (see Session).
        session.receivePayload(this.postedPayload(body));
      } catch (failure) {
        return this.#refuse(res, failure, headers, request.req);
      }
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'text/plain; charset=UTF-8',
        'Content-Length': '2',
        'Cache-Control': 'no-store',
      });
      res.end('ok');
    });
  }

  #checkedAddress(segments: string[], method: 'GET' | 'POST'): PollAddress {
    const address = this.addressOf(segments, method);
    if (address.sessionId !== '' && !SESSION_ID_PATTERN.test(address.sessionId)) {
      throw new RequestError('UNKNOWN_SESSION', 'malformed session id');
    }
    return address;
  }

  /** The live session for an id; never adopts an id the server did not issue. */
  #sessionFor(id: string): Session {
    const session = this.context.findSession(id, this.name);
    if (!session) throw new RequestError('UNKNOWN_SESSION', `no session ${id} on ${this.name}`);
    return session;
  }

  #refuse(res: ServerResponse, error: unknown, headers: Readonly<Record<string, string>> = {}, req?: IncomingMessage): void {
    const tooLarge = error instanceof RequestError && error.code === 'BODY_TOO_LARGE' && req !== undefined;
    // An oversized body: answer with Connection: close, then drain or drop it (see dropRefusedBody).
    refuseRequest(res, error, this.context.logger, `[${this.name}]`, tooLarge ? { ...headers, Connection: 'close' } : headers);
    if (tooLarge) dropRefusedBody(req, res);
  }
}
