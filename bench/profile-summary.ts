// Where a service's CPU time goes: top self-time functions and areas (package or source folder) of a V8 .cpuprofile.
// CLI: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top=15]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile { nodes: CpuProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface SelfTime { name: string; where: string; area: string; ms: number; share: number }
export interface ProfileSummary {
  /** Sampled wall time, ms. */
  totalMs: number;
  /** Sampled time not idle (CPU busy in this process), ms. */
  busyMs: number;
  /** Top functions by self time; share is of busy time. */
  functions: SelfTime[];
  /** Self time grouped by area: a node_modules package, a source folder, node internals, GC. */
  areas: { area: string; ms: number; share: number }[];
}

/** Names the place a script lives: `kafkajs`, `services/identity`, `node:internal`, `(garbage collector)`. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop();
  if (nm) return nm[1]!;
  const src = /\/((?:services|bench|test)\/(?:[^/]+\/)*)[^/]+$/.exec(url);
  if (src) return src[1]!.replace(/\/$/, '');
  return url.replace(/^file:\/\//, '');
}

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|services|bench|test)\//, '$1/');

/** Self time per node from samples and time deltas (each sample owns the interval up to the next one). */
export function summariseProfile(p: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length > 0) {
    for (let i = 0; i < samples.length; i++) {
      const us = deltas[i + 1] ?? 0;
      selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, us));
    }
  } else {
    // No sample list: fall back to hit counts spread evenly over the profile's duration.
    const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
    const per = hits === 0 ? 0 : (p.endTime - p.startTime) / hits;
    for (const n of p.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per);
  }
  const fns = new Map<string, { name: string; where: string; area: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') { idle += us; continue; }
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}\u0000${where}`;
    const area = areaOf(url, name);
    const f = fns.get(key) ?? { name, where, area, us: 0 };
    f.us += us;
    fns.set(key, f);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busy = total - idle;
  const share = (us: number) => (busy === 0 ? 0 : us / busy);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, area: f.area, ms: f.us / 1000, share: share(f.us) })),
    areas: [...areas].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, us]) => ({ area, ms: us / 1000, share: share(us) })),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [`  busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s sampled`, '  self time by area:'];
  for (const a of s.areas) lines.push(`    ${pct(a.share)}  ${a.area}`);
  lines.push('  top functions by self time:');
  for (const f of s.functions) lines.push(`    ${pct(f.share)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) { console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top=15]'); process.exit(2); }
  const top = Number(/--top=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 15);
  console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top)));
}
