import { RequestError } from '../../../errors';
import type { HttpAnswer } from '../../../http/answer';
import { formDataField } from '../../../http/body';
import { scriptStringLiteral } from '../../../http/script-escape';
import type { SessionSink } from '../sink';
import { LongPollTransport, type GetContext, type PollAddress } from './polling';
import { LongPollSink, longPollHeaders, type LongPollFormat } from './sinks';

/** `io.JSONP` grows by one per transport the page creates; six digits is far beyond any real page. */
const JSONP_HEADERS = longPollHeaders('text/javascript; charset=UTF-8');
const JSONP_INDEX_PATTERN = /^\d{1,6}$/;

/**
 * The script a jsonp-polling GET answers with. Every response, the empty one
 * included, must call `io.JSONP[i]._` exactly once: that call is what makes
 * the client poll again.
 */
export function jsonpFormat(index: number): LongPollFormat {
  return {
    headers: JSONP_HEADERS,
    render: (payload) => `io.JSONP[${index}]._(${scriptStringLiteral(payload)});`,
  };
}

/**
 * `jsonp-polling`: GETs are script tags at `/<sid>/<timestamp>/<index>`;
 * POSTs come from a hidden form to the same shape (not `/send`).
 */
export class JsonpPollingTransport extends LongPollTransport {
  protected override addressOf(segments: string[]): PollAddress {
    const index = segments[2] ?? '';
    if (!JSONP_INDEX_PATTERN.test(index)) throw new RequestError('BAD_URL', 'jsonp index must be a small decimal number');
    return { sessionId: segments[0] ?? '', jsonpIndex: Number(index) };
  }

  /**
   * The form posts a textarea, and browsers normalise its line breaks to
   * CRLF, so a message with "\n" arrives longer than its frame length says.
   * When the payload as posted does not decode and has CRLFs, they are
   * turned back into the LFs the client framed.
   */
  protected override postedPayload(body: string): string {
    const posted = formDataField(body);
    if (!posted.includes('\r\n') || this.context.framing.isWellFormed(posted)) return posted;
    return posted.replace(/\r\n/g, '\n');
  }

  protected createSink({ session, reply, headers, address }: GetContext<HttpAnswer>): SessionSink {
    return new LongPollSink(
      session,
      reply,
      jsonpFormat(address.jsonpIndex ?? 0),
      headers,
      this.context.pollDeadlines,
      (bytes) => this.context.countBytes('out', bytes),
    );
  }
}
