import type { Socket } from 'node:net';
import { coarseNow } from '../../clock';
import { parseRequestHead, type LaneHead } from './head';
import { LaneAnswer, type AnswerOwner } from './lane-answer';

/**
 * What the lane serves a request it has read with, chosen by its path (see
 * HttpLane). A request it has no method for (a plain request with no
 * `serveBody`, an upgrade with no `upgrade`) is left to node:http.
 */
export interface LaneClaim {
  /** The largest body it reads; a longer one is served with a null body (to be refused with 413). */
  readonly bodyLimit: number;
  /** Serves the request with its whole body; never throws (refusals are answered). */
  serveBody?(body: Buffer | null, answer: LaneAnswer): void;
  /** Takes an upgrade request's socket, and the bytes that came after its head; never throws (refusals are answered). */
  upgrade?(socket: Socket, head: Buffer): void;
}

/** What a connection needs of its lane. */
export interface LaneHost {
  /** The lines that end a keep-alive answer's head (see LaneAnswer). */
  readonly keepAliveLines: string;
  /** Who serves a request; null leaves it, and the connection from then on, to node:http. */
  claim(head: LaneHead): LaneClaim | null;
  /** Hands a connection to node:http, its unread bytes put back first. */
  handOver(socket: Socket): void;
  /** The connection no longer belongs to the lane (closed, upgraded or handed over). */
  release(connection: LaneConnection): void;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);
/** node:http's default maxHeaderSize: a longer head goes to node:http, which answers 431. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Bytes held behind a request being served (a pipelining client) before reading pauses. */
const MAX_HELD_BYTES = 64 * 1024;
/** A refused body up to this size is read to its end, so the 413 is not lost to a reset (see http/body.ts). */
const DRAINED_BODY_LIMIT = 64 * 1024;

const METHOD_PREFIXES = ['GET /', 'POST /', 'OPTIONS /'];

/** Whether the bytes so far could begin a request the lane reads: one of its methods and an origin-form target. */
function startsLikeLaneRequest(bytes: Buffer): boolean {
  const first = bytes[0];
  const prefix = first === 0x47 ? METHOD_PREFIXES[0] : first === 0x50 ? METHOD_PREFIXES[1] : first === 0x4f ? METHOD_PREFIXES[2] : null;
  if (prefix === null) return false;
  const length = Math.min(prefix.length, bytes.length);
  for (let at = 1; at < length; at++) if (bytes[at] !== prefix.charCodeAt(at)) return false;
  return true;
}

const enum Phase {
  /** Waiting for (the rest of) a request head. */
  Head,
  /** Reading a body of a known length. */
  Body,
  /** A request is being served: its answer has not been sent yet. */
  Serving,
  /** After a refused body: reading what is left of it, then closing. */
  Draining,
  /** Closed, upgraded or handed over: nothing more is read here. */
  Gone,
}

const CONNECTION = Symbol('tornadio.lane');
interface Carrier {
  [CONNECTION]?: LaneConnection;
}

// One set of listener functions for every connection: the socket says which connection it carries.
function onData(this: Socket & Carrier, chunk: Buffer): void {
  this[CONNECTION]?.read(chunk);
}
function onEnd(this: Socket & Carrier): void {
  this[CONNECTION]?.peerEnded();
}
function onClose(this: Socket & Carrier): void {
  this[CONNECTION]?.closed();
}
function onError(this: Socket): void {
  // The 'close' that follows ends what is in progress.
  this.destroy();
}

/**
 * One keep-alive connection read by the lane: request heads, bodies of a
 * declared length, one request served at a time, answers in order. Bytes of
 * a next request wait behind the current one. Anything not in the lane's
 * shape hands the connection, unread bytes first, to node:http for good.
 */
