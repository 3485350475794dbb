import { Agent as HttpAgent, request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ClientError, networkError } from './errors';

type RequestFunction = (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

/** Where one client's HTTP requests go. Built once per client. */
export interface HttpTarget {
  request: RequestFunction;
  agent: Agent;
  hostname: string;
  port: number;
  /** Headers of a GET. */
  getHeaders: Record<string, string>;
  /** Headers of a POST, Content-Length aside. */
  postHeaders: Record<string, string>;
  /** `http://host:port`, for messages. */
  origin: string;
}

/** Called once per exchange, never after `abort()`: an error, or the status and the whole body. */
export type ExchangeCallback = (error: ClientError | null, status: number, statusText: string, body: string) => void;

export interface Exchange {
  /** Drops the request; its callback is not called. */
  abort(): void;
}

let sharedHttpAgent: HttpAgent | null = null;
let sharedHttpsAgent: HttpsAgent | null = null;

/**
 * The keep-alive agent every client without its own shares, so a long-poll
 * and a POST reuse sockets instead of connecting each time. Its pool of idle
 * sockets is not capped (Node's default keeps 256, which thousands of clients
 * would churn through); an idle socket closes when the server times it out.
 */
export function defaultAgent(secure: boolean): Agent {
  if (secure) return (sharedHttpsAgent ??= new HttpsAgent({ keepAlive: true, maxFreeSockets: Infinity }));
  return (sharedHttpAgent ??= new HttpAgent({ keepAlive: true, maxFreeSockets: Infinity }));
}

export function createHttpTarget(secure: boolean, hostname: string, urlHost: string, port: number, headers: Record<string, string>, agent: Agent | undefined): HttpTarget {
  return {
    request: secure ? httpsRequest : httpRequest,
    agent: agent ?? defaultAgent(secure),
    hostname,
    port,
    getHeaders: { ...headers },
    postHeaders: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    origin: `${secure ? 'https' : 'http'}://${urlHost}:${port}`,
  };
}

/**
 * One HTTP request whose whole body is read as UTF-8. A request that fails
 * with ECONNRESET on a reused keep-alive socket, before any response, is
 * retried once: the server closed that idle socket as we picked it, so it
 * never saw the request (Node's documented pattern, `request.reusedSocket`).
 */
export function exchange(
  target: HttpTarget,
  method: 'GET' | 'POST',
  path: string,
  body: string | null,
  timeoutMs: number,
  label: string,
  done: ExchangeCallback,
): Exchange {
  const what = `${label} ${method} ${target.origin}${path}`;
  let finished = false;
  let retried = false;
  let current: ClientRequest;
  const finish = (error: ClientError | null, status: number, statusText: string, text: string): void => {
    if (finished) return;
    finished = true;
    done(error, status, statusText, text);
  };
  const start = (): void => {
    let responded = false;
    const headers = body === null ? target.getHeaders : { ...target.postHeaders, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = target.request({ host: target.hostname, port: target.port, method, path, headers, agent: target.agent }, (res) => {
      responded = true;
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => finish(null, res.statusCode ?? 0, res.statusMessage ?? '', text));
      res.on('error', (error: Error) => finish(networkError(what, error), 0, '', ''));
      res.on('close', () => {
        if (!res.complete) finish(new ClientError('NETWORK', `${what} failed: the response was cut short`), 0, '', '');
      });
    });
    current = req;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (finished) return;
      if (!responded && !retried && req.reusedSocket && error.code === 'ECONNRESET') {
        retried = true;
        start();
        return;
      }
      finish(networkError(what, error), 0, '', '');
    });
    if (timeoutMs > 0) {
      req.setTimeout(timeoutMs, () => {
        finish(new ClientError('TIMEOUT', `${what} got no answer within ${timeoutMs} ms`), 0, '', '');
        req.destroy();
      });
    }
    req.end(body ?? undefined);
  };
  start();
  return {
    abort(): void {
      if (finished) return;
      finished = true;
      current.destroy();
    },
  };
}
