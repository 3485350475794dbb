import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), for servers that cannot listen on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** What a server prints or throws when the port it was given was taken meanwhile (Node, redis-server, nginx). */
const PORT_TAKEN = /EADDRINUSE|Address already in use/;

/**
 * Starts a server on a port of `freePort`, again on another one if that port
 * was taken between the probe and the server's own bind (parallel test
 * workers open connections all the time, and each takes a local port).
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !PORT_TAKEN.test(String(error instanceof Error ? error.message : error))) throw error;
    }
  }
}
