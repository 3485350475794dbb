import type { ServerResponse } from 'node:http';
import { RequestError } from '../../../errors';
import { fixedHeaders, ResponseAnswer, type HttpAnswer } from '../../../http/answer';
import { formDataField, readBody, wholeBody, type BodyCallback } from '../../../http/body';
import { corsHeaders, withCors } from '../../../http/origin';
import { answerPreflight } from '../../../http/preflight';
import { answerRefusal } from '../../../http/refusal';
import { SESSION_ID_PATTERN } from '../../../hub/session-id';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import type { HttpTransport, TransportContext, TransportRequest, UpgradeRequest } from './transport';

/** Where a polling request points, read off the path segments after the transport name. */
export interface PollAddress {
  /** Empty on a handshake GET. */
  sessionId: string;
  /** `io.JSONP[<index>]` for jsonp-polling; null for the other transports. */
  jsonpIndex: number | null;
}

/** Everything a concrete transport needs to build the sink for one GET. */
export interface GetContext<Reply> {
  session: Session;
  /** Where the GET is answered: an HttpAnswer for a long-poll, node:http's response itself for a stream. */
  reply: Reply;
  address: PollAddress;
  /** CORS headers for this request (empty when it is same-origin). */
  headers: Readonly<Record<string, string>>;
}

/** Reads a POST's body up to a limit, as text: from node:http's stream, or from what the HTTP lane read. */
type BodyReader = (limit: number, done: BodyCallback) => void;

const OK_HEADERS = fixedHeaders({ 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store' });

/**
 * The shared half of every HTTP transport: origin check and CORS, GET
 * (handshake or attach to a session), POST (size limit, form decoding,
 * dispatch, `ok`), OPTIONS preflight, and refusals with a status. Each
 * concrete transport only says how its GET is answered and its URLs look.
 */
export abstract class PollingTransport<Reply> implements HttpTransport {
  constructor(
    readonly name: TransportName,
    protected readonly context: TransportContext,
  ) {}

  /** Where a GET read by node:http is answered (see GetContext). */
  protected abstract replyOf(res: ServerResponse): Reply;

  /** Builds the sink that writes this transport's GET response. */
  protected abstract createSink(get: GetContext<Reply>): SessionSink;

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

  /** A request read by node:http. */
  handleRequest(request: TransportRequest, res: ServerResponse): void {
    const { req } = request;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    let headers: Readonly<Record<string, string>> = {};
    try {
      headers = this.corsFor(origin);
      switch (req.method) {
        case 'GET':
          return this.serveGet(request, this.replyOf(res), headers);
        case 'POST':
          return this.servePost(request, (limit, done) => readBody(req, limit, done), new ResponseAnswer(res), headers);
        case 'OPTIONS':
          return answerPreflight(req, res, headers);
        default:
          res.setHeader('Allow', 'GET, POST, OPTIONS');
          throw new RequestError('METHOD_NOT_ALLOWED', `method ${req.method} is not allowed`);
      }
    } catch (error) {
      this.refuse(new ResponseAnswer(res), error, headers);
    }
  }

  /** Attaches a GET to its session, or opens one (the handshake GET names none); throws a RequestError to refuse. */
  protected serveGet(request: UpgradeRequest, reply: Reply, headers: Readonly<Record<string, string>>): void {
    const address = this.#checkedAddress(request.path.segments, 'GET');
    if (address.sessionId === '') {
      this.context.openSession(this.name, request.req, request.path, request.search, (session) => this.createSink({ session, reply, address, headers }));
      return;
    }
    const session = this.#sessionFor(address.sessionId);
    session.attach(this.createSink({ session, reply, address, headers }));
  }

  /** Dispatches a POST's payload and answers `ok`; throws a RequestError to refuse before its body is read. */
  protected servePost(request: UpgradeRequest, readPostBody: BodyReader, answer: HttpAnswer, headers: Readonly<Record<string, string>>): void {
    const address = this.#checkedAddress(request.path.segments, 'POST');
    if (address.sessionId === '') throw new RequestError('BAD_URL', 'a POST needs a session id');
    const session = this.#sessionFor(address.sessionId);
    session.beginPost();
    // Once answered, or its client gone: the session may then end a GET it kept open for this answer (see Session).
    let ended = false;
    const endPost = (): void => {
      if (ended) return;
      ended = true;
      session.endPost();
    };
    answer.onAbort(endPost);
    readPostBody(this.context.settings.maxBodySize, (error, body) => {
      try {
        // An oversized body: the answer closes the client's connection, the rest of the body unread.
        if (error) return this.refuse(answer, error, headers, error.code === 'BODY_TOO_LARGE');
        try {
          this.context.countBytes('in', Buffer.byteLength(body));
          session.receivePayload(this.postedPayload(body));
        } catch (failure) {
          return this.refuse(answer, failure, headers);
        }
        answer.send(200, withCors(headers, OK_HEADERS), 'ok');
      } finally {
        endPost();
      }
    });
  }

  protected refuse(answer: HttpAnswer, error: unknown, headers: Readonly<Record<string, string>>, refusesBody = false): void {
    answerRefusal(answer, error, this.context.logger, `[${this.name}]`, headers, refusesBody);
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

  /** A request's CORS headers; throws FORBIDDEN_ORIGIN for an origin not allowed (refused with no CORS headers). */
  protected corsFor(origin: string | undefined): Readonly<Record<string, string>> {
    if (!this.context.origins.allows(origin)) throw new RequestError('FORBIDDEN_ORIGIN', `origin ${origin} is not allowed`);
    return corsHeaders(origin);
  }
}

/**
 * A transport whose GET is answered once (xhr-polling, jsonp-polling): its
 * GETs and POSTs can be read by the HTTP lane too, each answered through an
 * HttpAnswer whichever reader took it.
 */
export abstract class LongPollTransport extends PollingTransport<HttpAnswer> {
  protected replyOf(res: ServerResponse): HttpAnswer {
    return new ResponseAnswer(res);
  }

  /** A GET or POST the HTTP lane read, its body whole (null: over the limit, refused with 413); never throws. */
  serveOnLane(request: UpgradeRequest, method: 'GET' | 'POST', body: Buffer | null, answer: HttpAnswer): void {
    const origin = request.req.headers.origin;
    let headers: Readonly<Record<string, string>> = {};
    try {
      headers = this.corsFor(typeof origin === 'string' ? origin : undefined);
      if (method === 'GET') this.serveGet(request, answer, headers);
      else this.servePost(request, (limit, done) => wholeBody(body, limit, done), answer, headers);
    } catch (error) {
      this.refuse(answer, error, headers);
    }
  }
}
