import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { dateHeaderLine } from '../../clock';
import { headerLines, OnceAnswer } from '../answer';

/** What an answer tells its connection: sent (and whether the connection goes on), or its client gone first. */
export interface AnswerOwner {
  answered(answer: LaneAnswer, closes: boolean, refusesBody: boolean): void;
}

const CLOSE_LINES = 'Connection: close\r\n\r\n';

/**
 * The answer to one request read by the lane, written on its socket as
 * node:http would write it (status line, the given headers, Date and the
 * keep-alive headers), head and body in one write.
 */
export class LaneAnswer extends OnceAnswer {
  constructor(
    private readonly socket: Socket,
    private readonly owner: AnswerOwner,
    private readonly keepAlive: boolean,
    /** `Connection: keep-alive` and `Keep-Alive: timeout=…`, and the blank line: the same for every answer of a lane. */
    private readonly keepAliveLines: string,
  ) {
    super();
  }

  get open(): boolean {
    return !this.settled && !this.socket.destroyed;
  }

  send(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, refusesBody = false): void {
    if (!this.markSent()) return;
    const closes = refusesBody || !this.keepAlive;
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const head = `${statusLine(status)}${headerLines(headers)}Content-Length: ${length}\r\n${dateHeaderLine()}${closes ? CLOSE_LINES : this.keepAliveLines}`;
    const { socket } = this;
    // Head and body in one write. A text body goes with its head as one UTF-8 string: the head is
    // ASCII but for obs-text a header value might echo from a request, which UTF-8 only re-encodes.
    const data = typeof body === 'string' ? head + body : joined(head, body);
    if (socket.destroyed || !socket.writable) this.wrote(false);
    else if (this.awaitsWrite) socket.write(data, (error) => this.wrote(!error));
    else socket.write(data);
    this.owner.answered(this, closes, refusesBody);
  }
}

const STATUS_LINES = new Map<number, string>();

/** `HTTP/1.1 200 OK\r\n`, made once for each status. */
function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) STATUS_LINES.set(status, (line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`));
  return line;
}

function joined(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  out.set(body, head.length);
  return out;
}
