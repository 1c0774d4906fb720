// Plain-text tables for the terminal.

export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '  (no rows)';
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v));
  const width = cols.map((c) => Math.min(48, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => `  ${vals.map((v, i) => (v.length > width[i]! ? `${v.slice(0, width[i]! - 1)}…` : v.padEnd(width[i]!))).join('  ')}`;
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
