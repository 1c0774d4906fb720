import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intOption, numberOption, parseCommand, usage, UsageError, type CommandSpec } from './cli.ts';
import { commands, importCommand, loadgenCommand, tailCommand } from './commands.ts';

const root = new URL('../../', import.meta.url);
const byName = new Map(commands.map((c) => [c.name, c]));

/** Every `--option` a text shows, with a value after it when the command's spec says it takes one. */
function argvFor(spec: CommandSpec, text: string): string[][] {
  const flags = [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
  return flags.map((f) => {
    const name = f.replace(/^--(no-)?/, '');
    const o = spec.options[f.slice(2)] ?? spec.options[name];
    return o?.type === 'string' ? [f, '1'] : [f];
  });
}

/** Positionals that satisfy the command, so only the option is on trial. */
const positionals = (spec: CommandSpec): string[] => Array.from({ length: spec.positionals?.min ?? 0 }, () => 'x:y');
const required = (spec: CommandSpec): string[] => Object.entries(spec.options).filter(([, o]) => o.required).flatMap(([n]) => [`--${n}`, 'v']);

describe('every option a help text lists is one the command accepts', () => {
  it.each(commands.map((c) => [c.name, c] as const))('tessera %s --help', (_name, spec) => {
    const listed = argvFor(spec, usage(spec));
    expect(listed.length).toBeGreaterThan(0); // --help at least
    for (const argv of listed) {
      expect(() => parseCommand(spec, [...positionals(spec), ...required(spec), ...argv]), argv.join(' ')).not.toThrow();
    }
  });

  it('tessera help: the option list of each command', () => {
    const help = execFileSync('bash', [new URL('bin/tessera', root).pathname, 'help'], { encoding: 'utf8' });
    let checked = 0;
    for (const line of help.split('\n')) {
      const m = /^ {2}([a-z-]+) (.*)$/.exec(line);
      const spec = m && byName.get(m[1]!);
      if (!spec) continue;
      for (const argv of argvFor(spec, m[2]!)) {
        expect(() => parseCommand(spec, [...positionals(spec), ...required(spec), ...argv]), `${spec.name} ${argv.join(' ')}`).not.toThrow();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9);
  });

  it('docs/import.md: the options its command lines show', () => {
    const doc = readFileSync(new URL('docs/import.md', root), 'utf8');
    const listed = argvFor(importCommand, [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n'));
    expect(listed.map((a) => a[0])).toEqual(expect.arrayContaining(['--mapping', '--file', '--format', '--dry-run', '--list']));
    for (const argv of listed) expect(() => parseCommand(importCommand, [...required(importCommand), ...argv]), argv.join(' ')).not.toThrow();
  });
});

describe('parseCommand', () => {
  it('--no-malformed turns off a boolean that is on by default, and the usage shows it that way', () => {
    expect(parseCommand(loadgenCommand, [])!.values.malformed).toBe(true);
    expect(parseCommand(loadgenCommand, ['--no-malformed'])!.values.malformed).toBe(false);
    expect(usage(loadgenCommand)).toContain('[--no-malformed]');
  });

  it('returns null for --help and -h, whatever else is on the line', () => {
    expect(parseCommand(tailCommand, ['--help'])).toBeNull();
    expect(parseCommand(importCommand, ['-h'])).toBeNull();
  });

  it.each([
    [tailCommand, ['--bogus', 't.profiles'], "unknown option '--bogus'"],
    [tailCommand, [], 'expected TOPIC, got nothing'],
    [tailCommand, ['a', 'b'], 'too many arguments: b'],
    [tailCommand, ['t.profiles', '--max'], "option '--max <value>' argument missing"],
    [tailCommand, ['t.profiles', '--follow=yes'], "option '--follow' does not take an argument"],
    [importCommand, ['--file', 'f.csv'], '--mapping is required'],
    [importCommand, [], '--mapping and --file are required'],
    [loadgenCommand, ['extra'], "unexpected argument 'extra'"],
  ] as const)('%#: a bad command line is one UsageError line: %s', (spec, argv, message) => {
    let error: unknown;
    try { parseCommand(spec, argv); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });

  it.each([
    [() => intOption('max', '0', 1), '--max takes a whole number of at least 1, got "0"'],
    [() => intOption('max', '2.5', 1), '--max takes a whole number of at least 1, got "2.5"'],
    [() => intOption('max-devices', '7', 1, 6), '--max-devices takes a whole number from 1 to 6, got "7"'],
    [() => numberOption('registered', '1.5', 0, 1), '--registered takes a number from 0 to 1, got "1.5"'],
    [() => numberOption('rate', 'fast'), '--rate takes a number of at least 0, got "fast"'],
    [() => intOption('list', ''), '--list takes a whole number of at least 0, got ""'],
  ])('%#: option values are checked: %s', (read, message) => {
    expect(read).toThrow(new UsageError(message));
  });

  it('reads good values', () => {
    expect(intOption('max', '12', 1)).toBe(12);
    expect(numberOption('registered', '0.25', 0, 1)).toBe(0.25);
  });
});
