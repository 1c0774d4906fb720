// Sizing the link stage (the graph owner) on generated populations, in one process, without Kafka: identifiers per GiB
// of heap, novel claims per second per core (the link's processor: graph step + output records + Avro encoding),
// restore time per 10M identifiers (Avro-decode the compacted changelog + IdentityGraph.restore), and what sharding the
// graph would cost on the same claims: how many novel claims would cross shards if identifiers were placed by hash,
// or whole profiles (connected components) per shard with merges crossing through a topic, and how many rounds a
// periodic connected-components job on a distributed engine needs.
//   node --expose-gc --max-old-space-size=8192 --import tsx bench/link-sizing.ts [--identifiers 1e6,3e6] [--people-per-chunk 4000] [--seed 1000] [--json out.json]
import { SuppressionList } from '../services/privacy/suppression.ts';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers, IdentityGraph } from '../services/identity/index.ts';
import type { ChangelogRecord, Identifier } from '../services/identity/types.ts';
import { avroType } from '../services/kit/avro.ts';
import type { ClaimRecord } from '../services/kit/records.ts';
import type { KafkaOut } from '../services/kit/stage/encoder.ts';
import type { InputRecord } from '../services/kit/stage/types.ts';
import { topicNames } from '../services/kit/topics.ts';
import { linkOutputSchemas } from '../services/link/outputs.ts';
import { linkProcessor } from '../services/link/processor.ts';
import { VersionClock } from '../services/link/version-clock.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';

const { values: a } = parseArgs({ options: {
  identifiers: { type: 'string', default: '1e6,3e6' }, 'people-per-chunk': { type: 'string', default: '4000' }, seed: { type: 'string', default: '1000' },
  json: { type: 'string' },
} });
const targets = a.identifiers!.split(',').map(Number);
const perChunk = Number(a['people-per-chunk']);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) { console.error('run with node --expose-gc --max-old-space-size=8192 --import tsx bench/link-sizing.ts'); process.exit(2); }
const heap = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const cpuUs = () => { const c = process.cpuUsage(); return c.user + c.system; };
const SHARDS = [2, 4, 8, 16, 32];
const topics = topicNames('sizing.');
const schemas = linkOutputSchemas(topics);
const claimType = avroType('claim');

/** FNV-1a of a string: where hash placement would put an identifier. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Union–find over identifiers: connected components of the claims, with their sizes (an upper bound of profiles). */
class Components {
  private readonly ix = new Map<string, number>();
  private parent: Int32Array = new Int32Array(1 << 20);
  private size: Int32Array = new Int32Array(1 << 20);
  has(k: string): boolean { return this.ix.has(k); }
  id(k: string): number {
    let i = this.ix.get(k);
    if (i === undefined) {
      i = this.ix.size;
      if (i >= this.parent.length) {
        const p = new Int32Array(this.parent.length * 2); p.set(this.parent); this.parent = p;
        const s = new Int32Array(this.size.length * 2); s.set(this.size); this.size = s;
      }
      this.ix.set(k, i); this.parent[i] = i; this.size[i] = 1;
    }
    return i;
  }
  find(i: number): number {
    while (this.parent[i] !== i) { this.parent[i] = this.parent[this.parent[i]!]!; i = this.parent[i]!; }
    return i;
  }
  /** Joins the components of `ids`; returns the sizes of the components joined (largest first) before the join. */
  join(ids: number[]): number[] {
    const roots = [...new Set(ids.map((i) => this.find(i)))];
    const sizes = roots.map((r) => this.size[r]!).sort((x, y) => y - x);
    roots.sort((x, y) => this.size[y]! - this.size[x]!);
    for (const r of roots.slice(1)) { this.parent[r] = roots[0]!; this.size[roots[0]!]! += this.size[r]!; }
    return sizes;
  }
  get count(): number { return this.ix.size; }
}

interface Sizing {
  identifiers: number; profiles: number; claims: number; touchpoints: number; novelClaims: number; people: number;
  heapBytesPerIdentifier: number; identifiersPerGiB: number;
  link: { claims: number; cpuSeconds: number; processCpuUsPerClaim: number; encodeCpuUsPerClaim: number; claimsPerSecondPerCore: number; outputRecordsPerClaim: number; graphOnlyClaimsPerSecondPerCore: number };
  restore: { records: number; changelogBytes: number; decodeSeconds: number; restoreSeconds: number; secondsPer10MIdentifiers: number; heapBytesAfterRestore: number };
  sharding: {
    componentJoins: number; movedIdentifiersIfComponentsMove: number; largestComponent: number;
    byIdentifierHash: Record<string, number>; byComponent: Record<string, number>; connectedComponentRounds: number;
  };
}

