// The profile API loaded with a synthetic population for the lookup benchmark, in a process of its own (so the load
// generator does not share its event loop): `node --expose-gc --import tsx bench/profile-api-server.ts <identifiers> [tables]`.
// The state is built without Kafka through the same per-topic apply the topic follower calls (services/profile-api/replay.ts:
// claims → the link stage's pure processor → profiles / identity.identifiers / identity.changelog records → ApiState).
// Reports over IPC: the port, the sizes, the heap the state holds, and sample identifiers to look up.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClickHouse } from '../services/kit/clickhouse.ts';
import { createLogger } from '../services/kit/log.ts';
import { Ops } from '../services/kit/ops.ts';
import { Random } from '../services/loadgen/random.ts';
import { parseApiConfig } from '../services/profile-api/config.ts';
import { Replay } from '../services/profile-api/replay.ts';
import { ApiState, listen } from '../services/profile-api/service.ts';
import type { Claim, Identifier } from '../services/identity/index.ts';

const target = Number(process.argv[2] ?? 1_000_000);
const tablesOnly = process.argv[3] === 'tables';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
// The explain graph keeps its arrays in ArrayBuffers, outside the V8 heap: count both.
const heap = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/**
 * One person's claims, shaped like the generator's population: devices with cookies (and app ids), cookie churn,
 * and for registered people a login, an identify with the email, a checkout with the phone and a CRM row.
 */
function person(r: Random, i: number, t0: number, next: () => string): Claim[] {
  const claims: Claim[] = [];
  let t = t0 + r.int(0, 20 * 86_400_000);
  const at = (...identifiers: Identifier[]): void => { t += r.int(1_000, 6 * 3_600_000); claims.push({ messageId: next(), eventTime: t, identifiers }); };
  const userId: Identifier | null = r.chance(0.8) ? { type: 'user_id', value: `usr_${r.hex(10)}` } : null;
  const email: Identifier = { type: 'email', value: `p${i}.${r.hex(5)}@${r.pick(['gmail.com', 'outlook.com', 'acme.io', 'web.de'])}` };
  for (let d = r.int(1, 3); d > 0; d--) {
    const app = r.chance(0.4);
    const cookies = app ? 1 : r.int(1, 3);
    for (let c = 0; c < cookies; c++) {
      const anon: Identifier = { type: 'anonymous_id', value: r.uuid() };
      const device: Identifier[] = app ? [{ type: 'device_id', value: r.uuid().toUpperCase() }, { type: 'advertising_id', value: r.uuid().toUpperCase() }] : [];
      at(anon, ...device);
      if (userId) at(anon, userId, ...device);
    }
  }
  if (userId) {
    at(userId, email);
    if (r.chance(0.4)) at(userId, email, { type: 'phone', value: `+1415${String(r.int(2_000_000, 9_999_999))}` });
    if (r.chance(0.3)) at(userId, { type: 'crm_id', value: `crm-${100000 + i}` }, email);
  }
  return claims;
}

const config = parseApiConfig({ ...process.env, TESSERA_API_TOKENS: `${'bench-read-token-0123'}:read`, TESSERA_LOG_LEVEL: 'error' });
const before = heap();
const started = performance.now();
const state = new ApiState(config);
const replay = new Replay(state, config.identity, (t) => !tablesOnly || t !== 'changelog');
const r = new Random(42);
let m = 0;
const next = () => `m-${(m++).toString(36)}`;
const samples: string[] = [];
const pairs: [string, string][] = [];
let people = 0;
let claims = 0;
while (state.tables.stats().identifiers < target) {
  const batch: Claim[] = [];
  for (let k = 0; k < 1000; k++) {
    const cs = person(r, people++, Date.UTC(2026, 9, 1), next);
    batch.push(...cs);
    // Every 50th person is looked up by each identifier it has, and explained between its first and last.
    if (people % 50 === 0) {
      const ids = [...new Map(cs.flatMap((c) => c.identifiers).map((i) => [`${i.type}:${i.value}`, i])).keys()];
      samples.push(...ids);
      pairs.push([ids[0]!, ids[ids.length - 1]!]);
    }
  }
  claims += batch.length;
  replay.claims(batch);
}
// The service builds its explain graph from the changelog when it has read it to the end.
state.finishRestore();
const loadSeconds = (performance.now() - started) / 1000;
// The link stage's own graph (inside the replay) is not the API's: it is left out of the measure.
replay.release();
const heapBytes = heap() - before;
const stats = { ...state.tables.stats(), graphClaims: state.graph.stats().claims };

const log = createLogger('profile-api', 'fatal');
const ch = createClickHouse({ url: config.TESSERA_CLICKHOUSE_URL, user: config.TESSERA_CLICKHOUSE_USER, password: config.TESSERA_CLICKHOUSE_PASSWORD }, log);
const { port } = await listen(state, { config, ch, ops: new Ops('profile-api'), log }, 0);
process.send!({ port, people, claims, loadSeconds, heapBytes, rssBytes: process.memoryUsage().rss, stats, samples, pairs });
// The event loop's delay per scenario: a stall of the whole process (a long GC, the machine's cores busy elsewhere)
// shows here, not in the handler times.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on('message', (msg) => {
  if (msg === 'stop') process.exit(0);
  if (msg === 'loop') {
    process.send!({ loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });
    loop.reset();
  }
});
