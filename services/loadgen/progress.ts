// One-line progress text for a terminal: a bar, counts, rate and time left.

export function progressLine(label: string, done: number, total: number, elapsedMs: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const left = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} `
    + `${Math.round(rate).toLocaleString('en-US')}/s ${left > 0 ? `~${Math.ceil(left)}s left` : ''}`.trimEnd();
}
