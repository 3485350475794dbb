import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The 0.6 browser client, vendored as the `socket.io@0.6.18` package shipped it (MIT notice beside it). */
const CLIENT_FILE_PATH = join(__dirname, '../../../vendor/socket.io-client-0.6/socket.io.js');

interface ClientFile {
  plain: Buffer;
  gzipped: Buffer;
  etag: string;
}

let cached: ClientFile | null = null;

/** Loads, hashes and compresses the client once per process. */
function loadClientFile(): ClientFile {
  if (!cached) {
    const plain = readFileSync(CLIENT_FILE_PATH);
    cached = {
      plain,
      gzipped: gzipSync(plain, { level: 9 }),
      etag: `"${createHash('sha1').update(plain).digest('base64url')}"`,
    };
  }
  return cached;
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

/** Serves `/<resource>/socket.io.js` with an ETag, 304 revalidation and gzip when accepted. */
export function serveClientFile(req: IncomingMessage, res: ServerResponse): void {
  const file = loadClientFile();
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
