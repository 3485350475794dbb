import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { dropRefusedBody } from './body';

/**
 * Where one HTTP answer goes. A polling transport holds its answer, maybe for
 * many seconds, and sends it once; it does not care whether the answer is a
 * `ServerResponse` here or travels back over a cluster relay to the node the
 * client is connected to (see cluster/relay.ts).
 */
export interface HttpAnswer {
  /** False once the client is gone: an answer now would reach nobody. */
  readonly open: boolean;
  /**
   * Sends the whole answer. `refusesBody`: the answer refuses the request's
   * body (a 413); the client's connection closes after it, the body unread.
   */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody?: boolean): void;
  /** Called once, if the client goes away before the answer is sent. */
  onAbort(listener: () => void): void;
}

/** An answer written to a `ServerResponse` of this process. */
export class ResponseAnswer implements HttpAnswer {
  constructor(readonly res: ServerResponse) {}

  get open(): boolean {
    const { socket } = this.res;
    return socket !== null && !socket.destroyed;
  }

  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody = false): void {
    const { res } = this;
    if (res.headersSent) return void res.end();
    if (refusesBody) headers = { ...headers, Connection: 'close' };
    res.writeHead(status, headers);
    res.end(body);
    if (refusesBody) dropRefusedBody(res.req, res);
  }

  onAbort(listener: () => void): void {
    this.res.once('close', () => {
      if (!this.res.writableFinished) listener();
    });
  }
}

/**
 * What every answer that is not a `ServerResponse` keeps (the HTTP lane's,
 * the cluster relay's): it is sent once, or its client goes away first; the
 * abort listeners run once then.
 */
export abstract class OnceAnswer implements HttpAnswer {
  #sent = false;
  #aborted = false;
  #onAbort: (() => void) | null = null;

  abstract get open(): boolean;
  abstract send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody?: boolean): void;

  /** Sent, or aborted. */
  protected get settled(): boolean {
    return this.#sent || this.#aborted;
  }

  protected get aborted(): boolean {
    return this.#aborted;
  }

  /** Marks the answer sent; false when it was sent or aborted before (nothing is to be written then). */
  protected markSent(): boolean {
    if (this.settled) return false;
    this.#sent = true;
    return true;
  }

  onAbort(listener: () => void): void {
    const previous = this.#onAbort;
    this.#onAbort = previous ? () => (previous(), listener()) : listener;
  }

  /** The client went away before the answer was sent. */
  abort(): void {
    if (this.settled) return;
    this.#aborted = true;
    const listener = this.#onAbort;
    this.#onAbort = null;
    listener?.();
  }
}
