import type { Payload } from './payload';

/**
 * The far end of a session at one moment: the websocket, the pending long-poll
 * GET, or the open streaming response. The session queues frames and hands
 * them to whichever sink is attached; each transport writes only its framing.
 */
export interface SessionSink {
  /**
   * Persistent sinks (websocket, streaming responses) take any number of
   * deliveries; a long-poll response takes one and is detached after it.
   */
  readonly persistent: boolean;
  /**
   * Writes a payload to the client. A sink that learns the write never
   * reached a live connection hands the frames back with `session.requeue()`.
   */
  deliver(payload: Payload): void;
  /** The session is over: end the connection the way this transport tells the client so. */
  end(): void;
  /** A newer request took this sink's place: let this one go without ending the session. */
  release(): void;
}
