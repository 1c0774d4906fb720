// Benchmark of the identity core: events per CPU-second on one core and heap bytes per identifier on a generated
// workload. Times are this process's CPU (process.cpuUsage), not the wall clock: on a machine shared with other work a
// wall clock counts the time the process waited for a core.
// Run: node --expose-gc --import tsx bench/core.ts [--identifiers=1e6,1e7|none] [--late=0.02] [--extract=200000] [--types=2000]
import { touchpoint } from '../test/support/builders.ts';
import { extractIdentifiers } from '../services/identity/identifiers.ts';
import { IdentityGraph } from '../services/identity/graph.ts';
import { defaultIdentityConfig } from '../services/identity/rules.ts';
import type { Claim, Identifier } from '../services/identity/types.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = args.get('identifiers') === 'none' ? [] : (args.get('identifiers') ?? '1e6').split(',').map(Number);
const typeEvents = Number(args.get('types') ?? '0');
const lateShare = Number(args.get('late') ?? '0.02');
const extractCount = Number(args.get('extract') ?? '200000');
const gc = (globalThis as { gc?: () => void }).gc;
/** CPU µs (user + system) this process used since `from`. */
const cpuUs = (from: NodeJS.CpuUsage): number => { const c = process.cpuUsage(from); return c.user + c.system; };
if (gc === undefined) console.warn('run with node --expose-gc for heap figures');

/** Deterministic PRNG (mulberry32): the same workload on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Flat one-byte strings, as a decoder would produce them (concatenation would leave cons strings behind).
const buf = Buffer.alloc(64);
function uuid(rnd: () => number): string {
  const hex = '0123456789abcdef';
  for (let i = 0; i < 36; i++) buf[i] = i === 8 || i === 13 || i === 18 || i === 23 ? 45 : hex.charCodeAt((rnd() * 16) | 0);
  return buf.toString('latin1', 0, 36);
}
const flat = (s: string): string => { buf.write(s, 'latin1'); return buf.toString('latin1', 0, s.length); };

interface Person { ids: Identifier[]; anon: Identifier[] }

/** About 3.6 identifiers a person: cookies, user_id, email, some phones, devices and CRM ids. */
function person(i: number, rnd: () => number): Person {
  const anon = Array.from({ length: 1 + ((rnd() * 4) | 0) }, () => ({ type: 'anonymous_id', value: uuid(rnd) }));
  const ids: Identifier[] = [];
  if (rnd() < 0.7) ids.push({ type: 'user_id', value: flat(`user-${i.toString(36)}-${(rnd() * 1e6) | 0}`) });
  if (rnd() < 0.6) ids.push({ type: 'email', value: flat(`person.${i.toString(36)}@mail${(rnd() * 50) | 0}.com`) });
  if (rnd() < 0.2) ids.push({ type: 'phone', value: flat(`+1415${String(1000000 + ((rnd() * 8999999) | 0))}`) });
  if (rnd() < 0.3) ids.push({ type: 'device_id', value: uuid(rnd) });
  if (rnd() < 0.1) ids.push({ type: 'crm_id', value: flat(`C${i}`) });
  return { ids, anon };
}

/** A person's events: anonymous browsing per cookie, then logins and identifies on some cookies. */
function* events(p: Person, t0: number, rnd: () => number): Generator<Claim> {
  let t = t0;
  for (const a of p.anon) {
    const views = 2 + ((rnd() * 6) | 0);
    for (let v = 0; v < views; v++) yield { messageId: uuid(rnd), eventTime: (t += 1000 + ((rnd() * 60000) | 0)), identifiers: [a] };
    if (p.ids.length > 0) {
      yield { messageId: uuid(rnd), eventTime: (t += 1000), identifiers: [a, ...p.ids.slice(0, 1 + ((rnd() * p.ids.length) | 0))] };
      yield { messageId: uuid(rnd), eventTime: (t += 1000), identifiers: [a, p.ids[0] as Identifier] };
    }
  }
}

