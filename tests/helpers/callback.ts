/** Resolves with the first value `register` hands its callback, or fails after `ms`, naming what it waited for. */
export function waitForCallback<T>(what: string, register: (done: (value: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
