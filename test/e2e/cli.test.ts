// The operator commands as a user runs them (`tessera …` from any directory), against the real Kafka and registry:
// help and bad options, every record of a topic through a slow pipe, a reader that leaves early.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const tessera = fileURLToPath(new URL('../../bin/tessera', import.meta.url));
/** A directory outside the checkout: commands must not depend on being run from it. */
const cwd = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
let s: IsolatedStack;

interface Run { code: number; stdout: string; stderr: string }
function sh(script: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', ...env }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => { s = await isolatedStack('cli'); });
afterAll(async () => { await s?.close(); });

describe('help and bad options', () => {
  it('tessera help lists the commands; an unknown command is one line and the usage (exit 2)', async () => {
    const help = await sh(`${tessera} help`);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const c of ['import', 'explain', 'tail', 'loadgen', 'migrate', 'extract']) expect(help.stdout).toContain(`  ${c}`);
    expect(help.stdout).toMatch(/^ {2}extract \| link \| warehouse-writer \| collector \| privacy$/m);
    const bad = await sh(`${tessera} frobnicate`);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').slice(0, 2)).toEqual(["tessera: unknown command 'frobnicate'", expect.stringMatching(/^usage: tessera COMMAND/)]);
  });

  it.each(['import', 'explain', 'tail', 'loadgen', 'migrate'])('tessera %s: --help prints the usage (exit 0); --bogus one line and the usage (exit 2)', async (name) => {
    const help = await sh(`${tessera} ${name} --help`);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(new RegExp(`^usage: tessera ${name}\\b`));
    expect(help.stdout).toContain('-h, --help');
    const bad = await sh(`${tessera} ${name} --bogus`);
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`tessera ${name}: unknown option '--bogus'`);
    expect(lines[1]).toMatch(new RegExp(`^usage: tessera ${name}\\b`));
    expect(bad.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it.each(['extract', 'link', 'warehouse-writer', 'collector'])('tessera %s takes no arguments: --help explains, anything else is refused before it starts', async (name) => {
    expect(await sh(`${tessera} ${name} --help`)).toMatchObject({ code: 0, stdout: expect.stringContaining(`docs/${name}.md`) });
    const bad = await sh(`${tessera} ${name} --port 1`);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe(`tessera ${name}: unexpected argument '--port'`);
  });
});

describe('loadgen and tail against the stack', () => {
  let produced = 0;

  it('tessera loadgen --no-malformed produces the population; --truth is relative to the caller\'s directory', async () => {
    const r = await sh(`${tessera} loadgen --people 400 --seed 7 --no-malformed --truth truth.csv`);
    expect(r.stderr).not.toContain('ERR_PARSE_ARGS');
    expect(r.code).toBe(0);
    produced = readFileSync(join(cwd, 'truth.csv'), 'utf8').trim().split('\n').length - 1;
    expect(produced).toBeGreaterThan(1000);
  });

  it('tessera tail writes every record, each line whole, to a pipe whose reader is slow', async () => {
    const r = await sh(`set -o pipefail; ${tessera} tail ${s.topics.touchpoints} | (sleep 2; cat)`);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(produced);
    const records = lines.map((l) => JSON.parse(l) as { value: { messageId?: string; undecodable?: string } });
    expect(records.filter((x) => !x.value.messageId)).toEqual([]);
    expect(new Set(records.map((x) => x.value.messageId)).size).toBe(produced);
  });

  it('tessera tail | head ends quietly (a closed pipe is the reader being done)', async () => {
    const r = await sh(`${tessera} tail ${s.topics.touchpoints} | head -n 2; echo "tail exit \${PIPESTATUS[0]}" >&2`);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('tail exit 0\n');
  });

  it('tessera tail --max N prints N records', async () => {
    const r = await sh(`${tessera} tail ${s.topics.touchpoints} --max 5`);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(5);
  });

  it('tessera tail on a topic that does not exist says so in one line (exit 1)', async () => {
    const r = await sh(`${tessera} tail ${s.prefix}nothing.profiles`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tessera tail: topic ${s.prefix}nothing.profiles does not exist on ${s.env.TESSERA_KAFKA_BROKERS} (give the whole name, prefix included, e.g. tessera.profiles)\n`);
  });
});
