import type { ServerResponse } from 'node:http';
import { RequestError, refusalFor } from '../../../errors';
import { writeRefusal } from '../../../http/refusal';
import type { Payload } from '../payload';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { DeadlineClock, Expirable } from '../../../session/deadline-clock';

/** What a closed session's pending poll is answered with. Every status but 200 is a disconnect to the 0.6 client. */
const SESSION_CLOSED = refusalFor(new RequestError('UNKNOWN_SESSION', 'session closed'));

/** How a long-poll transport wraps a payload (all frames of one flush) into a response body. */
export interface LongPollFormat {
  contentType: string;
  render(payload: string): string;
}

/**
 * One long-poll GET: answered with everything queued as soon as there is
 * something, or empty after the polling timeout so neither the client (25 s)
 * nor a proxy ever sees a hung request.
 */
export class LongPollSink implements SessionSink, Expirable {
  readonly persistent = false;
  #answered = false;
  /** Frames written to the response, until it is known whether they reached the socket. */
  #inFlight: readonly string[] | null = null;
  #flushed = false;

  constructor(
    private readonly session: Session,
    private readonly res: ServerResponse,
    private readonly format: LongPollFormat,
    private readonly headers: Record<string, string>,
    private readonly deadlines: DeadlineClock,
    private readonly countBytes: (bytes: number) => void,
  ) {
    deadlines.add(this);
    res.on('close', this.#onClose);
  }

  /** The polling timeout: answer empty, so neither the client nor a proxy sees a hung request. */
  expire(): void {
    this.session.detach(this);
    this.#answer(null);
  }

  readonly #onClose = (): void => {
    if (!this.#answered) {
      // The client went away before anything was written: keep the frames for its next GET.
      this.#answered = true;
      this.deadlines.delete(this);
      this.session.detach(this);
      return;
    }
    // 0.6 has no acks: a frame leaves the queue for good only once a live response carried it.
    if (this.#inFlight && !this.#flushed) this.session.requeue(this.#inFlight);
    this.#inFlight = null;
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
    writeRefusal(this.res, SESSION_CLOSED, this.headers);
  }

  /** Answers the GET with a payload, or empty (null) at the polling timeout or when replaced. */
  #answer(payload: Payload | null): void {
    if (this.#answered) {
      if (payload) this.session.requeue(payload.frames);
      return;
    }
    this.#answered = true;
    this.deadlines.delete(this);
    const { res } = this;
    if (payload) {
      const { frames } = payload;
      // (`writableFinished` is no proof of delivery: Node sets it even when
      // the socket was already gone; only 'finish' is.)
      if (!res.socket || res.socket.destroyed) {
        this.session.requeue(frames);
        return;
      }
      this.#inFlight = frames;
      res.once('finish', () => (this.#flushed = true));
    }
    const body = this.format.render(payload ? payload.text : '');
    const bytes = Buffer.byteLength(body);
    res.writeHead(200, {
      ...this.headers,
      'Content-Type': this.format.contentType,
      'Content-Length': String(bytes),
      'Cache-Control': 'no-store',
    });
    res.end(body);
    this.countBytes(bytes);
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
