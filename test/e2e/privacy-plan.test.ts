// The erasure plan's mutations on the local ClickHouse 18.16 (the same cases run on a current release through chDB:
// test/clients/privacy-current-clickhouse.test.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createClickHouse, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { eraseAndCheck, seed } from '../support/privacy-plan-cases.ts';

let ch: ClickHouseClient;
const db = `t_privacyplan${randomBytes(3).toString('hex')}`;
beforeAll(async () => {
  ch = createClickHouse({ url: inject('stack').clickhouseUrl, user: 'default', password: '' });
  await migrate(ch, db);
  await seed(ch, db);
});
afterAll(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
});

describe('erasure mutations on ClickHouse 18.16', () => {
  it('remove the rows attributable only to the identifier and its raw values elsewhere, idempotently', async () => {
    await eraseAndCheck(ch, db);
  }, 120_000);
});
