import type { ServerResponse } from 'node:http';
import { RequestError, refusalFor } from '../../../errors';
import { fixedHeaders, type HttpAnswer } from '../../../http/answer';
import { withCors } from '../../../http/origin';
import { sendRefusal } from '../../../http/refusal';
import type { Payload } from '../payload';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { DeadlineClock, Expirable } from '../../../session/deadline-clock';

/** What a closed session's pending poll is answered with. Every status but 200 is a disconnect to the 0.6 client. */
const SESSION_CLOSED = refusalFor(new RequestError('UNKNOWN_SESSION', 'session closed'));

/** How a long-poll transport wraps a payload (all frames of one flush) into a response body. */
export interface LongPollFormat {
  /** Content-Type and Cache-Control, made once (see fixedHeaders). */
  headers: Readonly<Record<string, string>>;
  render(payload: string): string;
}

/** A long-poll answer's headers for one Content-Type, made once. */
export function longPollHeaders(contentType: string): Readonly<Record<string, string>> {
  return fixedHeaders({ 'Content-Type': contentType, 'Cache-Control': 'no-store' });
}

/**
 * One long-poll GET: answered with everything queued as soon as there is
 * something, or empty after the polling timeout so neither the client (25 s)
 * nor a proxy ever sees a hung request.
 */
export class LongPollSink implements SessionSink, Expirable {
  readonly persistent = false;
  #answered = false;

  constructor(
    private readonly session: Session,
    private readonly answer: HttpAnswer,
    private readonly format: LongPollFormat,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly deadlines: DeadlineClock,
    private readonly countBytes: (bytes: number) => void,
  ) {
    deadlines.add(this);
    answer.onAbort(this.#onAbort);
  }

  /** The polling timeout: answer empty, so neither the client nor a proxy sees a hung request. */
  expire(): void {
    this.session.detach(this);
    this.#answer(null);
  }

  /** The client went away before anything was written: the frames stay queued for its next GET. */
  readonly #onAbort = (): void => {
    if (this.#answered) return;
    this.#answered = true;
    this.deadlines.delete(this);
    this.session.detach(this);
  };

  deliver(payload: Payload): void {
    this.#answer(payload);
  }

  release(): void {
    this.#answer(null);
  }

  end(): void {
    if (this.#answered) return;
    this.#answered = true;
    this.deadlines.delete(this);
    // Any status but 200 is a disconnect to the 0.6 client; 0.6 has no close frame.
    sendRefusal(this.answer, SESSION_CLOSED, this.headers);
  }

  /** Answers the GET with a payload, or empty (null) at the polling timeout or when replaced. */
  #answer(payload: Payload | null): void {
    if (this.#answered) {
      if (payload) this.session.requeue(payload.frames);
      return;
    }
    this.#answered = true;
    this.deadlines.delete(this);
    const { answer } = this;
    if (payload) {
      const { frames } = payload;
      if (!answer.open) {
        this.session.requeue(frames);
        return;
      }
      // 0.6 has no acks: a frame leaves the queue for good only once a live connection took the answer carrying it.
      answer.onWritten((written) => {
        if (!written) this.session.requeue(frames);
      });
    }
    const body = this.format.render(payload ? payload.text : '');
    answer.send(200, withCors(this.headers, this.format.headers), body);
    this.countBytes(Buffer.byteLength(body));
  }
}

/** How a streaming transport opens its response and wraps each frame. */
export interface StreamFormat {
  contentType: string;
  preamble: string;
  renderFrame(frame: string): string;
}

/**
 * One long-lived GET that carries every frame as it is sent (xhr-multipart,
 * htmlfile). Heartbeats keep it alive; if it breaks, the session waits for
 * another GET until it expires.
 */
export class StreamSink implements SessionSink {
  readonly persistent = true;

  constructor(
    private readonly session: Session,
    private readonly res: ServerResponse,
    private readonly format: StreamFormat,
    headers: Record<string, string>,
    private readonly countBytes: (bytes: number) => void,
    private readonly maxBufferedBytes: number,
  ) {
    res.on('close', () => session.detach(this));
    res.writeHead(200, {
      ...headers,
      'Content-Type': format.contentType,
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    this.#write(format.preamble);
  }

  deliver(payload: Payload): void {
    if (this.res.destroyed || this.res.writableEnded) {
      this.session.detach(this);
      this.session.requeue(payload.frames);
      return;
    }
    let chunk = '';
    for (const frame of payload.frames) chunk += this.format.renderFrame(frame);
    this.#write(chunk);
    // A reader that stopped reading grows the response's buffer instead of our queue: same cap.
    if (this.res.writableLength > this.maxBufferedBytes) this.session.abort('stream buffer over its limit');
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  release(): void {
    this.end();
  }

  #write(text: string): void {
    this.res.write(text);
    this.countBytes(Buffer.byteLength(text));
  }
}
