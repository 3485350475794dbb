import type { ChildProcess } from 'node:child_process';

/** Resolves when the child has exited; sends SIGKILL if it has not after `graceMs`. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // Only the process we started, by its pid.
    if (child.pid) process.kill(child.pid, signal);
  });
}

/** Resolves when a line of the child's output matches, fails after `timeoutMs` with what it printed. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`${what} exited (${String(code)}) before it was ready:\n${seen}`));
    const timer = setTimeout(() => finish(new Error(`${what} not ready after ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
