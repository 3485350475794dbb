import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refusalFor, RequestError } from './errors';
import type { RequestHandler } from './http/attach';
import { writeRefusal } from './http/refusal';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=UTF-8',
  '.js': 'application/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.json': 'application/json; charset=UTF-8',
  '.xml': 'application/xml; charset=UTF-8',
  '.txt': 'text/plain; charset=UTF-8',
};

/** A route handler that serves one file (an example's page, say), read on each request. */
export function fileHandler(path: string, contentType = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream'): RequestHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      writeRefusal(res, refusalFor(new RequestError('METHOD_NOT_ALLOWED', 'only GET and HEAD')));
      return;
    }
    readFile(path).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => writeRefusal(res, refusalFor(new RequestError('NOT_FOUND', 'file not found'))),
    );
  };
}
