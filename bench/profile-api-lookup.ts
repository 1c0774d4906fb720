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

interface Row { scenario: string; status: number; requestsPerSec: number; p50: number; p90: number; p99: number; max: number; non2xx: number; errors: number }

async function scenario(port: number, name: string, paths: string[], status = 200, duration = seconds): Promise<Row> {
  const requests = paths.map((path) => ({ method: 'GET' as const, path, headers: { authorization: `Bearer ${TOKEN}` } }));
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration, requests, expectBody: undefined });
  const expected = status === 200 ? result['2xx'] : result['4xx'];
  return {
    scenario: name, status, requestsPerSec: Math.round(expected / duration),
    p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, non2xx: result.requests.total - expected, errors: result.errors,
  };
}

const tables = await load('tables');
await stop(tables.child);
const full = await load('full');
const { port, samples, pairs } = full.loaded;
const enc = encodeURIComponent;
const rows: Row[] = [];
// Warm-up (not reported): the JIT and the heap settle after the load.
await scenario(port, 'warm-up', samples.map((s) => `/v1/profiles/${enc(s)}`), 200, 5);
rows.push(await scenario(port, 'external_ids by identifier (Segment route)', samples.map((s) => `/v1/spaces/bench/collections/users/profiles/${enc(s)}/external_ids`)));
rows.push(await scenario(port, 'metadata by identifier (Segment route)', samples.map((s) => `/v1/spaces/bench/collections/users/profiles/${enc(s)}/metadata`)));
rows.push(await scenario(port, 'profile 360 with link edges', samples.map((s) => `/v1/profiles/${enc(s)}`)));
rows.push(await scenario(port, 'unknown identifier (404)', samples.slice(0, 2000).map((s, i) => `/v1/profiles/${enc(`email:nobody${i}.${s.length}@acme.io`)}`), 404));
rows.push(await scenario(port, 'explain first ↔ last identifier', pairs.map(([a, b]) => `/v1/explain?a=${enc(a)}&b=${enc(b)}`)));
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
console.log(`${connections} connections, ${seconds} s per scenario, loopback, server in its own process\n`);
console.log('scenario                                      req/s   p50 ms   p90 ms   p99 ms   max ms   other status   errors');
for (const r of rows) {
  console.log(`${r.scenario.padEnd(44)} ${String(r.requestsPerSec).padStart(6)} ${String(r.p50).padStart(8)} ${String(r.p90).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.max).padStart(8)} ${String(r.non2xx).padStart(14)} ${String(r.errors).padStart(8)}`);
}
