import { statusError, type ClientError } from './errors';
import { exchange, type Exchange, type HttpTarget } from './http-request';
import type { ClientTransport, TransportHost } from './transport';

/** Lone UTF-16 surrogates, which `encodeURIComponent` refuses; replaced like a UTF-8 encoder would. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `xhr-polling`, as the 0.6 browser client speaks it: a handshake GET
 * `/<resource>/xhr-polling//<timestamp>` answered with the session id, then
 * one long-poll GET `/<sid>/<timestamp>` after another; any status but 200
 * ends the connection. Sends are POSTed to `/<sid>/send` as a form field;
 * while one POST is in flight, later sends wait and go together in the next.
 */
export class XhrPollingTransport implements ClientTransport {
  readonly #base: string;
  #sessionId = '';
  #poll: Exchange | null = null;
  #posting = false;
  #buffer = '';
  #ended = false;

  constructor(
    private readonly target: HttpTarget,
    resource: string,
    private readonly pollTimeout: number,
    private readonly host: TransportHost,
  ) {
    this.#base = `/${resource}/xhr-polling`;
  }

  open(): void {
    this.#get();
  }

  setSessionId(id: string): void {
    this.#sessionId = id;
  }

  write(payload: string): void {
    this.#buffer += payload;
    if (!this.#posting) this.#post();
  }

  /** Stops polling at once. Sends already written still go out (a POST is not recalled), then nothing more. */
  close(): void {
    this.#ended = true;
    const poll = this.#poll;
    this.#poll = null;
    poll?.abort();
  }

  #get(): void {
    const handshake = this.#sessionId === '';
    const path = `${this.#base}/${this.#sessionId}/${Date.now()}`;
    // The handshake has the connect timeout; a long-poll the server does not answer is caught by the client's idle timer.
    const label = handshake ? 'xhr-polling handshake' : 'xhr-polling poll';
    this.#poll = exchange(this.target, 'GET', path, null, 0, label, (error, status, statusText, body) => {
      this.#poll = null;
      if (this.#ended) return;
      if (error) return this.#end('error', error);
      if (status !== 200) return this.#end('server', statusError(`${label} GET ${this.target.origin}${path}`, status, statusText, body));
      this.host.onPayload(body);
      if (!this.#ended) this.#get();
    });
  }

  #post(): void {
    let data: string;
    try {
      data = encodeURIComponent(this.#buffer);
    } catch {
      data = encodeURIComponent(this.#buffer.replace(LONE_SURROGATE, '\ufffd'));
    }
    this.#buffer = '';
    this.#posting = true;
    const path = `${this.#base}/${this.#sessionId}/send`;
    exchange(this.target, 'POST', path, `data=${data}`, this.pollTimeout, 'xhr-polling send', (error, status, statusText, body) => {
      this.#posting = false;
      if (error || status !== 200) {
        this.#buffer = '';
        if (error) this.#end('error', error);
        else this.#end('server', statusError(`xhr-polling send POST ${this.target.origin}${path}`, status, statusText, body));
        return;
      }
      if (this.#buffer.length > 0) this.#post();
    });
  }

  #end(reason: 'server' | 'error', error: ClientError): void {
    if (this.#ended) return;
    this.close();
    this.host.onEnd(reason, error);
  }
}