export class LaneConnection implements AnswerOwner {
  #phase = Phase.Head;
  /** Bytes read and not yet used. */
  #pending: Buffer | null = null;
  /** Where the search for the end of the head resumes. */
  #searchFrom = 0;
  /** When the current phase began (coarseNow()), for the lane's timeouts. */
  #since = coarseNow();
  /** Whether a request has been answered: an idle connection then waits keepAliveTimeout, not headersTimeout. */
  #served = false;
  #claim: LaneClaim | null = null;
  #head: LaneHead | null = null;
  #bodyChunks: Buffer[] = [];
  #bodyMissing = 0;
  /** The request being served came with a body over its limit, left unread (see #serve). */
  #bodyUnread = false;
  #answer: LaneAnswer | null = null;
  #paused = false;
  #pumping = false;

  constructor(
    private readonly host: LaneHost,
    readonly socket: Socket,
  ) {
    (socket as Socket & Carrier)[CONNECTION] = this;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  read(chunk: Buffer): void {
    switch (this.#phase) {
      case Phase.Head:
        if (this.#pending === null) this.#since = coarseNow();
        this.#hold(chunk);
        this.#pump();
        return;
      case Phase.Body:
        this.#readBody(chunk);
        return;
      case Phase.Serving:
        this.#hold(chunk);
        if (this.#pending!.length > MAX_HELD_BYTES && !this.#paused) {
          this.#paused = true;
          this.socket.pause();
        }
        return;
      case Phase.Draining:
        this.#bodyMissing -= chunk.length;
        if (this.#bodyMissing <= 0) this.#close();
        return;
      default:
        return;
    }
  }

  #hold(chunk: Buffer): void {
    const pending = this.#pending;
    this.#pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
  }

  /** Reads the requests held, one after another, until one is in progress or more bytes are needed. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#phase === Phase.Head && this.#pending !== null && this.#readHead());
    } finally {
      this.#pumping = false;
    }
  }

  /** Reads one head from what is held; false when it is not all here, or the connection has left the lane. */
  #readHead(): boolean {
    const bytes = this.#pending!;
    // Not the start of a request the lane takes (another method, a Flash policy request): node:http's at once.
    if (this.#searchFrom === 0 && !startsLikeLaneRequest(bytes)) {
      this.#handOver();
      return false;
    }
    const end = bytes.indexOf(HEAD_END, this.#searchFrom);
    if (end === -1 || end > MAX_HEAD_BYTES) {
      if (end !== -1 || bytes.length > MAX_HEAD_BYTES) this.#handOver();
      else this.#searchFrom = Math.max(0, bytes.length - 3);
      return false;
    }
    const head = parseRequestHead(bytes, end, this.socket);
    const claim = head && this.host.claim(head);
    if (!head || !claim || !(head.upgrade ? claim.upgrade : claim.serveBody)) {
      this.#handOver();
      return false;
    }
    const rest = end + 4 === bytes.length ? EMPTY : bytes.subarray(end + 4);
    this.#pending = rest.length > 0 ? rest : null;
    this.#searchFrom = 0;
    if (head.upgrade) {
      this.#leave();
      claim.upgrade!(this.socket, rest);
      return false;
    }
    // `#since` is when this request's first bytes came (or its connection went idle): its body is timed from there.
    this.#claim = claim;
    this.#head = head;
    if (head.contentLength > claim.bodyLimit) {
      this.#serve(null);
      return true;
    }
    this.#phase = Phase.Body;
    this.#bodyMissing = head.contentLength;
    const held = this.#pending;
    this.#pending = null;
    this.#readBody(held ?? EMPTY);
    return true;
  }

  #readBody(chunk: Buffer): void {
    const missing = this.#bodyMissing;
    if (chunk.length > missing) {
      this.#hold(chunk.subarray(missing));
      chunk = chunk.subarray(0, missing);
    }
    if (chunk.length > 0) this.#bodyChunks.push(chunk);
    this.#bodyMissing -= chunk.length;
    if (this.#bodyMissing > 0) return;
    const chunks = this.#bodyChunks;
    this.#bodyChunks = [];
    this.#serve(chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  #serve(body: Buffer | null): void {
    const head = this.#head!;
    const claim = this.#claim!;
    this.#head = null;
    this.#claim = null;
    this.#phase = Phase.Serving;
    // A body over the claim's limit is not read: whatever the answer (a 413, or a refusal found before the
    // body mattered), it closes the connection, and what is left of the body is drained first or cut.
    const bodyUnread = body === null;
    const answer = new LaneAnswer(this.socket, this, head.keepAlive && !bodyUnread, this.host.keepAliveLines);
    this.#answer = answer;
    this.#bodyUnread = bodyUnread;
    if (bodyUnread) this.#bodyMissing = head.contentLength - (this.#pending?.length ?? 0);
    claim.serveBody!(body, answer);
    // Answered at once (a post): the next request held may be read.
    if ((this.#phase as Phase) === Phase.Head) this.#pump();
  }

  answered(answer: LaneAnswer, closes: boolean, refusesBody: boolean): void {
    if (answer !== this.#answer || this.#phase !== Phase.Serving) return;
    this.#answer = null;
    this.#served = true;
    if (refusesBody || this.#bodyUnread) {
      this.#bodyUnread = false;
      return this.#drainRefusedBody();
    }
    if (closes) return this.#close();
    this.#phase = Phase.Head;
    this.#since = coarseNow();
    this.#resumeReading();
    // Called from inside #serve, the loop there goes on; from a later tick (a long-poll answered), start it.
    if (!this.#pumping && this.#pending !== null) this.#pump();
  }

  #drainRefusedBody(): void {
    this.#pending = null;
    if (this.#bodyMissing <= 0) return this.#close();
    if (this.#bodyMissing > DRAINED_BODY_LIMIT) return this.#close();
    this.#phase = Phase.Draining;
    this.#since = coarseNow();
    this.#resumeReading();
  }

  /** Reads again after a pause for bytes held behind a request (see MAX_HELD_BYTES). */
  #resumeReading(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.socket.resume();
  }

  /**
   * Ends the connection after what has been written, for good: an HTTP
   * server's socket is half-open capable, and a client that never closes its
   * side must not keep it open.
   */
  #close(data?: string): void {
    this.#phase = Phase.Gone;
    this.#pending = null;
    const { socket } = this;
    if (data === undefined) socket.end(() => socket.destroy());
    else socket.end(data, () => socket.destroy());
  }

  /** Stops reading here: the socket belongs to someone else from now on. */
  #leave(): void {
    this.#phase = Phase.Gone;
    const socket = this.socket;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onClose);
    socket.off('error', onError);
    delete (socket as Socket & Carrier)[CONNECTION];
    this.host.release(this);
  }

  #handOver(): void {
    const held = this.#pending;
    this.#pending = null;
    this.#leave();
    const { socket } = this;
    socket.pause();
    if (held !== null) socket.unshift(held);
    this.host.handOver(socket);
    socket.resume();
  }

  /**
   * The lane's clock: a head or body that takes too long is answered 408, an
   * idle connection is closed. A request being served (a held long-poll) is
   * never cut here: its protocol times it.
   */
  checkTimeouts(now: number, headersMs: number, requestMs: number, keepAliveMs: number): void {
    const elapsed = now - this.#since;
    switch (this.#phase) {
      case Phase.Head:
        if (this.#pending !== null || !this.#served) {
          if (elapsed > headersMs) this.#timeOut();
        } else if (elapsed > keepAliveMs) {
          this.#phase = Phase.Gone;
          this.socket.destroy();
        }
        return;
      case Phase.Body:
      case Phase.Draining:
        if (elapsed > requestMs) this.#timeOut();
        return;
      default:
        return;
    }
  }

  #timeOut(): void {
    if (this.socket.writable) this.#close('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else this.socket.destroy();
  }

  peerEnded(): void {
    // Half-closed by the client: nothing more will come, so nothing waits for an answer.
    this.#answer?.abort();
    this.#answer = null;
    if (this.#phase !== Phase.Gone) this.#close();
  }

  closed(): void {
    this.#answer?.abort();
    this.#answer = null;
    this.#phase = Phase.Gone;
    this.#pending = null;
    this.host.release(this);
  }

  /** The server is closing. */
  destroy(): void {
    this.socket.destroy();
  }
}
