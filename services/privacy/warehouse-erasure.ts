// Runs an erasure plan on ClickHouse: count what each step will remove, submit the mutations, wait until the server
// has applied them. Idempotent: run again, it removes what is left and finds nothing more to count.
import { sleep } from '../kit/backoff.ts';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import type { Logger } from '../kit/log.ts';
import { str } from '../kit/sql.ts';
import type { Identifier } from '../identity/index.ts';
import { claimKeysQuery, erasurePlan, type PlanStep } from './plan.ts';

const tablesOf = async (ch: ClickHouseClient, db: string) =>
  new Set((await select<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = ${str(db)}`)).map((t) => t.name));

/** `key`: the privacy key, to erase the identifier's keyed hash from the analysts' database `<db>_analyst` too. */
export async function planFor(ch: ClickHouseClient, db: string, id: Identifier, key?: Buffer): Promise<PlanStep[]> {
  const tables = await tablesOf(ch, db);
  const keys = claimKeysQuery(db, id);
  const analyst = key === undefined ? undefined : { key, tables: await tablesOf(ch, `${db}_analyst`) };
  return erasurePlan(db, id, tables, {
    only: (await select<{ claim_key: string }>(ch, keys.only)).map((x) => x.claim_key),
    all: (await select<{ claim_key: string }>(ch, keys.all)).map((x) => x.claim_key),
  }, analyst);
}

export async function countPlan(ch: ClickHouseClient, plan: readonly PlanStep[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const step of plan) counts[step.name] = Number((await select<{ n: string }>(ch, `${step.count}`))[0]?.n ?? 0);
  return counts;
}

export async function submitPlan(ch: ClickHouseClient, plan: readonly PlanStep[]): Promise<void> {
  for (const step of plan) await ch.command({ query: step.mutation });
}

/** Mutations run in the background on the server; done when none of the database's (or its analysts' database's) is left. */
export async function untilMutationsDone(ch: ClickHouseClient, db: string, tick: () => Promise<void> = async () => undefined, log?: Logger): Promise<void> {
  for (let i = 0; ; i += 1) {
    // 18.16's system.mutations has no failure reason column: a stuck mutation shows here as never done.
    const [row] = await select<{ n: string }>(ch, `SELECT count() AS n FROM system.mutations WHERE database IN (${str(db)}, ${str(`${db}_analyst`)}) AND is_done = 0`);
    if (Number(row?.n ?? 0) === 0) return;
    if (i % 40 === 0) log?.info({ running: row?.n }, 'waiting for ClickHouse mutations');
    await sleep(100);
    await tick();
  }
}
