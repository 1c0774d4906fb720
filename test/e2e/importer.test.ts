// The import CLI as a user runs it, against the real Kafka and registry: sample files in, touchpoints out.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const run = promisify(execFile);
const examples = 'services/importer/examples';
let s: IsolatedStack;
let consumer: Consumer;
const received = new Map<string, Touchpoint>();
const keys = new Map<string, string | null>();
/** Every record consumed, duplicates included, by source. */
const records = new Map<string, number>();
const work = mkdtempSync(join(tmpdir(), 'tessera-import-'));

beforeAll(async () => {
  s = await isolatedStack('importer');
  consumer = s.kafka.consumer({ groupId: `${s.prefix}importer-test` });
  await consumer.connect();
  await consumer.subscribe({ topics: [s.topics.touchpoints], fromBeginning: true });
  void consumer.run({
    eachMessage: async ({ message }) => {
      const d = await s.codec.decode<Touchpoint>('touchpoint', message.value);
      if (!d.ok) throw new Error(d.reason);
      received.set(d.value.messageId, d.value);
      records.set(d.value.source, (records.get(d.value.source) ?? 0) + 1);
      keys.set(d.value.messageId, message.key?.toString() ?? null);
    },
  });
});

afterAll(async () => {
  await consumer?.disconnect();
  await s?.close();
});

/** Copies a sample to a scratch directory (the report is written beside the file) and imports it with the CLI. */
async function importSample(file: string, mapping: string, extra: string[] = []) {
  const target = join(work, file);
  copyFileSync(join(examples, file), target);
  const r = await run('node', ['--import', 'tsx', 'services/importer/cli.ts', '--mapping', join(examples, mapping), '--file', target, ...extra], {
    env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn' },
  });
  return { ...r, report: `${target}.rejected.ndjson` };
}

/** Writes `text` and a mapping for it into the scratch directory and imports it with the CLI (exit code kept). */
async function importText(name: string, text: string | Buffer, mapping: Record<string, unknown>, env: Record<string, string> = {}) {
  const file = join(work, name);
  writeFileSync(file, text);
  writeFileSync(`${file}.mapping.json`, JSON.stringify(mapping));
  const r = await run('node', ['--import', 'tsx', 'services/importer/cli.ts', '--mapping', `${file}.mapping.json`, '--file', file], {
    env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', ...env }, maxBuffer: 1 << 26,
  }).then((x) => ({ ...x, code: 0 }), (e: { code: number; stdout: string; stderr: string }) => e);
  const reportFile = `${file}.rejected.ndjson`;
  const report = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; problems: string[] }) : [];
  return { ...r, report };
}

/** identify calls from `id,email,note` rows, with the channel `source` so each test finds its own touchpoints. */
const contacts = (source: string) => ({ type: 'identify', source, userId: 'id', traits: { email: 'email', note: 'note' } });
const contactRow = (source: string, n: number, note = `note ${n}`) => `${source}-${n},p${n}@acme-corp.io,${note}`;

async function consumedWhere(pred: (t: Touchpoint) => boolean, n: number): Promise<Touchpoint[]> {
  await expect.poll(() => [...received.values()].filter(pred).length, { timeout: 30_000, interval: 100 }).toBe(n);
  return [...received.values()].filter(pred);
}

