import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The 0.6 browser client, vendored as the `socket.io@0.6.18` package shipped it (MIT notice beside it). */
export const CLIENT_06_PATH = join(__dirname, '../../vendor/socket.io-client-0.6/socket.io.js');

/** The socket.io-client 2.5.0 browser bundle (Engine.IO 3), vendored unmodified (MIT notice beside it). */
export const CLIENT_V2_PATH = join(__dirname, '../../vendor/socket.io-client-2/socket.io.js');

/** The v4 browser bundle, from the `socket.io-client` package (MIT, its notice in the file). */
export const CLIENT_V4_PATH = join(dirname(require.resolve('socket.io-client/package.json')), 'dist/socket.io.min.js');

interface ClientFile {
  plain: Buffer;
  gzipped: Buffer;
  etag: string;
}

const cache = new Map<string, ClientFile>();

/** Loads, hashes and compresses a client file once per process. */
function loadClientFile(path: string): ClientFile {
  let file = cache.get(path);
  if (!file) {
    const plain = readFileSync(path);
    file = { plain, gzipped: gzipSync(plain, { level: 9 }), etag: `"${createHash('sha1').update(plain).digest('base64url')}"` };
    cache.set(path, file);
  }
  return file;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const accepted = req.headers['accept-encoding'];
  return typeof accepted === 'string' && /\bgzip\b/i.test(accepted);
}

function etagMatches(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === etag || tag === `W/${etag}` || tag === '*';
  });
}

/** Serves a browser client file with an ETag, 304 revalidation and gzip when accepted. */
export function serveClientFile(req: IncomingMessage, res: ServerResponse, path: string): void {
  const file = loadClientFile(path);
  const headers: Record<string, string> = {
    'Content-Type': 'application/javascript; charset=UTF-8',
    ETag: file.etag,
    'Cache-Control': 'public, max-age=0, must-revalidate',
    Vary: 'Accept-Encoding',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' });
    res.end();
    return;
  }
  if (etagMatches(req, file.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = acceptsGzip(req);
  const body = gzip ? file.gzipped : file.plain;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
