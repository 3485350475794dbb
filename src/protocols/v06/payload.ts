import { encodeFrame } from '../../websocket/frame-writer';

/**
 * Frames leaving together in one write, with their text and UTF-8 bytes
 * worked out once, on first use. A broadcast hands every session the same
 * payload, so 2,000 websockets cost one `join` and one UTF-8 encoding, not
 * 2,000, and one websocket frame written to every socket.
 */
export class Payload {
  #text: string | null = null;
  #bytes: Buffer | null = null;
  #webSocketFrame: Buffer | null = null;

  constructor(readonly frames: readonly string[]) {}

  /** The frames back to back: a 0.6 payload may carry any number of frames. */
  get text(): string {
    if (this.#text === null) this.#text = this.frames.length === 1 ? this.frames[0] : this.frames.join('');
    return this.#text;
  }

  get bytes(): Buffer {
    if (this.#bytes === null) this.#bytes = Buffer.from(this.text, 'utf8');
    return this.#bytes;
  }

  /** The payload as one whole websocket text frame (websocket/frame-writer.ts). */
  get webSocketFrame(): Buffer {
    if (this.#webSocketFrame === null) this.#webSocketFrame = encodeFrame(this.#bytes ?? this.text, false);
    return this.#webSocketFrame;
  }
}
