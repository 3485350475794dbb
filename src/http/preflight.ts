import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** The headers of a CORS preflight's answer, so a cross-origin client may POST with the headers it asked for. */
export function preflightHeaders(requestHeaders: IncomingHttpHeaders, cors: Readonly<Record<string, string>>): Record<string, string> {
  const requested = requestHeaders['access-control-request-headers'];
  return {
    ...cors,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': typeof requested === 'string' ? requested : 'Content-Type',
    'Access-Control-Max-Age': '86400',
    'Content-Length': '0',
  };
}

/** Answers a CORS preflight (see preflightHeaders). */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  res.writeHead(204, preflightHeaders(req.headers, headers));
  res.end();
}
