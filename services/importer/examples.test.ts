import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig, extractIdentifiers } from '../identity/index.ts';
import { parseMapping } from './mapping.ts';
import { openRows, type Format } from './reader.ts';
import { importRow } from './rows.ts';

const dir = new URL('./examples/', import.meta.url);
const examples: [string, string, Format][] = [
  ['crm-contacts.csv', 'crm-contacts.mapping.json', 'csv'],
  ['support-tickets.ndjson', 'support-tickets.mapping.json', 'ndjson'],
  ['survey-responses.csv', 'survey-responses.mapping.json', 'csv'],
];

/** The identifiers the accepted rows of an example link, and those the identity rules drop as placeholders. */
async function identifiers(file: string, mappingFile: string, format: Format) {
  const parsed = parseMapping(readFileSync(new URL(mappingFile, dir), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const linked: string[] = [];
  const blocked: string[] = [];
  for await (const item of openRows(new URL(file, dir).pathname, format).items) {
    if (item.kind !== 'row') continue;
    const r = importRow(parsed.mapping, item.cells, { file, line: item.line, receivedAt: Date.parse('2026-01-01T00:00:00Z'), maxFutureMs: 86_400_000 });
    if (!r.ok) continue;
    const x = extractIdentifiers(r.touchpoint, defaultIdentityConfig);
    linked.push(...x.identifiers.map((i) => `${i.type}:${i.value}`));
    blocked.push(...x.dropped.filter((d) => d.code === 'BLOCKED').map((d) => `line ${item.line} ${d.type}: ${d.reason}`));
  }
  return { linked, blocked };
}

describe('the import examples (docs/import.md) link', () => {
  it.each(examples)('%s: no identifier of an accepted row is a blocked placeholder', async (file, mapping, format) => {
    const { linked, blocked } = await identifiers(file, mapping, format);
    expect(blocked).toEqual([]);
    expect(linked.length).toBeGreaterThan(0);
  });

  it("Ann's support ticket and survey answer carry the email of her CRM contact, so they join her profile", async () => {
    const crm = (await identifiers(...examples[0]!)).linked;
    const ann = crm.find((i) => i.startsWith('email:ann.example@'));
    expect(ann).toBeDefined();
    expect((await identifiers(...examples[1]!)).linked).toContain(ann);
    expect((await identifiers(...examples[2]!)).linked).toContain(ann);
  });
});
