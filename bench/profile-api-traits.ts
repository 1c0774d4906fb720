// Trait lookups in the warehouse: `npx tsx bench/profile-api-traits.ts [claims] [runs]` (default one million claims,
// three runs). Builds a synthetic warehouse in a scratch database (two claims per identifier, two or three identifiers
// per profile, four traits per claim), then times one profile's traits through the analysts' view
// (profile_traits_current) and as the profile API reads them (services/profile-api/queries.ts: the profile's claims
// first), and checks both answer the same. Reported, not asserted; the database is dropped at the end.
import { createClient } from '@clickhouse/client';
import { select } from '../services/kit/clickhouse.ts';
import { migrate } from '../services/kit/migrate.ts';
import { str } from '../services/kit/sql.ts';
import { traits } from '../services/profile-api/queries.ts';

const claims = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const db = `bench_api_traits_${process.pid}`;
// The view's read can take minutes on a busy machine: a longer client timeout than the services' 60 s.
const ch = createClient({
  url: process.env.TESSERA_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123', username: 'default', password: '', request_timeout: 900_000,
  // Progress headers keep the connection busy while a long read runs.
  clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' },
});
const run = (query: string) => ch.command({ query, clickhouse_settings: { max_execution_time: 600 } });

try {
  let t = Date.now();
  await migrate(ch, db);
  // Claim k<n> names identifier user_id:u<n/2>; identifier u<i> belongs to profile p<2i/5>; claim k<c> has traits t0..t3.
  await run(`INSERT INTO ${db}.claims (claim_key, primary_type, primary_value, profile_id, message_id, event_time, version)`
    + ` SELECT concat('k', toString(number)), 'user_id', concat('u', toString(intDiv(number, 2))), '', concat('m', toString(number)), now(), 1 FROM system.numbers LIMIT ${claims}`);
  await run(`INSERT INTO ${db}.identities (id_type, id_value, profile_id, message_id, linked_at, version)`
    + ` SELECT 'user_id', concat('u', toString(number)), concat('p', toString(intDiv(number * 2, 5))), 'm', now(), 1 FROM system.numbers LIMIT ${Math.ceil(claims / 2)}`);
  await run(`INSERT INTO ${db}.profile_traits SELECT concat('k', toString(intDiv(number, 4))) AS claim_key, concat('t', toString(number % 4)) AS trait,`
    + ` argMaxState(concat('v', toString(number)), toUInt64(number)), maxState(toUInt64(number)) FROM (SELECT number FROM system.numbers LIMIT ${claims * 4}) GROUP BY claim_key, trait`);
  for (const table of ['claims', 'identities', 'profile_traits']) await run(`OPTIMIZE TABLE ${db}.${table} FINAL`);
  console.log(`${claims.toLocaleString('en')} claims, ${Math.ceil(claims / 2).toLocaleString('en')} identifiers, ${(claims * 4).toLocaleString('en')} trait rows loaded in ${((Date.now() - t) / 1000).toFixed(0)} s`);

  // A profile in the middle of the population and the identifiers the API would hold for it.
  const profile = `p${Math.floor(claims / 10)}`;
  const ids = (await select<{ k: string }>(ch, `SELECT concat(id_type, ':', id_value) AS k FROM ${db}.identities FINAL WHERE profile_id = ${str(profile)}`)).map((r) => r.k);
  const sqls = {
    'profile_traits_current (the view)': `SELECT trait, value, updated_ms FROM ${db}.profile_traits_current WHERE profile_id = ${str(profile)} ORDER BY trait LIMIT 11`,
    'claims first (the API)': traits(db, ids, [], null, 10),
  };
  const answers: string[] = [];
  for (const [name, sql] of Object.entries(sqls)) {
    const ms: number[] = [];
    let answer = '';
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      const rows = await select<{ trait: string; value: string }>(ch, sql);
      ms.push(performance.now() - t);
      answer = rows.map((r) => `${r.trait}=${r.value}`).join(',');
    }
    answers.push(answer);
    ms.sort((a, b) => a - b);
    console.log(`${name.padEnd(36)} median ${ms[Math.floor(ms.length / 2)]!.toFixed(0).padStart(7)} ms  (runs: ${ms.map((x) => x.toFixed(0)).join(', ')})  ${answer}`);
  }
  if (answers[0] === '') throw new Error(`${profile} has no traits: the population is not what this script built`);
  if (answers[0] !== answers[1]) throw new Error(`the two reads disagree: ${answers[0]} vs ${answers[1]}`);
} finally {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
}