function heapBytes(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function run(target: number): Record<string, string | number> {
  const rnd = prng(target);
  const base = heapBytes();
  const g = new IdentityGraph(defaultIdentityConfig);
  let evts = 0, applyUs = 0, personIx = 0, late = 0, fresh = 0;
  const held: Claim[] = [];
  const batch: Claim[] = [];
  while (g.stats().identifiers < target) {
    batch.length = 0;
    for (let k = 0; k < 2000; k++, personIx++) {
      const p = person(personIx, rnd);
      for (const c of events(p, 1_700_000_000_000 + personIx * 50, rnd)) {
        // Some events arrive late: held back and applied after later events of the same person.
        if (rnd() < lateShare) held.push(c); else batch.push(c);
      }
      if (held.length > 0 && rnd() < 0.5) { batch.push(...held); late += held.length; held.length = 0; }
    }
    const t = process.cpuUsage();
    for (const c of batch) if (g.apply(c).changelog.length > 0) fresh++;
    applyUs += cpuUs(t);
    evts += batch.length;
  }
  batch.length = 0;
  const bytes = heapBytes() - base;
  const s = g.stats();
  const secs = applyUs / 1e6;
  const row = {
    identifiers: s.identifiers, events: evts, 'new claims': fresh, 'late events': late, profiles: s.profiles, claims: s.claims,
    'apply s': secs.toFixed(1), 'events/s': Math.round(evts / secs), 'heap MB': (bytes / 2 ** 20).toFixed(0), 'bytes/identifier': Math.round(bytes / s.identifiers),
  };
  if (g.stats().identifiers < 0) console.log(g); // keeps g alive until measured
  return row;
}

function extraction(n: number): Record<string, string | number> {
  const rnd = prng(7);
  const tps = Array.from({ length: n }, (_, i) => touchpoint({
    userId: rnd() < 0.5 ? `user-${i}` : null, anonymousId: uuid(rnd),
    traits: rnd() < 0.3 ? { email: ` Person.${i}@Mail.com `, ...(rnd() < 0.3 ? { phone: `(415) 555-${String(1000 + (i % 9000))}` } : {}) } : {},
  }));
  const t = process.cpuUsage();
  let ids = 0;
  for (const tp of tps) ids += extractIdentifiers(tp, defaultIdentityConfig).identifiers.length;
  const secs = cpuUs(t) / 1e6;
  return { touchpoints: n, identifiers: ids, 'extract s': secs.toFixed(2), 'touchpoints/s': Math.round(n / secs) };
}

/**
 * Client-chosen identifier types: n events, each a user with one external id, of one type or each of a new type
 * (extraction + apply). The cost per event must not grow with the number of types seen.
 */
function clientTypes(n: number, distinct: boolean): Record<string, string | number> {
  const tps = Array.from({ length: n }, (_, i) => touchpoint({ userId: `u${i}`, externalIds: [{ type: distinct ? `ext_${i}` : 'ext', id: `x${i}`, collection: null }] }));
  const g = new IdentityGraph(defaultIdentityConfig);
  const t = process.cpuUsage();
  for (const tp of tps) g.apply({ messageId: tp.messageId, eventTime: tp.timestamp, identifiers: extractIdentifiers(tp, defaultIdentityConfig).identifiers });
  const ms = cpuUs(t) / 1e3;
  return { events: n, types: distinct ? n : 1, profiles: g.stats().profiles, 'core ms': ms.toFixed(1), 'µs/event': ((ms * 1000) / n).toFixed(1) };
}

console.log(`identity core benchmark — node ${process.version}, late share ${lateShare}`);
const rows = sizes.map((n) => { const r = run(n); console.log(JSON.stringify(r)); return r; });
console.table(rows);
if (extractCount > 0) console.table([extraction(extractCount)]);
if (typeEvents > 0) {
  for (let i = 0; i < 3; i++) clientTypes(typeEvents, false); // warm-up: the JIT, not the data structure
  console.table([clientTypes(typeEvents, false), clientTypes(typeEvents, true)]);
}
