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
   * Sends the whole answer. Its Content-Length is the body's, set by the
   * answer itself: `headers` need not carry one. `refusesBody`: the answer
   * refuses the request's body (a 413); the client's connection closes after
   * it, the body unread.
   */
  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody?: boolean): void;
  /** Called once, if the client goes away before the answer is sent. */
  onAbort(listener: () => void): void;
  /**
   * Called once after `send` (set it before): true when the answer was handed
   * to the system to send, the most a server can know of delivery; false when
   * its connection was gone first. A poll whose frames have no other ack
   * keeps them on false (0.6).
   */
  onWritten(listener: (written: boolean) => void): void;
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
    // The body's own length (see send above), set before writeHead takes the headers given.
    res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    if (refusesBody) res.setHeader('Connection', 'close');
    res.writeHead(status, headers);
    res.end(body);
    if (refusesBody) dropRefusedBody(res.req, res);
  }

  onAbort(listener: () => void): void {
    this.res.once('close', () => {
      if (!this.res.writableFinished) listener();
    });
  }

  onWritten(listener: (written: boolean) => void): void {
    // Only 'finish' proves the answer reached the socket: Node sets writableFinished even when the socket was gone.
    let finished = false;
    this.res.once('finish', () => {
      finished = true;
      listener(true);
    });
    this.res.once('close', () => {
      if (!finished) listener(false);
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
  #onWritten: ((written: boolean) => void) | null = null;

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

  /** One listener: an answer has one sender waiting on its delivery (a poll), unlike onAbort's several. */
  onWritten(listener: (written: boolean) => void): void {
    this.#onWritten = listener;
  }

  /** Whether someone waits to hear that the answer was written (see wrote). */
  protected get awaitsWrite(): boolean {
    return this.#onWritten !== null;
  }

  /** The answer sent was handed to the system (true), or its connection was gone first. */
  protected wrote(written: boolean): void {
    const listener = this.#onWritten;
    this.#onWritten = null;
    listener?.(written);
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

/** The header lines of header sets made once (see fixedHeaders), by the set. */
const FIXED_LINES = new WeakMap<object, string>();

/**
 * Marks a set of answer headers made once and sent with many answers (a
 * poll's Content-Type and Cache-Control with a router's CORS headers): it is
 * frozen, and its lines are written once for the HTTP lane (see headerLines).
 */
export function fixedHeaders<T extends OutgoingHttpHeaders>(headers: T): Readonly<T> {
  Object.freeze(headers);
  FIXED_LINES.set(headers, linesOf(headers));
  return headers;
}

/** `Name: value\r\n` for each header but Content-Length (an answer's own); made once for fixed headers. */
export function headerLines(headers: Readonly<OutgoingHttpHeaders>): string {
  return FIXED_LINES.get(headers) ?? linesOf(headers);
}

function linesOf(headers: Readonly<OutgoingHttpHeaders>): string {
  let lines = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || (name.length === 14 && name.toLowerCase() === 'content-length')) continue;
    if (Array.isArray(value)) for (const item of value) lines += `${name}: ${item}\r\n`;
    else lines += `${name}: ${value}\r\n`;
  }
  return lines;
}
