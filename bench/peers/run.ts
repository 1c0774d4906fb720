// Standalone side-by-side comparison (no Kafka, no ClickHouse): Tessera and the peers' merge policies on each scenario.
// Run: npx tsx bench/peers/run.ts [--people 4000] [--seed 42] [--shuffle-seed 7] [--scenarios baseline,shared-devices] [--json out.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { table } from '../../services/demo/table.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { scenarios } from '../quality.ts';
import { compareResolvers, detailTable, f1Table, resolvers, type ScenarioComparison } from './compare.ts';

const { values: a } = parseArgs({
  options: {
    people: { type: 'string', default: '4000' },
    seed: { type: 'string', default: '42' },
    'shuffle-seed': { type: 'string', default: '7' },
    scenarios: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npx tsx bench/peers/run.ts [--people 4000] [--seed 42] [--shuffle-seed 7] [--scenarios a,b] [--json out.json]');
  process.exit(0);
}
const int = (k: 'people' | 'seed' | 'shuffle-seed') => {
  const n = Number(a[k]);
  if (!Number.isInteger(n) || n <= 0) { console.error(`--${k} must be a positive integer, got ${a[k]}`); process.exit(2); }
  return n;
};
const people = int('people'), seed = int('seed'), shuffleSeed = int('shuffle-seed');
const wanted = a.scenarios?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted?.filter((w) => !scenarios.some((s) => s.name === w)) ?? [];
if (unknown.length > 0) { console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`); process.exit(2); }

console.log(`Identity quality side by side: ${people.toLocaleString('en-US')} people per scenario, seed ${seed}, shuffle seed ${shuffleSeed}`);
for (const r of resolvers) console.log(`  ${r.name.padEnd(10)} ${r.about}`);
const results: Record<string, ScenarioComparison> = {};
for (const s of scenarios.filter((x) => !wanted || wanted.includes(x.name))) {
  const c = compareResolvers(generate({ ...defaultPopulation, ...s.options, people, seed }), shuffleSeed);
  results[s.name] = c;
  console.log(`  ${s.name}: ${c.touchpoints.toLocaleString('en-US')} touchpoints, ${c.ambiguousEvents.toLocaleString('en-US')} ambiguous; ${Object.entries(c.resolvers).map(([n, q]) => `${n} ${q.seconds.toFixed(1)} s`).join(', ')}`);
}
const names = resolvers.map((r) => r.name);
console.log('\nF1 vs linkable truth, arrival order / seeded shuffle:');
console.log(table(f1Table(results, names)));
console.log('\nvs linkable truth, per resolver and order:');
console.log(table(detailTable(results)));
if (a.json) {
  writeFileSync(a.json, `${JSON.stringify({ command: `npx tsx bench/peers/run.ts ${process.argv.slice(2).join(' ')}`.trim(), people, seed, shuffleSeed, resolvers: resolvers.map(({ name, about }) => ({ name, about })), scenarios: results }, null, 1)}\n`);
  console.log(`\nwritten: ${a.json}`);
}
