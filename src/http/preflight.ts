import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers a CORS preflight so a cross-origin client may POST with the headers it asked for. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...headers,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': typeof requested === 'string' ? requested : 'Content-Type',
    'Access-Control-Max-Age': '86400',
    'Content-Length': '0',
  });
  res.end();
}
