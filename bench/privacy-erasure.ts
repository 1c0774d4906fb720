// What an erasure costs in ClickHouse: N generated events (default 1 million, 100,000 people) loaded straight into a
// fresh database with the current migrations, then one person's email erased with the privacy service's own plan
// (services/privacy/warehouse-erasure.ts): time to count, to submit the mutations and until the server applied them.
//   npx tsx bench/privacy-erasure.ts [--events 1e6] [--people 1e5] [--keep]
import { parseArgs } from 'node:util';
import { createClickHouse } from '../services/kit/clickhouse.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { select } from '../services/kit/clickhouse.ts';
import { migrate } from '../services/kit/migrate.ts';
import { countPlan, planFor, submitPlan, untilMutationsDone } from '../services/privacy/warehouse-erasure.ts';

const { values: a } = parseArgs({ options: { events: { type: 'string', default: '1e6' }, people: { type: 'string', default: '1e5' }, keep: { type: 'boolean', default: false } } });
const events = Number(a.events), people = Number(a.people);
const env = parseEnv(commonEnv);
const ch = createClickHouse({ url: env.TESSERA_CLICKHOUSE_URL, user: env.TESSERA_CLICKHOUSE_USER, password: env.TESSERA_CLICKHOUSE_PASSWORD });
const db = `bench_privacy_${Date.now()}`;
const ms = (t: number) => Math.round(performance.now() - t);

await migrate(ch, db);
try {
  let t = performance.now();
  // Person p: user id u<p>, email p<p>@bench.example, a cookie; every third event carries the email as a trait too.
  await ch.command({ query: `INSERT INTO ${db}.events (message_id, type, event, user_id, anonymous_id, claim_key, identifiers, event_time, event_ms, received_at, source, revenue, currency, session_key, trait_keys, trait_values, src_topic, src_partition, src_offset)
    SELECT concat('m', toString(number)) AS message_id, 'track', 'Page Viewed', concat('u', toString(number % ${people})),
      concat('a', toString(number % ${people})), concat('c_', toString(number % ${people}), '_', toString(number % 3)),
      multiIf(number % 3 = 0, [concat('anonymous_id:a', toString(number % ${people})), concat('email:p', toString(number % ${people}), '@bench.example')],
              number % 3 = 1, [concat('email:p', toString(number % ${people}), '@bench.example')],
              [concat('anonymous_id:a', toString(number % ${people})), concat('user_id:u', toString(number % ${people}))]),
      toDateTime(1767225600 + intDiv(number * 31536000, ${events})) AS t, toUInt64(t) * 1000, t, 'web', number % 7, 'EUR', concat('s', toString(number % 50000)),
      if(number % 3 = 0, ['email'], emptyArrayString()), if(number % 3 = 0, [concat('P', toString(number % ${people}), '@Bench.example')], emptyArrayString()),
      'bench', 0, number
    FROM numbers(${events})` });
  await ch.command({ query: `INSERT INTO ${db}.identities (id_type, id_value, profile_id, message_id, linked_at, version, src_topic, src_partition, src_offset)
    SELECT 'email', concat('p', toString(number), '@bench.example'), concat('P', toString(number)), concat('m', toString(number)), toDateTime(1767225600), 1, 'bench', 0, number FROM numbers(${people})` });
  const load = ms(t);
  const [{ n }] = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events`) as [{ n: string }];
  const id = { type: 'email', value: `p${Math.floor(people / 2)}@bench.example` };
  t = performance.now();
  const plan = await planFor(ch, db, id);
  const counts = await countPlan(ch, plan);
  const countMs = ms(t);
  t = performance.now();
  await submitPlan(ch, plan);
  const submitMs = ms(t);
  await untilMutationsDone(ch, db);
  const applyMs = ms(t);
  const left = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events WHERE has(identifiers, 'email:${id.value}')`);
  const [{ version }] = await select<{ version: string }>(ch, 'SELECT version() AS version') as [{ version: string }];
  process.stdout.write(`${JSON.stringify({ clickhouse: version, events: Number(n), people, loadMs: load, erased: id, steps: plan.length, counts, countMs, submitMs, untilAppliedMs: applyMs, eventsLeftWithIt: Number(left[0]?.n ?? -1) }, null, 2)}\n`);
} finally {
  if (!a.keep) await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
}
