// Recommendation quality side by side: most popular, Tessera's recommender on cookie-level histories and on resolved
// profiles, and implicit's ALS on the same split, over a population with planted tastes.
// Run: npx tsx bench/recs/run.ts [--people 4000] [--seed 42] [--groups 8] [--catalogue 300] [--strength 0.8] [--json out.json]
// Needs the local ClickHouse (database bench_recs, recreated) and Python 3 for the ALS virtualenv (installed once).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { table } from '../../services/demo/table.ts';
import { defaultIdentityConfig, extractIdentifiers } from '../../services/identity/index.ts';
import { createClickHouse } from '../../services/kit/clickhouse.ts';
import { commonEnv, parseEnv } from '../../services/kit/config.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { defaultRecommendOptions, type RecommendOptions } from '../../services/recommend/sql.ts';
import { RecommendationStore } from '../../services/recommend/store.ts';
import { resolveWithCore } from '../quality.ts';
import { atK, meanAtK, type RankingQuality } from './metrics.ts';
import { holdOut, itemsOf, type Interaction, type Split } from './split.ts';

const { values: a } = parseArgs({
  options: {
    people: { type: 'string', default: '4000' }, seed: { type: 'string', default: '42' }, groups: { type: 'string', default: '8' },
    catalogue: { type: 'string', default: '300' }, strength: { type: 'string', default: '0.8' }, holdout: { type: 'string', default: '0.2' },
    json: { type: 'string' }, 'skip-als': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npx tsx bench/recs/run.ts [--people 4000] [--seed 42] [--groups 8] [--catalogue 300] [--strength 0.8] [--holdout 0.2] [--json out.json] [--skip-als]');
  process.exit(0);
}
const K = 10;
const people = Number(a.people), seed = Number(a.seed), groups = Number(a.groups), catalogue = Number(a.catalogue), strength = Number(a.strength), share = Number(a.holdout);
const o = defaultRecommendOptions;
const started = Date.now();
const step = (s: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${s}`);

// 1. Population with planted tastes, resolved with the pure identity core (the pipeline gives the same profiles:
//    test/e2e/resolver-crash.test.ts); each event's cookie is its own identifier, unlinked.
const g = generate({ ...defaultPopulation, people, seed, tasteGroups: groups, catalogue, tasteStrength: strength });
step(`${g.touchpoints.length.toLocaleString('en-US')} touchpoints for ${people} people, ${groups} taste groups, ${catalogue} products`);
const core = resolveWithCore(g.touchpoints, g.truth, defaultIdentityConfig);
const interactions: Interaction[] = [];
for (const t of g.touchpoints) {
  const x = itemsOf(t, o);
  if (!x || !validateTouchpoint(t).ok) continue;
  const ids = extractIdentifiers(t, defaultIdentityConfig).identifiers;
  const own = ids.find((i) => i.type === 'anonymous_id') ?? ids.find((i) => i.type === 'user_id') ?? ids[0];
  for (const item of x.items) {
    interactions.push({ messageId: t.messageId, time: t.timestamp, person: g.truth.get(t.messageId)!, cookie: own ? `${own.type}:${own.value}` : null, profile: core.profileOf.get(t.messageId) ?? null, item, weight: x.weight });
  }
}
const split = holdOut(interactions, share, 5);
step(`${interactions.length.toLocaleString('en-US')} interactions; ${split.train.length.toLocaleString('en-US')} for training; ${split.people.length} people evaluated`);

// 3. Tessera's recommender: the same SQL as `tessera recommend refresh`, fed the training interactions of a fold and
//    level. implicit's ALS (PyPI) in its own virtualenv on the same interactions. Each method's settings are chosen on a
//    validation fold (the latest 20% of each person's training interactions held out again), then run on the test fold.
type Level = 'cookie' | 'profile';
interface Fold { name: string; train: Interaction[]; people: Split['people'] }
const levels: Level[] = ['cookie', 'profile'];
const test: Fold = { name: 'test', ...split };
const validation: Fold = { name: 'validation', ...holdOut(split.train, share, 5) };
step(`validation fold: ${validation.train.length.toLocaleString('en-US')} interactions, ${validation.people.length} people`);
const historyIn = (f: Fold, level: Level) => {
  const m = new Map<string, Set<string>>();
  for (const i of f.train) { const k = i[level]; if (k) m.set(k, (m.get(k) ?? new Set()).add(i.item)); }
  return m;
};
const popularIn = (f: Fold) => {
  const by = new Map<string, Set<string>>();
  for (const i of f.train) if (i.profile) by.set(i.item, (by.get(i.item) ?? new Set()).add(i.profile));
  return [...by].sort((x, y) => y[1].size - x[1].size || (x[0] < y[0] ? -1 : 1)).map(([item]) => item);
};
const evaluate = (f: Fold, listOf: (p: Fold['people'][number]) => readonly string[]): RankingQuality =>
  meanAtK(f.people.map((p) => ({ recommended: listOf(p), relevant: p.targets })), K);
/** A method's lists, by key; keys it has no list for (no training history) get the popular list, as in production. */
const scorer = (f: Fold, level: Level, lists: Map<string, readonly string[]>) => {
  const popular = popularIn(f);
  const history = historyIn(f, level);
  return (p: Fold['people'][number]) => {
    const k = p[level];
    return (k && lists.get(k)) || popular.filter((i) => !(k && history.get(k)?.has(i))).slice(0, K);
  };
};

const cfg = parseEnv(commonEnv);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const db = 'bench_recs';
await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
await migrate(ch, db);
await ch.command({ query: `CREATE TABLE ${db}.bench_train (fold String, level String, key String, item String, w Float64, event_ms UInt64) ENGINE = MergeTree() ORDER BY (fold, level, key)` });
await ch.command({ query: `CREATE TABLE ${db}.bench_serving (fold String, level String, key String) ENGINE = MergeTree() ORDER BY (fold, level, key)` });
for (const f of [validation, test]) {
  await ch.insert({ table: `${db}.bench_train`, format: 'JSONEachRow', values: f.train.flatMap((i) => levels.filter((l) => i[l]).map((l) => ({ fold: f.name, level: l, key: i[l], item: i.item, w: i.weight, event_ms: i.time }))) });
  await ch.insert({ table: `${db}.bench_serving`, format: 'JSONEachRow', values: levels.flatMap((l) => [...new Set(f.people.map((p) => p[l]).filter((k): k is string => k !== null))].map((key) => ({ fold: f.name, level: l, key }))) });
}
const store = new RecommendationStore(ch, db);
let runs = 0;
const seconds: Record<string, number> = {};
async function tessera(f: Fold, level: Level, options: RecommendOptions): Promise<Map<string, readonly string[]>> {
  const run = ++runs;
  const t = Date.now();
  await store.compute(run, `SELECT key AS profile_id, item, w, event_ms FROM ${db}.bench_train WHERE fold = '${f.name}' AND level = '${level}'`,
    `SELECT key AS profile_id FROM ${db}.bench_serving WHERE fold = '${f.name}' AND level = '${level}'`, options);
  const lists = new Map([...(await store.lists(run))].map(([k, items]) => [k, items.map((x) => x.item)]));
  await store.dropAllBut([]);
  seconds[`tessera-${level}`] = (Date.now() - t) / 1000;
  return lists;
}
const tesseraGrid = (['log', 'binary'] as const).flatMap((value) => [20, 50, 100].flatMap((neighbours) => [2, 10, 40].map((shrink) => ({ ...o, value, neighbours, shrink }))));
const alsGrid = [8, 16, 32, 64].flatMap((factors) => [0.01, 0.1, 1].flatMap((regularization) => [1, 5, 20].map((alpha) => ({ factors, regularization, alpha, iterations: 15, seed }))));
const alsDefaults = { factors: 100, regularization: 0.01, alpha: 1, iterations: 15, seed }; // implicit's own defaults
const python = a['skip-als'] ? '' : execFileSync('bash', [fileURLToPath(new URL('../../infra/local/install-recs-venv.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).match(/^python=(.+)$/m)![1]!;
const dir = mkdtempSync(join(tmpdir(), 'recs-als-'));
function als(f: Fold, level: Level, params: object[]): { params: object; lists: Map<string, readonly string[]> }[] {
  writeFileSync(join(dir, 'in.json'), JSON.stringify({
    train: f.train.filter((i) => i[level]).map((i) => [i[level], i.item, i.weight]),
    serve: [...new Set(f.people.map((p) => p[level]).filter((k) => k !== null))], n: K, params,
  }));
  // One BLAS thread: implicit parallelises itself and warns (and slows down) when OpenBLAS does too.
  execFileSync(python, [fileURLToPath(new URL('./als.py', import.meta.url)), join(dir, 'in.json'), join(dir, 'out.json')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  return (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { params: object; recs: Record<string, string[]> }[]).map((r) => ({ params: r.params, lists: new Map(Object.entries(r.recs)) }));
}
const best = <T>(xs: { settings: T; quality: RankingQuality }[]) => [...xs].sort((x, y) => y.quality.precision - x.quality.precision || y.quality.ndcg - x.quality.ndcg)[0]!;
const show = (x: object) => JSON.stringify(x).replace(/"/g, '');

const rows: { method: string; histories: string; quality: RankingQuality; note: string }[] = [];
const perPerson = new Map<string, (p: Fold['people'][number]) => readonly string[]>();
const popularTest = popularIn(test);
const profileHistory = historyIn(test, 'profile');
rows.push({ method: 'most popular', histories: 'profiles', quality: evaluate(test, (p) => popularTest.filter((i) => !(p.profile && profileHistory.get(p.profile)?.has(i))).slice(0, K)), note: 'top items by profiles, own items left out' });
try {
  for (const level of levels) {
    const tuned = [];
    for (const options of tesseraGrid) tuned.push({ settings: options, quality: evaluate(validation, scorer(validation, level, await tessera(validation, level, options))) });
    const chosen = best(tuned).settings;
    step(`Tessera on ${level}s: validation chose ${chosen.value} values, neighbours ${chosen.neighbours}, shrink ${chosen.shrink}`);
    const listOf = scorer(test, level, await tessera(test, level, chosen));
    perPerson.set(`tessera-${level}`, listOf);
    rows.push({ method: 'Tessera item-item', histories: `${level}s`, quality: evaluate(test, listOf), note: `${chosen.value} values, neighbours ${chosen.neighbours}, shrink ${chosen.shrink}; SQL ${seconds[`tessera-${level}`]!.toFixed(1)} s` });
  }
  if (!a['skip-als']) {
    for (const level of levels) {
      const tuned = als(validation, level, alsGrid).map((r) => ({ settings: r.params, quality: evaluate(validation, scorer(validation, level, r.lists)) }));
      const chosen = best(tuned).settings;
      step(`ALS on ${level}s: validation chose ${show(chosen)}`);
      const [run] = als(test, level, [chosen]);
      const listOf = scorer(test, level, run!.lists);
      perPerson.set(`als-${level}`, listOf);
      rows.push({ method: 'implicit ALS', histories: `${level}s`, quality: evaluate(test, listOf), note: show(chosen) });
    }
    const [defaults] = als(test, 'profile', [alsDefaults]);
    rows.push({ method: 'implicit ALS (library defaults)', histories: 'profiles', quality: evaluate(test, scorer(test, 'profile', defaults!.lists)), note: show(alsDefaults) });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await ch.close();
}

const f = (x: number) => x.toFixed(4);
console.log(`\nRecommendations at ${K}: ${people.toLocaleString('en-US')} people (seed ${seed}), ${groups} taste groups over ${catalogue} products (strength ${strength}), `
  + `latest ${share * 100}% of each person's interactions held out; ${test.people.length} people with new items to find; settings chosen on a validation fold`);
console.log(table(rows.map((r) => ({ method: r.method, histories: r.histories, 'precision@10': f(r.quality.precision), 'recall@10': f(r.quality.recall), 'ndcg@10': f(r.quality.ndcg), settings: r.note }))));
const cold = (level: Level) => test.people.filter((p) => !p[level] || !historyIn(test, level).has(p[level])).length;
console.log(`people whose serving key has no training history (cold: popular items): cookies ${cold('cookie')}, profiles ${cold('profile')} of ${test.people.length}`);
const pop = rows[0]!.quality.precision;
const tp = rows.find((r) => r.method === 'Tessera item-item' && r.histories === 'profiles')!.quality;
const tc = rows.find((r) => r.method === 'Tessera item-item' && r.histories === 'cookies')!.quality;
const alsProfiles = rows.find((r) => r.method === 'implicit ALS' && r.histories === 'profiles')?.quality;
/** Mean and 95% interval (normal approximation) of the per-person difference in precision@10 between two methods. */
const paired = (x: string, y: string) => {
  const d = test.people.map((p) => atK(perPerson.get(x)!(p), p.targets, K).precision - atK(perPerson.get(y)!(p), p.targets, K).precision);
  const mean = d.reduce((s2, v) => s2 + v, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s2, v) => s2 + (v - mean) ** 2, 0) / (d.length - 1));
  return `${mean >= 0 ? '+' : ''}${mean.toFixed(4)} ± ${(1.96 * sd / Math.sqrt(d.length)).toFixed(4)}`;
};
console.log(`paired differences in precision@10 (95% interval): profiles − cookies ${paired('tessera-profile', 'tessera-cookie')}`
  + (alsProfiles ? `; Tessera − ALS on profiles ${paired('tessera-profile', 'als-profile')}` : ''));
console.log(`identity resolution is worth +${f(tp.precision - tc.precision)} precision@10 (+${((tp.precision / tc.precision - 1) * 100).toFixed(0)}%), `
  + `+${f(tp.recall - tc.recall)} recall@10 and +${f(tp.ndcg - tc.ndcg)} NDCG@10 to Tessera's recommender`);
console.log(`aims: profiles ≥ 2 × most popular on precision@10: ${(tp.precision / pop).toFixed(2)} × ${tp.precision >= 2 * pop ? '(met)' : '(NOT met)'}`
  + (alsProfiles ? `; ≥ ALS on profiles: ${f(tp.precision)} vs ${f(alsProfiles.precision)} ${tp.precision >= alsProfiles.precision ? '(met)' : '(NOT met)'}` : ''));
if (a.json) {
  writeFileSync(a.json, `${JSON.stringify({ command: `npx tsx bench/recs/run.ts ${process.argv.slice(2).join(' ')}`.trim(), people, seed, groups, catalogue, strength, holdout: share, k: K, evaluated: test.people.length, rows }, null, 1)}\n`);
  console.log(`written: ${a.json}`);
}
