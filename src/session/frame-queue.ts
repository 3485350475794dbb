/**
 * The frames waiting for a session's next write, and their UTF-8 size. The
 * one place both are kept, so the count and the bytes can never disagree:
 * every frame in is counted the same way, every frame out is subtracted.
 */
export class FrameQueue {
  #frames: string[] = [];
  #bytes = 0;

  /** Frames waiting. */
  get length(): number {
    return this.#frames.length;
  }

  /** Their UTF-8 bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  push(frame: string): void {
    this.#frames.push(frame);
    this.#bytes += Buffer.byteLength(frame);
  }

  pushAll(frames: readonly string[]): void {
    for (const frame of frames) this.push(frame);
  }

  /** Puts frames that could not be delivered back at the head, ahead of newer ones, in their order. */
  requeue(frames: readonly string[]): void {
    if (frames.length === 0) return;
    let bytes = 0;
    for (const frame of frames) bytes += Buffer.byteLength(frame);
    this.#frames = this.#frames.length === 0 ? [...frames] : [...frames, ...this.#frames];
    this.#bytes += bytes;
  }

  /** Takes every frame out, oldest first, leaving the queue empty. */
  drain(): string[] {
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    return frames;
  }

  /** Drops every frame (the client is gone). */
  clear(): void {
    this.#frames = [];
    this.#bytes = 0;
  }
}
