// Exponential backoff with a cap, for transient faults (a server down, a timeout).

export interface Backoff { next(): number; reset(): void }

/** Delays initial, 2×initial, … up to max; deterministic (no jitter) so behaviour is reproducible. */
export function backoff(initialMs = 200, maxMs = 10_000): Backoff {
  let attempt = 0;
  return {
    next() {
      const d = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      return d;
    },
    reset() { attempt = 0; },
  };
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});
