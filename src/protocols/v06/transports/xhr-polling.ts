import type { SessionSink } from '../sink';
import type { HttpAnswer } from '../../../http/answer';
import { LongPollTransport, type GetContext } from './polling';
import { LongPollSink, longPollHeaders, type LongPollFormat } from './sinks';

/** The payload as is: the 0.6 client decodes the frames from the response text. */
export const XHR_POLLING_FORMAT: LongPollFormat = {
  headers: longPollHeaders('text/plain; charset=UTF-8'),
  render: (payload) => payload,
};

/** `xhr-polling`: GET `/<sid>/<timestamp>` long-polls, POST `/<sid>/send` carries client frames. */
export class XhrPollingTransport extends LongPollTransport {
  protected createSink({ session, reply, headers }: GetContext<HttpAnswer>): SessionSink {
    return new LongPollSink(session, reply, XHR_POLLING_FORMAT, headers, this.context.pollDeadlines, (bytes) =>
      this.context.countBytes('out', bytes),
    );
  }
}
