// Percentiles of a sample by the nearest-rank method: the smallest value with at least p% of the sample at or below it.

/** Nearest-rank percentile (p in 0..100) of `values`; NaN for an empty sample. Does not modify `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Summary { n: number; min: number; p50: number; p95: number; p99: number; max: number; mean: number }

export function summarise(values: readonly number[]): Summary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    n: values.length, min: percentile(values, 0), p50: percentile(values, 50), p95: percentile(values, 95),
    p99: percentile(values, 99), max: percentile(values, 100), mean,
  };
}
