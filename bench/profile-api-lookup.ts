// Lookup latency of the profile API under load: `npx tsx bench/profile-api-lookup.ts [identifiers] [seconds]`
// (default one million identifiers, 15 s per scenario, 50 connections; BENCH_CONNECTIONS, BENCH_JSON=path).
// A child process loads the identity tables and the explain graph with a synthetic population through the same apply
// path the topic follower uses (bench/profile-api-server.ts) and serves them; autocannon drives it over loopback.
// Reported, not asserted: requests/s, p50/p99 per route, and the heap the state holds per identifier (a second
// child loads the tables alone, so the explain graph's share shows).
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

const identifiers = Number(process.argv[2] ?? 1_000_000);
const seconds = Number(process.argv[3] ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TOKEN = 'bench-read-token-0123';

interface Loaded {
  port: number; people: number; claims: number; loadSeconds: number; heapBytes: number; rssBytes: number;
  stats: { identifiers: number; profiles: number; mergedProfiles: number; graphClaims: number };
  samples: string[]; pairs: [string, string][];
}

function load(mode: 'full' | 'tables'): Promise<{ child: ChildProcess; loaded: Loaded }> {
  const child = fork(new URL('./profile-api-server.ts', import.meta.url).pathname, [String(identifiers), mode], {
    execArgv: ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (loaded) => resolve({ child, loaded: loaded as Loaded }));
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before it was ready`)));
  });
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.send('stop'); });

interface Row {
  scenario: string; connections: number; status: number; requestsPerSec: number; p50: number; p90: number; p99: number; max: number; non2xx: number; errors: number;
  /** The server's own time per request (tessera_api_request_seconds: handler start to response end), bucket upper bounds. */
  serverP50: number | null; serverP99: number | null;
  /** The server process's event-loop delay during the scenario (a stall of the whole process shows here). */
  loopP99: number; loopMax: number;
}

/** The server process under test (set once it is loaded). */
const under: { child?: ChildProcess } = {};
const loopDelay = (): Promise<{ loopP99Ms: number; loopMaxMs: number }> => new Promise((resolve) => {
  under.child!.once('message', (m) => resolve(m as { loopP99Ms: number; loopMaxMs: number }));
  under.child!.send('loop');
});

/** The request-time histogram of one route as cumulative bucket counts (le → count). */
async function histogram(port: number, route: string): Promise<Map<number, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^tessera_api_request_seconds_bucket\{([^}]*)\} (\d+)$/gm)) {
    if (!m[1]!.includes(`route="${route}"`)) continue;
    const le = /le="([^"]+)"/.exec(m[1]!)![1]!;
    out.set(le === '+Inf' ? Infinity : Number(le), Number(m[2]));
  }
  return out;
}

/** The bucket bound under which a quantile of the requests between two snapshots fell, in ms. */
function quantile(before: Map<number, number>, after: Map<number, number>, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return null;
  for (const le of bounds) if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le * 1000;
  return null;
}

async function scenario(port: number, name: string, route: string, paths: string[], o: { status?: number; duration?: number; connections?: number } = {}): Promise<Row> {
  const { status = 200, duration = seconds, connections: conns = connections } = o;
  const requests = paths.map((path) => ({ method: 'GET' as const, path, headers: { authorization: `Bearer ${TOKEN}` } }));
  const before = await histogram(port, route);
  await loopDelay();
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: conns, duration, requests });
  const loop = await loopDelay();
  const after = await histogram(port, route);
  const expected = status === 200 ? result['2xx'] : result['4xx'];
  return {
    scenario: name, connections: conns, status, requestsPerSec: Math.round(expected / duration),
    serverP50: quantile(before, after, 0.5), serverP99: quantile(before, after, 0.99),
    loopP99: Math.round(loop.loopP99Ms), loopMax: Math.round(loop.loopMaxMs),
    p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, non2xx: result.requests.total - expected, errors: result.errors,
  };
}

const tables = await load('tables');
await stop(tables.child);
const full = await load('full');
under.child = full.child;
const { port } = full.loaded;
// At most 10,000 distinct paths per scenario, spread over the whole population: autocannon keeps a copy of its request
// list per connection, and a list of a hundred thousand paths stalls the load generator itself (timeouts the server
// never caused: its event loop and handler times say so). A lookup in a hash table does not depend on which keys.
const spread = <T>(xs: T[]): T[] => xs.filter((_, i) => i % Math.max(1, Math.ceil(xs.length / 10_000)) === 0);
const samples = spread(full.loaded.samples);
const pairs = spread(full.loaded.pairs);
const enc = encodeURIComponent;
const rows: Row[] = [];
// Warm-up (not reported): the JIT and the heap settle after the load.
await scenario(port, 'warm-up', 'profile', samples.map((s) => `/v1/profiles/${enc(s)}`), { duration: 5 });
const externalIds = samples.map((s) => `/v1/spaces/bench/collections/users/profiles/${enc(s)}/external_ids`);
rows.push(await scenario(port, 'external_ids by identifier (Segment)', 'segment.external_ids', externalIds));
rows.push(await scenario(port, 'metadata by identifier (Segment)', 'segment.metadata', samples.map((s) => `/v1/spaces/bench/collections/users/profiles/${enc(s)}/metadata`)));
rows.push(await scenario(port, 'profile 360 with link edges', 'profile', samples.map((s) => `/v1/profiles/${enc(s)}`)));
rows.push(await scenario(port, 'unknown identifier (404)', 'profile', samples.slice(0, 2000).map((s, i) => `/v1/profiles/${enc(`email:nobody${i}.${s.length}@acme.io`)}`), { status: 404 }));
rows.push(await scenario(port, 'explain first ↔ last (chain only)', 'explain', pairs.map(([a, b]) => `/v1/explain?a=${enc(a)}&b=${enc(b)}&events=false`)));
// The same lookup without queueing: one request at a time.
rows.push(await scenario(port, 'external_ids by identifier (Segment)', 'segment.external_ids', externalIds, { connections: 1 }));
await stop(full.child);

const f = full.loaded, t = tables.loaded;
const perId = (bytes: number) => Math.round(bytes / f.stats.identifiers);
const result = {
  identifiers: f.stats.identifiers, profiles: f.stats.profiles, mergedProfiles: f.stats.mergedProfiles, claims: f.stats.graphClaims, people: f.people,
  loadSeconds: Math.round(f.loadSeconds), connections, secondsPerScenario: seconds,
  heap: { totalBytes: f.heapBytes, tablesBytes: t.heapBytes, explainGraphBytes: f.heapBytes - t.heapBytes, perIdentifier: perId(f.heapBytes), tablesPerIdentifier: perId(t.heapBytes), explainGraphPerIdentifier: perId(f.heapBytes - t.heapBytes) },
  rssBytes: f.rssBytes,
  scenarios: rows,
};
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(result, null, 2)}\n`);

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
console.log(`\nprofile API lookups: ${f.stats.identifiers.toLocaleString('en')} identifiers, ${f.stats.profiles.toLocaleString('en')} profiles (${f.stats.mergedProfiles.toLocaleString('en')} merged-away ids), ${f.stats.graphClaims.toLocaleString('en')} claims; loaded in ${result.loadSeconds} s`);
console.log(`state heap: ${mb(f.heapBytes)} = ${result.heap.perIdentifier} B per identifier (tables ${result.heap.tablesPerIdentifier} B, explain graph ${result.heap.explainGraphPerIdentifier} B); process RSS ${mb(f.rssBytes)}`);
console.log(`${seconds} s per scenario, loopback, server in its own process; latency as autocannon sees it (queueing included) and as the server measures it (bucket bounds)\n`);
console.log('scenario                               conns   req/s   p50 ms   p90 ms   p99 ms   max ms   server p50/p99 ms   loop p99/max ms   other status   errors');
for (const r of rows) {
  const handler = `≤${r.serverP50 ?? '?'} / ≤${r.serverP99 ?? '?'}`;
  console.log(`${r.scenario.padEnd(38)} ${String(r.connections).padStart(5)} ${String(r.requestsPerSec).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p90).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.max).padStart(8)} ${handler.padStart(19)} ${`${r.loopP99} / ${r.loopMax}`.padStart(17)} ${String(r.non2xx).padStart(14)} ${String(r.errors).padStart(8)}`);
}
