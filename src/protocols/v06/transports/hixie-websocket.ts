import type { Duplex } from 'node:stream';
import { RequestError } from '../../../errors';
import { HixieHandshakeError, HixieSocket, type HixieDraft } from '../../../websocket/hixie';
import type { Payload } from '../payload';
import type { Session } from '../session';
import type { SessionSink } from '../sink';
import type { TransportName } from '../transport-names';
import type { TransportContext, UpgradeRequest } from './transport';

/** Carries a session's frames over a hixie-75/76 socket, as WebSocketSink does over RFC 6455. */
class HixieSink implements SessionSink {
  readonly persistent = true;

  constructor(
    private readonly socket: HixieSocket,
    private readonly session: Session,
    private readonly context: TransportContext,
  ) {}

  deliver(payload: Payload): void {
    const { bytes } = payload;
    this.context.countBytes('out', bytes.length);
    this.socket.send(bytes);
    // A peer that stops reading grows the socket's write buffer instead of our queue: same cap.
    if (this.socket.bufferedAmount > this.context.settings.maxQueuedBytes) {
      this.context.logger.warn(`[session ${this.session.id}] websocket send buffer over its limit (${this.socket.bufferedAmount} bytes); closing`);
      this.session.abort('send buffer over its limit');
    }
  }

  end(): void {
    // A peer that is not reading would never take the closing frame.
    if (this.socket.bufferedAmount > this.context.settings.maxQueuedBytes) this.socket.terminate();
    else this.socket.close();
  }

  release(): void {
    this.end();
  }
}

/**
 * Serves a 0.6 `websocket`/`flashsocket` upgrade that speaks hixie-75 or
 * hixie-76: the same session as on RFC 6455, over the older framing. The
 * session opens once the handshake is answered (for 76, once key3 arrived).
 */
export function acceptHixieUpgrade(
  name: TransportName,
  draft: HixieDraft,
  request: UpgradeRequest,
  socket: Duplex,
  head: Buffer,
  context: TransportContext,
): void {
  const { settings, logger } = context;
  let session: Session | null = null;
  const where = () => `[${name} hixie-${draft}] ${session ? `session ${session.id}: ` : ''}`;
  try {
    new HixieSocket(draft, request.req, socket, head, { maxMessageSize: settings.maxMessageSize, handshakeTimeoutMs: settings.ms.handshakeTimeout }, {
      open: (hixie) => {
        try {
          context.openSession(name, request.req, request.path, request.search, (created) => {
            session = created;
            return new HixieSink(hixie, created, context);
          });
        } catch (error) {
          // A race with another connect past maxSessions: these drafts have no close code to say so.
          logger.warn(`${where()}session refused: ${error instanceof Error ? error.message : String(error)}`);
          hixie.close();
        }
      },
      message: (text, bytes) => {
        context.countBytes('in', bytes);
        session?.receivePayload(text);
      },
      closed: (reason) => {
        if (reason !== null) logger.warn(`${where()}closing: ${reason}`);
        session?.abort(reason ?? 'websocket closed');
      },
    });
  } catch (error) {
    if (error instanceof HixieHandshakeError) throw new RequestError('BAD_REQUEST', error.message);
    throw error;
  }
}
