import { PollingTransport, type GetContext } from './polling';
import { LongPollSink, type LongPollFormat } from './sinks';
import type { SessionSink } from '../sink';

/** The payload as is: the 0.6 client decodes the frames from the response text. */
export const XHR_POLLING_FORMAT: LongPollFormat = {
  contentType: 'text/plain; charset=UTF-8',
  render: (payload) => payload,
};

/** `xhr-polling`: GET `/<sid>/<timestamp>` long-polls, POST `/<sid>/send` carries client frames. */
export class XhrPollingTransport extends PollingTransport {
  protected createSink({ session, res, headers }: GetContext): SessionSink {
    return new LongPollSink(session, res, XHR_POLLING_FORMAT, headers, this.context.pollDeadlines, (bytes) =>
      this.context.countBytes('out', bytes),
    );
  }
}
