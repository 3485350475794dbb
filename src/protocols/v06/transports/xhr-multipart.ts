import type { SessionSink } from '../sink';
import type { ServerResponse } from 'node:http';
import { PollingTransport, type GetContext } from './polling';
import { StreamSink, type StreamFormat } from './sinks';

const BOUNDARY = 'socketio';

/** Each message is one part; the client reads each part's text as a payload. */
export const MULTIPART_FORMAT: StreamFormat = {
  // Tornadio sent `boundary="socketio; charset=UTF-8"`, which names a different boundary.
  contentType: `multipart/x-mixed-replace;boundary="${BOUNDARY}"`,
  preamble: `--${BOUNDARY}\n`,
  renderFrame: (frame) => `Content-Type: text/plain; charset=UTF-8\n\n${frame}\n--${BOUNDARY}\n`,
};

/** `xhr-multipart`: one long GET at `/<resource>/xhr-multipart/`, POSTs to `/<sid>/send`. */
export class XhrMultipartTransport extends PollingTransport<ServerResponse> {
  protected replyOf(res: ServerResponse): ServerResponse {
    return res;
  }

  protected createSink({ session, reply, headers }: GetContext<ServerResponse>): SessionSink {
    return new StreamSink(session, reply, MULTIPART_FORMAT, headers, (bytes) => this.context.countBytes('out', bytes), this.context.settings.maxQueuedBytes);
  }
}