function size(target: number, seedBase: number): Sizing {
  const graph = new IdentityGraph(defaultIdentityConfig);
  const state = { graph, versions: new VersionClock(), suppression: new SuppressionList(Buffer.alloc(0)) };
  const processor = linkProcessor(topics);
  const seen = new Set<string>();
  const comps = new Components();
  const changelog = new Map<string, ChangelogRecord['value']>();
  const spanning = Object.fromEntries(SHARDS.map((s) => [s, 0]));
  const crossMerges = Object.fromEntries(SHARDS.map((s) => [s, 0]));
  const allClaims: number[][] = [];
  let touchpoints = 0, people = 0, novel = 0, processUs = 0, encodeUs = 0, outputs = 0, joins = 0, moved = 0;
  for (let chunk = 0; graph.stats().identifiers < target; chunk++) {
    const g = generate({ ...defaultPopulation, people: perChunk, seed: seedBase + chunk });
    people += perChunk;
    const records: InputRecord<ClaimRecord>[] = [];
    for (const raw of g.touchpoints) {
      // The generator numbers CRM ids by person index within its population: made unique per chunk, or every chunk's
      // person i would share one CRM id and the chunks would grow one giant component that no real population has.
      const t = raw.externalIds.length ? { ...raw, externalIds: raw.externalIds.map((x) => ({ ...x, id: `${x.id}.${chunk}` })) } : raw;
      touchpoints += 1;
      if (!validateTouchpoint(t).ok) continue;
      const x = extractIdentifiers(t, defaultIdentityConfig);
      const blocked = x.blocked ?? [];
      if (x.identifiers.length === 0 && blocked.length === 0) continue;
      const key = claimKey(x.identifiers, blocked);
      // An extract stage with a cache that never forgets: the link sees each claim once.
      if (seen.has(key)) continue;
      seen.add(key);
      const byType = (p: Identifier, q: Identifier) => (p.type < q.type ? -1 : p.type > q.type ? 1 : p.value < q.value ? -1 : p.value > q.value ? 1 : 0);
      records.push({ topic: topics.claims, partition: 0, offset: String(novel), key: Buffer.from(key), value: { messageId: t.messageId, eventTime: t.timestamp, identifiers: [...x.identifiers].sort(byType), blocked: [...blocked].sort(byType) } });
      novel += 1;
    }
    for (let i = 0; i < records.length; i += 5000) {
      const batch = records.slice(i, i + 5000);
      let c0 = cpuUs();
      const out = processor.process(state, batch);
      processUs += cpuUs() - c0;
      c0 = cpuUs();
      for (const o of out.outputs as KafkaOut[]) if (o.value !== null) avroType(schemas[o.topic]!).toBuffer(o.value);
      encodeUs += cpuUs() - c0;
      outputs += out.outputs.length;
      for (const o of out.outputs as KafkaOut[]) if (o.topic === topics.changelog) changelog.set(o.key, o.value as ChangelogRecord['value']);
    }
    // Sharding on the same claims (linkable identifiers only: blocked values never link).
    for (const r of records) {
      const ids = r.value.identifiers.map((i) => `${i.type}:${i.value}`);
      if (ids.length === 0) continue;
      // Identifiers seen before sit in a component (on some shard); new ones go wherever their claim is decided.
      const known = ids.filter((k) => comps.has(k));
      const nums = ids.map((k) => comps.id(k));
      allClaims.push(nums);
      for (const s of SHARDS) if (new Set(ids.map((k) => fnv(k) % s)).size > 1) spanning[s]! += 1;
      const sizes = comps.join(known.map((k) => comps.id(k)));
      comps.join(nums);
      if (sizes.length > 1) {
        joins += 1;
        moved += sizes.slice(1).reduce((x, y) => x + y, 0);
        // Whole components placed at random: a join of k components stays on one shard with probability (1/S)^(k-1).
        for (const s of SHARDS) crossMerges[s]! += 1 - (1 / s) ** (sizes.length - 1);
      }
    }
  }
  const stats = graph.stats();
  const cpuSeconds = (processUs + encodeUs) / 1e6;
  // The graph step alone on the same claims, in a fresh graph (the processor's share that is the core's).
  const g2 = new IdentityGraph(defaultIdentityConfig);
  const claimsAgain = [...changelog.values()].filter((v): v is NonNullable<typeof v> => v !== null);
  const cg = cpuUs();
  for (const c of claimsAgain) g2.apply(c.blocked?.length ? c : { messageId: c.messageId, eventTime: c.eventTime, identifiers: c.identifiers });
  const graphOnlyUs = cpuUs() - cg;

  // Connected components by label propagation, as a distributed job would run them: rounds until no label changes.
  const label = new Int32Array(comps.count).map((_, i) => i);
  let rounds = 0;
  for (let changed = true; changed; rounds++) {
    changed = false;
    for (const c of allClaims) {
      let m = label[c[0]!]!;
      for (const i of c) if (label[i]! < m) m = label[i]!;
      for (const i of c) if (label[i] !== m) { label[i] = m; changed = true; }
    }
  }
  let largest = 0;
  const compSize = new Map<number, number>();
  for (let i = 0; i < comps.count; i++) { const r = comps.find(i); compSize.set(r, (compSize.get(r) ?? 0) + 1); }
  for (const v of compSize.values()) largest = Math.max(largest, v);
  const sharding = {
    componentJoins: joins, movedIdentifiersIfComponentsMove: moved, largestComponent: largest,
    byIdentifierHash: Object.fromEntries(SHARDS.map((s) => [s, spanning[s]! / novel])),
    byComponent: Object.fromEntries(SHARDS.map((s) => [s, crossMerges[s]! / novel])),
    connectedComponentRounds: rounds,
  };

  // Restore: the compacted changelog as the topic holds it (Avro), decoded and restored, in a heap with nothing else.
  const bytes = [...changelog].map(([key, v]) => ({ key, value: v === null ? null : claimType.toBuffer(v) }));
  changelog.clear();
  seen.clear();
  allClaims.length = 0;
  const h0 = heap();
  let d0 = cpuUs();
  const records: ChangelogRecord[] = bytes.map((b) => ({ key: b.key, value: b.value === null ? null : claimType.fromBuffer(b.value) as ChangelogRecord['value'] }));
  const decodeSeconds = (cpuUs() - d0) / 1e6;
  d0 = cpuUs();
  const restored = IdentityGraph.restore(records, defaultIdentityConfig);
  const restoreSeconds = (cpuUs() - d0) / 1e6;
  records.length = 0;
  const h1 = heap();
  const rs = restored.stats();
  const perId = (h1 - h0) / rs.identifiers;
  return {
    identifiers: stats.identifiers, profiles: stats.profiles, claims: stats.claims, touchpoints, novelClaims: novel, people,
    heapBytesPerIdentifier: Math.round(perId), identifiersPerGiB: Math.round(2 ** 30 / perId),
    link: {
      claims: novel, cpuSeconds, processCpuUsPerClaim: processUs / novel, encodeCpuUsPerClaim: encodeUs / novel,
      claimsPerSecondPerCore: novel / cpuSeconds, outputRecordsPerClaim: outputs / novel, graphOnlyClaimsPerSecondPerCore: claimsAgain.length / (graphOnlyUs / 1e6),
    },
    restore: {
      records: bytes.length, changelogBytes: bytes.reduce((s, b) => s + b.key.length + (b.value?.length ?? 0), 0), decodeSeconds, restoreSeconds,
      secondsPer10MIdentifiers: ((decodeSeconds + restoreSeconds) * 1e7) / rs.identifiers, heapBytesAfterRestore: h1 - h0,
    },
    sharding,
  };
}

const results: Sizing[] = [];
for (const [i, target] of targets.entries()) {
  const t0 = Date.now();
  const r = size(target, Number(a.seed) + i * 100_000);
  results.push(r);
  console.log(JSON.stringify({ target, wallSeconds: (Date.now() - t0) / 1000, ...r }));
}
const out = { command: `node --expose-gc --max-old-space-size=8192 --import tsx bench/link-sizing.ts ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, date: new Date().toISOString(), results };
if (a.json) writeFileSync(a.json, `${JSON.stringify(out, null, 1)}\n`);
console.table(results.map((r) => ({
  identifiers: r.identifiers, people: r.people, touchpoints: r.touchpoints, 'novel claims': r.novelClaims, profiles: r.profiles,
  'bytes/identifier': r.heapBytesPerIdentifier, 'identifiers/GiB': r.identifiersPerGiB,
  'claims/s/core (link)': Math.round(r.link.claimsPerSecondPerCore), 'claims/s/core (graph)': Math.round(r.link.graphOnlyClaimsPerSecondPerCore),
  'restore s/10M': r.restore.secondsPer10MIdentifiers.toFixed(1),
})));
