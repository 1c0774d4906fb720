// The erasure plan's mutations on a current ClickHouse release (chDB's engine behind its HTTP interface).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { eraseAndCheck, seed } from '../support/privacy-plan-cases.ts';
import { serveChdb, type ChdbServer } from './chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from './tools.ts';

let chdb: ChdbServer;
let ch: ClickHouseClient;
beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
  await migrate(ch, 'privacy');
  await seed(ch, 'privacy');
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await ch?.close(); await chdb?.close(); });

describe('erasure mutations on a current ClickHouse (chDB)', () => {
  it('remove the rows attributable only to the identifier and its raw values elsewhere, idempotently', async () => {
    await eraseAndCheck(ch, 'privacy');
  }, 120_000);
});
