import { createServer, type Server, type Socket } from 'node:net';
import { describeError, type Logger } from './logger';

/** What a Flash player sends before it opens a socket: the tag, then a NUL byte. */
export const POLICY_REQUEST = '<policy-file-request/>\0';

/** The permissive policy used when no file is configured (the same as the shipped flashpolicy.xml). */
export const DEFAULT_POLICY =
  '<?xml version="1.0"?>\n' +
  '<!DOCTYPE cross-domain-policy SYSTEM "http://www.macromedia.com/xml/dtds/cross-domain-policy.dtd">\n' +
  '<cross-domain-policy>\n  <allow-access-from domain="*" to-ports="*"/>\n</cross-domain-policy>\n';

/** A client that has not sent the request within this time is dropped. */
const REQUEST_TIMEOUT_MS = 5_000;

/** The policy reply: the file's text followed by a NUL, as Flash expects. */
export function policyReply(policy: string): Buffer {
  return Buffer.from(`${policy}\0`, 'utf8');
}

/**
 * Whether `data` is (so far) a prefix of the policy request: lets a reader
 * wait for the rest of a request that arrived in pieces, and stop at once on
 * anything else. (Tornadio read exactly 22 bytes; the request is 23.)
 */
export function policyRequestState(data: Buffer): 'complete' | 'partial' | 'other' {
  const text = data.toString('latin1');
  if (text === POLICY_REQUEST) return 'complete';
  return POLICY_REQUEST.startsWith(text) ? 'partial' : 'other';
}

/** Answers every `<policy-file-request/>` on its own port (843 unless set), each client on its own. */
export class FlashPolicyServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(
    private readonly reply: Buffer,
    private readonly logger: Logger,
  ) {
    this.#server = createServer((socket) => this.#serve(socket));
  }

  /** Resolves once listening; rejects (e.g. EACCES for port 843 without root) without side effects. */
  listen(port: number, host?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.#server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        this.#server.off('error', onError);
        this.#server.on('error', (error) => this.logger.error(`[flash policy] ${describeError(error)}`));
        resolve();
      };
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen(port, host);
    });
  }

  get port(): number | null {
    const address = this.#server.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    let received = Buffer.alloc(0);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', (error) => this.logger.debug(`[flash policy] client error: ${error.message}`));
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const state = policyRequestState(received);
      if (state === 'partial') return;
      socket.removeAllListeners('data');
      if (state === 'complete') socket.end(this.reply);
      else {
        this.logger.warn('[flash policy] not a policy request; closing');
        socket.destroy();
      }
    });
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
  }
}
