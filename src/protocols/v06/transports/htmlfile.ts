import { scriptStringLiteral } from '../../../http/script-escape';
import type { SessionSink } from '../sink';
import type { ServerResponse } from 'node:http';
import { PollingTransport, type GetContext } from './polling';
import { StreamSink, type StreamFormat } from './sinks';

/** Internet Explorer renders nothing of a streamed document until it has this many bytes. */
const IE_PADDING_BYTES = 256;

/**
 * A forever-frame: the page's `parent.s._(data, document)` is called once per
 * message. Tornadio wrote `parent.s_(…),document);`, which is not JavaScript.
 */
export const HTMLFILE_FORMAT: StreamFormat = {
  contentType: 'text/html; charset=UTF-8',
  preamble: `<html><body>${' '.repeat(IE_PADDING_BYTES)}\n`,
  renderFrame: (frame) => `<script>parent.s._(${scriptStringLiteral(frame)}, document);</script>\n`,
};

/** `htmlfile`: one chunked GET at `/<resource>/htmlfile//<timestamp>`, POSTs to `/<sid>/send`. */
export class HtmlfileTransport extends PollingTransport<ServerResponse> {
  protected replyOf(res: ServerResponse): ServerResponse {
    return res;
  }

  protected createSink({ session, reply, headers }: GetContext<ServerResponse>): SessionSink {
    return new StreamSink(session, reply, HTMLFILE_FORMAT, headers, (bytes) => this.context.countBytes('out', bytes), this.context.settings.maxQueuedBytes);
  }
}
