import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from './errors';
import type { RequestHandler } from './http/attach';
import type { LaneClaim, LaneHead, LaneRoutes } from './http/lane/lane';
import { refuseRequest, refuseUpgrade } from './http/refusal';
import { splitUrl } from './http/url';
import type { Logger } from './logger';
import { SocketRouter } from './router';
import { resolveApplicationSettings, type ApplicationSettings, type ResolvedApplicationSettings } from './settings';

/** A route: a path pattern (a string is a regular expression, anchored, as in Tornado) and what serves it. */
export type Route = readonly [string | RegExp, RequestHandler | SocketRouter];

interface CompiledRoute {
  pattern: RegExp;
  target: RequestHandler | SocketRouter;
}

function compile(pattern: string | RegExp): RegExp {
  return typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : pattern;
}

/**
 * Tornado's `Application`: a route table plus settings. Put `router.route()`
 * in it next to your own handlers, then hand it to a `SocketServer`.
 */
export class Application implements LaneRoutes {
  readonly settings: ResolvedApplicationSettings;
  readonly logger: Logger;
  readonly #routes: CompiledRoute[];
  readonly #routers: readonly SocketRouter[];
  #lastPath: string | null = null;
  #lastRoute: CompiledRoute | undefined;

  constructor(routes: readonly Route[], settings?: ApplicationSettings) {
    this.settings = resolveApplicationSettings(settings);
    this.logger = this.settings.logger;
    if (!Array.isArray(routes)) throw new TypeError('tornadio: Application needs an array of routes');
    this.#routes = routes.map((route, index) => {
      const [pattern, target] = route;
      if (!(typeof pattern === 'string' || pattern instanceof RegExp) || !(typeof target === 'function' || target instanceof SocketRouter)) {
        throw new TypeError(`tornadio: route ${index} must be [pattern, handler or router]`);
      }
      return { pattern: compile(pattern), target };
    });
    // Looked up on every upgrade: worked out once.
    this.#routers = this.#routes.flatMap((route) => (route.target instanceof SocketRouter ? [route.target] : []));
  }

  /** Every socket router in the route table, in order. */
  get routers(): readonly SocketRouter[] {
    return this.#routers;
  }

  /** The first route whose pattern matches a path. */
  #routeOf(pathname: string): CompiledRoute | undefined {
    // Every poll of a client asks for the same path: the last one routed is looked up first.
    if (pathname === this.#lastPath) return this.#lastRoute;
    let found: CompiledRoute | undefined;
    // A plain loop: this runs for every request, long-polls included.
    for (const route of this.#routes) {
      if (route.pattern.test(pathname)) {
        found = route;
        break;
      }
    }
    this.#lastPath = pathname;
    this.#lastRoute = found;
    return found;
  }

  /** Serves one request with the first route whose pattern matches its path; 404 when none does. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const { pathname } = splitUrl(req.url ?? '');
    const route = this.#routeOf(pathname);
    if (!route) {
      refuseRequest(res, new RequestError('NOT_FOUND', 'no route for this path'), this.logger);
      return;
    }
    if (route.target instanceof SocketRouter) {
      route.target.handleRequest(req, res);
      return;
    }
    try {
      route.target(req, res);
    } catch (error) {
      // Not a RequestError: answered 500, the reason logged as an error.
      refuseRequest(res, error, this.logger, `handler for ${pathname}`);
    }
  }

  /** What serves a request on the HTTP lane (see http/lane): a router's protocol that takes it, or null for node:http. */
  laneClaim(head: LaneHead): LaneClaim | null {
    const target = this.#routeOf(head.pathname)?.target;
    return target instanceof SocketRouter ? target.laneClaim(head, head.pathname, head.search) : null;
  }

  /** Hands an upgrade to the router that owns its path; refuses it cleanly otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    for (const router of this.routers) {
      if (router.handleUpgrade(req, socket, head)) return;
    }
    refuseUpgrade(socket, new RequestError('NOT_FOUND', 'no websocket route for this path'), this.logger);
  }

  /** Closes every router's sessions; resolves when every router has closed (a cluster node has left its cluster). */
  close(): Promise<void> {
    return Promise.all(this.routers.map((router) => router.close())).then(() => undefined);
  }
}