describe('import CLI', () => {
  it('imports CRM contacts as identify touchpoints; bad rows are reported with line numbers and the rest goes through', async () => {
    const r = await importSample('crm-contacts.csv', 'crm-contacts.mapping.json');
    expect(r.stdout).toContain('8 rows read');
    expect(r.stdout).toContain('5 accepted');
    expect(r.stdout).toContain('3 rejected');
    expect(r.stdout).toContain('line 6 (');
    expect(r.stdout).toContain('Lifetime Value: "abc" is not a number');
    expect(r.stdout).toContain('line 9: CSV: expected 10 fields as in the header, got 12');
    const report = readFileSync(r.report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; problems: string[] });
    expect(report.map((x) => x.line)).toEqual([6, 7, 9]);
    expect(report[1]!.problems).toEqual(['timestamp: not an ISO-8601 date-time: "15/03/2024"']);

    const crm = await consumedWhere((t) => t.source === 'crm', 5);
    const ann = crm.find((t) => t.userId === 'u-1001')!;
    expect(ann).toMatchObject({
      type: 'identify', source: 'crm', timestamp: Date.parse('2024-01-15T10:30:00Z'),
      traits: { email: 'Ann.Example@Harbour-Analytics.COM', phone: '+49 30 1234567', name: 'Ann Example', plan: 'pro', lifetime_value: 1250.5, newsletter: true, notes: 'Met at "Berlin Expo", wants invoice' },
      externalIds: [{ type: 'crm_id', id: 'C-1001', collection: null }],
    });
    const carla = crm.find((t) => t.externalIds[0]?.id === 'C-1003')!;
    expect(carla).toMatchObject({ userId: null, traits: { email: 'CARLA@brightwater-farms.org', lifetime_value: 3400, notes: 'multi-line\nnote about Carla' } });
    expect(keys.get(carla.messageId)).toBe('CARLA@brightwater-farms.org');
    expect(crm.find((t) => t.externalIds[0]?.id === 'C-1008')!.timestamp).toBe(Date.parse('2024-03-14T11:00:00Z'));

    // Re-importing the same file produces records with the same messageIds, so consumers dedupe.
    await importSample('crm-contacts.csv', 'crm-contacts.mapping.json');
    await expect.poll(() => records.get('crm'), { timeout: 30_000, interval: 100 }).toBe(10);
    expect([...received.values()].filter((t) => t.source === 'crm')).toHaveLength(5);
  });

  it('imports support tickets keyed by email only', async () => {
    const r = await importSample('support-tickets.ndjson', 'support-tickets.mapping.json');
    expect(r.stdout).toContain('3 accepted');
    expect(r.stdout).toMatch(/line 3 \(zendesk-T-503\): userId: missing/);
    expect(r.stdout).toContain('line 4: NDJSON: not valid JSON');
    const tickets = await consumedWhere((t) => t.source === 'support', 3);
    expect(tickets.map((t) => t.messageId).sort()).toEqual(['zendesk-T-501', 'zendesk-T-502', 'zendesk-T-505']);
    expect(received.get('zendesk-T-501')).toMatchObject({
      type: 'track', event: 'Ticket Created', userId: null, anonymousId: null, traits: { email: 'ann.example@harbour-analytics.com', name: 'Ann' },
      properties: { ticket_id: 'T-501', priority: 'high', tags: '["billing","invoice"]' },
    });
    expect(received.get('zendesk-T-505')!.properties.satisfaction).toBe('{"score":5}');
  });

  it('imports survey responses; --dry-run produces nothing', async () => {
    const dry = await importSample('survey-responses.csv', 'survey-responses.mapping.json', ['--dry-run']);
    expect(dry.stdout).toContain('dry run (nothing produced): 4 rows read');
    expect(dry.stdout).toContain('3 valid, 1 rejected');
    const r = await importSample('survey-responses.csv', 'survey-responses.mapping.json');
    expect(r.stdout).toContain('line 4 (survey-R-3): nps: "eleven" is not a number');
    await consumedWhere((t) => t.source === 'survey', 3);
    expect(received.get('survey-R-1')).toMatchObject({ event: 'Survey Answered', properties: { survey: 'NPS 2024-Q2', nps: 9, would_recommend: true, comment: 'Great, but slow exports' } });
  });

  it('stops before reading rows when the mapping names a column the file lacks (exit 2)', async () => {
    const mapping = join(work, 'bad.mapping.json');
    const m = JSON.parse(readFileSync(join(examples, 'crm-contacts.mapping.json'), 'utf8')) as { traits: Record<string, string> };
    m.traits.email = 'E-mail';
    writeFileSync(mapping, JSON.stringify(m));
    copyFileSync(join(examples, 'crm-contacts.csv'), join(work, 'c2.csv'));
    const err = await run('node', ['--import', 'tsx', 'services/importer/cli.ts', '--mapping', mapping, '--file', join(work, 'c2.csv')], { env: { ...process.env, ...s.env } })
      .then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain('TSR_IMPORT_UNKNOWN_COLUMNS: the mapping reads columns the file does not have: "E-mail"');
  });

  it('an unclosed quote in the middle of a CSV is one rejected row on the line it opens; the good rows after it go through', async () => {
    const src = 'quotes';
    const lines = ['id,email,note', contactRow(src, 1), contactRow(src, 2, '"never closed'), contactRow(src, 3), contactRow(src, 4, '"quoted, fine"'), contactRow(src, 5)];
    const r = await importText('quotes.csv', `${lines.join('\n')}\n`, contacts(src));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 rows read');
    expect(r.stdout).toContain('4 accepted');
    expect(r.stdout).toContain('1 rejected');
    expect(r.report).toEqual([{ line: 3, messageId: null, problems: ['CSV: quote not closed: the quoted field that starts on line 3 meets "q" after a quote on line 5'] }]);
    const got = await consumedWhere((t) => t.source === src, 4);
    expect(got.map((t) => t.userId).sort()).toEqual([`${src}-1`, `${src}-3`, `${src}-4`, `${src}-5`]);
    expect(got.find((t) => t.userId === `${src}-4`)!.traits.note).toBe('quoted, fine');
  });

  it('a 9 MB cell between good rows is rejected with its line; the good rows are acknowledged, on every run', async () => {
    const src = 'bigcell';
    const big = 'x'.repeat(9 << 20);
    const text = ['id,email,note', contactRow(src, 1), contactRow(src, 2), contactRow(src, 3, `"${big}"`), contactRow(src, 4), contactRow(src, 5)].join('\n');
    for (const attempt of [1, 2]) {
      const r = await importText('bigcell.csv', text, contacts(src));
      expect(r.code, `run ${attempt}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('5 rows read');
      expect(r.stdout).toContain('4 accepted');
      expect(r.stdout).toContain(`line 4: CSV: row of ${big.length + 2 + contactRow(src, 3, '').length} bytes is over the 524288-byte limit`);
      expect(r.report.map((x) => x.line)).toEqual([4]);
    }
    const got = await consumedWhere((t) => t.source === src, 4);
    expect(got.map((t) => t.userId).sort()).toEqual([`${src}-1`, `${src}-2`, `${src}-4`, `${src}-5`]);
  });

  it('NDJSON: an oversized line is rejected with its line; the lines around it go through', async () => {
    const src = 'ndbig';
    const line = (n: number, note = `note ${n}`) => JSON.stringify({ id: `${src}-${n}`, email: `p${n}@acme-corp.io`, note });
    const r = await importText('big.ndjson', [line(1), line(2, 'y'.repeat(9 << 20)), line(3)].join('\n'), contacts(src));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 rows read');
    expect(r.stdout).toContain('2 accepted');
    expect(r.report).toEqual([{ line: 2, messageId: null, problems: [expect.stringMatching(/^NDJSON: row of \d+ bytes is over the 524288-byte limit/)] }]);
    expect((await consumedWhere((t) => t.source === src, 2)).map((t) => t.userId).sort()).toEqual([`${src}-1`, `${src}-3`]);
  });

  it('large rows under the limit, all for one partition, go in produces Kafka accepts (12 MB in all)', async () => {
    const src = 'bulk';
    // One email and no user id: one Kafka key, one partition, where one 12 MB batch would pass the topic's 8 MB limit.
    const rows = Array.from({ length: 30 }, (_, i) => `,same@acme-corp.io,${String(i).padStart(3, '0')}${'z'.repeat(400_000)}`);
    const r = await importText('bulk.csv', `id,email,note\n${rows.join('\n')}\n`, { type: 'identify', source: src, traits: { email: 'email', note: 'note' } });
    expect(r.stderr).not.toContain('TSR_IMPORT_PRODUCE_FAILED');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('30 accepted');
    await consumedWhere((t) => t.source === src, 30);
  });

  it('a mapping that repeats a cell until the touchpoint passes the limit rejects that row only', async () => {
    const src = 'repeat';
    const mapping = { ...contacts(src), traits: { email: 'email', note: 'note', again: '{{note}} {{note}} {{note}}' } };
    const r = await importText('repeat.csv', `id,email,note\n${contactRow(src, 1)}\n${contactRow(src, 2, 'w'.repeat(1500))}\n${contactRow(src, 3)}\n`, mapping,
      { TESSERA_IMPORT_MAX_ROW_BYTES: '2048' });
    expect(r.code).toBe(0);
    expect(r.report).toEqual([{ line: 3, messageId: expect.any(String), problems: [expect.stringMatching(/^the touchpoint is \d+ bytes encoded, over the 2048-byte limit/)] }]);
    expect((await consumedWhere((t) => t.source === src, 2)).map((t) => t.userId).sort()).toEqual([`${src}-1`, `${src}-3`]);
  });
});
