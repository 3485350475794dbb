import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from '../errors';
import type { Logger } from '../logger';
import { refuseRequest, refuseUpgrade } from './refusal';

/** A plain request handler, as an `Application` route or a fallback. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `attach` needs of a router. */
export interface AttachableRouter {
  readonly logger: Logger;
  owns(url: string | undefined): boolean;
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

/**
 * Serves a router's requests and upgrades on an existing `http.Server` (or
 * `https.Server`, or one an Express app listens on); every other request goes
 * to the handlers that were there before, untouched.
 */
export function attachRouter(router: AttachableRouter, server: HttpServer): void {
  const previousRequest = server.listeners('request') as RequestHandler[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (router.owns(req.url)) {
      router.handleRequest(req, res);
      return;
    }
    if (previousRequest.length === 0) {
      refuseRequest(res, new RequestError('NOT_FOUND', 'no handler for this path'), router.logger);
      return;
    }
    for (const handler of previousRequest) handler.call(server, req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Another upgrade listener (say, the user's own ws server) may want the path: refuse only when we are alone.
    if (!router.handleUpgrade(req, socket, head) && server.listenerCount('upgrade') === 1) {
      refuseUpgrade(socket, new RequestError('NOT_FOUND', 'no upgrade handler for this path'), router.logger);
    }
  });
  server.on('close', () => router.close());
}
