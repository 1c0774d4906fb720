// `tessera retention` against the real ClickHouse (18.16 on the local stack): whole months older than the limit go,
// the month holding the limit stays whole, a dry run and bad arguments change nothing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const tessera = fileURLToPath(new URL('../../bin/tessera', import.meta.url));
let s: IsolatedStack;

interface Run { code: number; stdout: string; stderr: string }
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(tessera, ['retention', ...args], { env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

// Two events a month from September 2025 to January 2026, on the first and the last day of each month.
const times = ['2025-09-01 00:00:00', '2025-09-30 23:59:59', '2025-10-01 00:00:00', '2025-10-31 12:00:00', '2025-11-02 08:00:00',
  '2025-11-30 23:00:00', '2025-12-01 00:00:00', '2025-12-31 23:59:59', '2026-01-01 00:00:00', '2026-01-20 10:00:00'];

const months = async () => (await select<{ m: number; n: string }>(s.ch,
  `SELECT toYYYYMM(event_time) AS m, toString(count()) AS n FROM ${s.database}.events GROUP BY m ORDER BY m`)).map((r) => `${r.m}:${r.n}`);

beforeAll(async () => {
  s = await isolatedStack('retention');
  await s.ch.command({ query: `INSERT INTO ${s.database}.events (message_id, type, claim_key, identifiers, event_time, event_ms, source, src_topic, src_partition, src_offset) VALUES
    ${times.map((t, i) => `('m-${i}', 'track', 'c', ['email:p${i}@example.com'], '${t}', ${Date.parse(`${t.replace(' ', 'T')}Z`)}, 'web', 'touchpoints', 0, ${i})`).join(', ')}` });
});
afterAll(async () => { await s?.close(); });

describe('tessera retention', () => {
  it('bad arguments: one line and the usage, exit 2, nothing dropped', async () => {
    for (const args of [['--keep-days', 'ten'], ['--keep-days', '0'], ['--keep-days', '30', '--as-of', 'yesterday'], [], ['--keep-days', '30', '--every', '0'], ['--bogus']]) {
      const r = await run(args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/^tessera retention: .+\nusage: tessera retention/);
    }
    const env = await run(['--dry-run'], { TESSERA_RETENTION_DAYS: '-1' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('TESSERA_RETENTION_DAYS');
    expect(await months()).toEqual(['202509:2', '202510:2', '202511:2', '202512:2', '202601:2']);
  });

  it('a dry run says what would go and drops nothing', async () => {
    const r = await run(['--keep-days', '46', '--as-of', '2026-01-15T00:00:00Z', '--dry-run']);
    expect(r).toMatchObject({ code: 0, stderr: '' }); // stderr: the problem, if any
    expect(r.stdout).toContain('would drop 2 month(s) 202509 202510: 4 events; 6 events kept');
    expect(r.stdout).toContain('202511 is partly older than the limit');
    expect(await months()).toEqual(['202509:2', '202510:2', '202511:2', '202512:2', '202601:2']);
  });

  it('drops the months entirely older than the limit; the partly expired month stays whole; a second run drops nothing', async () => {
    // 45 days before 2026-01-15 is 2025-12-01: November ended at the limit, so it goes too.
    const r = await run(['--keep-days', '45', '--as-of', '2026-01-15T00:00:00Z']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('dropped 3 month(s) 202509 202510 202511: 6 events; 4 events kept');
    expect(await months()).toEqual(['202512:2', '202601:2']);
    // Limit 2025-12-21: December is partly past it and stays, both of its events included.
    const again = await run(['--keep-days', '25', '--as-of', '2026-01-15T00:00:00Z']);
    expect(again.stdout).toContain('dropped 0 month(s) -: 0 events; 4 events kept');
    expect(again.stdout).toContain('202512 is partly older than the limit');
    expect(await months()).toEqual(['202512:2', '202601:2']);
  });

  it('takes the limit from TESSERA_RETENTION_DAYS', async () => {
    const r = await run(['--as-of', '2026-02-01T00:00:00Z'], { TESSERA_RETENTION_DAYS: '31' });
    expect(r.stdout).toContain('dropped 1 month(s) 202512: 2 events; 2 events kept');
    expect(await months()).toEqual(['202601:2']);
  });
});

describe('tessera retention --every (a schedule)', () => {
  it('applies at once, keeps running, and stops on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(tessera, ['retention', '--keep-days', '3650', '--every', '24'], { env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => { if (out.includes('events kept')) { clearInterval(check); resolve(); } }, 100);
      child.on('exit', () => { clearInterval(check); reject(new Error(`exited before its first run: ${out}`)); });
    });
    expect(out).toContain('dropped 0 month(s)');
    expect(child.exitCode).toBeNull(); // still running: the next run is a day away
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('retention and a replay', () => {
  it('a dropped month is not written again when the writer reads the touchpoints from the start', async () => {
    const { LinkPublisher } = await import('../support/link-records.ts');
    const { startWriter, eventuallyEqual } = await import('../support/published.ts');
    const { touchpoint } = await import('../support/builders.ts');
    const r = await isolatedStack('retentionreplay');
    try {
      const pub = new LinkPublisher(r.kafka, r.codec, r.topics);
      await pub.connect();
      await pub.touchpoints([
        touchpoint({ messageId: 'old-1', anonymousId: 'c1', timestamp: Date.UTC(2025, 8, 10) }),
        touchpoint({ messageId: 'new-1', anonymousId: 'c1', timestamp: Date.UTC(2025, 11, 10) }),
      ]);
      const count = () => select<{ m: number; n: string }>(r.ch, `SELECT toYYYYMM(event_time) AS m, toString(count()) AS n FROM ${r.database}.events GROUP BY m ORDER BY m`);
      const first = await startWriter({ kafka: r.kafka, codec: r.codec, ch: r.ch, database: r.database, topics: r.topics, groupId: `${r.prefix}writer-a` });
      expect(await eventuallyEqual(count, [{ m: 202509, n: '1' }, { m: 202512, n: '1' }], 'both months')).toEqual([{ m: 202509, n: '1' }, { m: 202512, n: '1' }]);
      await first.stop();
      const run = await new Promise<Run>((resolve) => {
        execFile(tessera, ['retention', '--keep-days', '60', '--as-of', '2026-01-15T00:00:00Z'], { env: { ...process.env, ...r.env, TESSERA_LOG_LEVEL: 'warn' } },
          (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
      });
      expect(run.stdout).toContain('dropped 1 month(s) 202509: 1 events');
      // A new consumer group reads the topic from offset 0: the writer's watermarks still cover the dropped month.
      const replay = await startWriter({ kafka: r.kafka, codec: r.codec, ch: r.ch, database: r.database, topics: r.topics, groupId: `${r.prefix}writer-b` });
      await pub.touchpoints([touchpoint({ messageId: 'new-2', anonymousId: 'c1', timestamp: Date.UTC(2025, 11, 11) })]);
      expect(await eventuallyEqual(count, [{ m: 202512, n: '2' }], 'the later event')).toEqual([{ m: 202512, n: '2' }]);
      // old-1 precedes new-2 on their partition (same key): once new-2 is in and the writer has stopped (a stop finishes
      // the flush in progress), old-1 was either written by now or skipped.
      await replay.stop();
      expect(await count()).toEqual([{ m: 202512, n: '2' }]);
      await pub.disconnect();
    } finally {
      await r.close();
    }
  });
});
