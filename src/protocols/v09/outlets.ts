import type { ServerResponse } from 'node:http';
import type { HttpAnswer } from '../../http/answer';
import { scriptStringLiteral } from '../../http/script-escape';
import type { DeadlineClock, Expirable } from '../../session/deadline-clock';
import { encodeFrame, framePayloadLength } from '../../websocket/frame-writer';
import type { ServerWebSocket } from '../../websocket/rfc6455';
import { encodePayload } from './codec';

/**
 * Where a 0.9 session's packets go at one moment: its websocket, the pending
 * poll, or the open htmlfile stream. The session queues packets and hands
 * them to whichever outlet is attached; an outlet only knows its framing.
 */
export interface Outlet {
  /** A websocket or stream takes any number of writes; a poll answers once and is gone. */
  readonly persistent: boolean;
  /** Writes the packets; false when the connection was already gone (the session keeps them). */
  write(packets: readonly string[]): boolean;
  /** Lets go: a poll is answered empty, a socket or stream is ended. */
  release(): void;
}

/** Told when an outlet's connection goes away by itself (client left, poll timed out). */
export type OutletGone = (outlet: Outlet) => void;

/** Counts bytes for `router.stats`. */
export type ByteCounter = (bytes: number) => void;

/** Every write is one websocket message: the 0.9 client reads a message as a payload, so several packets may share one. */
export class WebSocketOutlet implements Outlet {
  readonly persistent = true;

  constructor(
    private readonly ws: ServerWebSocket,
    private readonly countBytes: ByteCounter,
    private readonly maxBufferedBytes: number,
    private readonly overflow: () => void,
  ) {}

  write(packets: readonly string[]): boolean {
    const frame = encodeFrame(encodePayload(packets), false);
    this.ws.sendFrame(frame);
    this.countBytes(framePayloadLength(frame));
    // A peer that stops reading grows the socket's buffer instead of our queue: the same cap.
    if (this.ws.bufferedAmount > this.maxBufferedBytes) this.overflow();
    return true;
  }

  release(): void {
    if (this.ws.bufferedAmount > this.maxBufferedBytes) this.ws.terminate();
    else this.ws.close(1000);
  }
}

/** How a poll's answer is wrapped: bare text (xhr-polling) or a script call (jsonp-polling). */
export interface PollFormat {
  readonly contentType: string;
  render(payload: string): string;
}

export const XHR_POLL_FORMAT: PollFormat = { contentType: 'text/plain; charset=UTF-8', render: (payload) => payload };

/** jsonp-polling: every answer, the empty one too, calls `io.j[i]` once; that call makes the client poll again. */
export const jsonpPollFormat = (index: number): PollFormat => ({
  contentType: 'text/javascript; charset=UTF-8',
  render: (payload) => `io.j[${index}](${scriptStringLiteral(payload)});`,
});

/** One long-poll GET: answered as soon as there is something, else empty at the polling timeout. */
export class PollOutlet implements Outlet, Expirable {
  readonly persistent = false;
  #answered = false;

  constructor(
    private readonly answer: HttpAnswer,
    private readonly format: PollFormat,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly deadlines: DeadlineClock,
    private readonly countBytes: ByteCounter,
    private readonly gone: OutletGone,
  ) {
    deadlines.add(this);
    answer.onAbort(() => {
      if (this.#answered) return;
      this.#answered = true;
      deadlines.delete(this);
      this.gone(this);
    });
  }

  /** The polling timeout: answered empty, so neither the client nor a proxy sees a hung request. */
  expire(): void {
    this.gone(this);
    this.#answer('');
  }

  write(packets: readonly string[]): boolean {
    if (this.#answered || !this.answer.open) return false;
    this.#answer(encodePayload(packets));
    return true;
  }

  release(): void {
    this.#answer('');
  }

  #answer(payload: string): void {
    if (this.#answered) return;
    this.#answered = true;
    this.deadlines.delete(this);
    const body = Buffer.from(this.format.render(payload), 'utf8');
    this.answer.send(200, { ...this.headers, 'Content-Type': this.format.contentType, 'Cache-Control': 'no-store' }, body);
    this.countBytes(body.length);
  }
}

/** Internet Explorer shows nothing of a streamed document before its first 256 bytes. */
const IE_PADDING = ' '.repeat(256);

/**
 * htmlfile: a forever-frame in an ActiveX `htmlfile` document whose window
 * holds the transport as `s`. The preamble defines `_` once, so each packet
 * costs one short script tag.
 */
export class StreamOutlet implements Outlet {
  readonly persistent = true;

  constructor(
    private readonly res: ServerResponse,
    headers: Readonly<Record<string, string>>,
    private readonly countBytes: ByteCounter,
    private readonly maxBufferedBytes: number,
    private readonly overflow: () => void,
    gone: OutletGone,
  ) {
    res.once('close', () => gone(this));
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    this.#send(`<html><body><script>var _ = function (packet) { parent.s._(packet, document); };</script>${IE_PADDING}\n`);
  }

  write(packets: readonly string[]): boolean {
    if (this.res.destroyed || this.res.writableEnded) return false;
    let chunk = '';
    for (const packet of packets) chunk += `<script>_(${scriptStringLiteral(packet)});</script>\n`;
    this.#send(chunk);
    if (this.res.writableLength > this.maxBufferedBytes) this.overflow();
    return true;
  }

  release(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  #send(text: string): void {
    this.res.write(text);
    this.countBytes(Buffer.byteLength(text));
  }
}
