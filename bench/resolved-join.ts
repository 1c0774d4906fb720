// The resolved-event stage's pure join, without Kafka: CPU per touchpoint with the link stage's tables full, and the
// heap a parked touchpoint holds. `node --expose-gc --import tsx bench/resolved-join.ts [--people 5000] [--seed 1]`
import { SuppressionList } from '../services/privacy/suppression.ts';
import { parseArgs } from 'node:util';
import { ClaimCache } from '../services/extract/cache.ts';
import { extractProcessor } from '../services/extract/processor.ts';
import { defaultIdentityConfig, IdentityGraph } from '../services/identity/index.ts';
import type { ClaimRecord } from '../services/kit/records.ts';
import { topicNames } from '../services/kit/topics.ts';
import { linkProcessor } from '../services/link/processor.ts';
import { VersionClock } from '../services/link/version-clock.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { ParkedEvents } from '../services/resolved/parked.ts';
import { resolvedProcessor, type Joinable, type ResolvedState } from '../services/resolved/processor.ts';
import { ClaimProfileTable } from '../services/resolved/table.ts';
import { feedTable } from '../test/support/resolved.ts';

const { values: a } = parseArgs({ options: { people: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/resolved-join.ts');
const topics = topicNames('bench.');
const join = resolvedProcessor({ identity: defaultIdentityConfig, resolvedTopic: topics.resolved, maxParkMs: Number.MAX_SAFE_INTEGER });
const fresh = (table: ClaimProfileTable): ResolvedState => ({ table, parked: new ParkedEvents<Joinable>(10_000_000), now: Date.now, checked: -1 });
const records = (ts: ReturnType<typeof generate>['touchpoints']) => ts.map((value, i) => ({ topic: topics.touchpoints, partition: i % 6, offset: String(i), key: null, value }));

// Join cost: the link stage's real tables for the same touchpoints, then every touchpoint joined at once.
{
  const input = records(generate({ ...defaultPopulation, people: Number(a.people), seed: Number(a.seed) }).touchpoints);
  const claims = extractProcessor({ identity: defaultIdentityConfig, claimsTopic: topics.claims }).process(new ClaimCache(10_000_000), input).outputs;
  const link = { graph: new IdentityGraph(defaultIdentityConfig), versions: new VersionClock(), suppression: new SuppressionList(Buffer.alloc(0)) };
  const table = new ClaimProfileTable();
  feedTable(table, linkProcessor(topics).process(link, claims.map((c, i) => ({ topic: topics.claims, partition: 0, offset: String(i), key: Buffer.from(c.key), value: c.value as ClaimRecord }))).outputs, topics);
  for (let round = 1; round <= 3; round++) {
    const state = fresh(table);
    const c0 = process.cpuUsage();
    let published = 0;
    for (let i = 0; i < input.length; i += 2000) published += join.process(state, input.slice(i, i + 2000)).outputs.length;
    const c = process.cpuUsage(c0);
    console.log(`join, round ${round}: ${input.length} touchpoints, ${published} published, ${((c.user + c.system) / input.length).toFixed(1)} µs CPU per touchpoint`);
  }
}

// Heap per parked touchpoint: touchpoints decoded after the baseline, parked (no table), then only the park holds them.
{
  join.process(fresh(new ClaimProfileTable()), []);
  gc();
  const before = process.memoryUsage().heapUsed;
  const input = records(generate({ ...defaultPopulation, people: Number(a.people), seed: Number(a.seed) + 1 }).touchpoints);
  const state = fresh(new ClaimProfileTable());
  for (let i = 0; i < input.length; i += 2000) join.process(state, input.slice(i, i + 2000));
  input.length = 0;
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`park: ${state.parked.size} parked touchpoints, ${((after - before) / state.parked.size).toFixed(0)} bytes of heap each`);
}
