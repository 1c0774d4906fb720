// The operator commands' command lines, one way for all: node's util.parseArgs (strict), a usage text generated
// from the same option specs the parser reads, --help on stdout (exit 0), a bad option as one line + usage (exit 2).
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** What the option does, one line. */
  help: string;
  /** The value's placeholder in the usage text (string options): `--max N`. */
  value?: string;
  /** Must be given (a string option): shown without brackets, checked by the parser. */
  required?: boolean;
}

export interface CommandSpec {
  /** As typed after `tessera`: `tail`, `import`. */
  name: string;
  /** Positional arguments in the synopsis, e.g. `TOPIC`. */
  args?: string;
  positionals?: { min: number; max: number };
  summary: string;
  options: Record<string, OptionSpec>;
  /** Lines after the option list: environment variables, examples. */
  notes?: string[];
}

/** A command line that cannot run: reported as one line plus the usage, exit code 2. */
export class UsageError extends Error {}

type Config<S extends CommandSpec> = { options: S['options']; allowPositionals: true; strict: true; allowNegative: true };
export type Parsed<S extends CommandSpec> = ReturnType<typeof parseArgs<Config<S>>>;

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

/** `--no-malformed` for a boolean that is on by default, `--max N` for a string. */
function flag(name: string, o: OptionSpec): string {
  if (o.type === 'boolean') return o.default === true ? `--no-${name}` : `--${name}`;
  return `--${name} ${o.value ?? 'VALUE'}`;
}

/** Words joined into lines of at most `width` characters, continuation lines indented by `indent`. */
function wrap(words: string[], width: number, indent: string): string {
  const lines = [''];
  for (const w of words) {
    const last = lines[lines.length - 1]!;
    if (last.length > indent.length && last.length + 1 + w.length > width) lines.push(`${indent}${w}`);
    else lines[lines.length - 1] = last ? `${last} ${w}` : w;
  }
  return lines.join('\n');
}

export function usage(spec: CommandSpec): string {
  const entries = Object.entries(spec.options);
  const head = `usage: tessera ${spec.name}`;
  const synopsis = wrap([head, ...(spec.args ? [spec.args] : []), ...entries.map(([n, o]) => (o.required ? flag(n, o) : `[${flag(n, o)}]`))], 110, ' '.repeat(head.length + 1));
  const rows = [...entries, ['help', HELP] as const].map(([n, o]) => [`${o.short ? `-${o.short}, ` : ''}${flag(n, o)}`, o.help] as const);
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    synopsis,
    spec.summary,
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    ...(spec.notes ?? []),
  ].join('\n');
}

/** Parses argv; null means --help was asked for. Throws UsageError for anything the spec does not allow. */
export function parseCommand<S extends CommandSpec>(spec: S, argv: readonly string[]): Parsed<S> | null {
  let parsed: Parsed<S>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...spec.options, help: HELP }, allowPositionals: true, strict: true, allowNegative: true }) as unknown as Parsed<S>;
  } catch (err) {
    // parseArgs explains "--" for dash-led positionals after its message; the first sentence is what went wrong.
    const first = (err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
  }
  if ((parsed.values as { help?: boolean }).help) return null;
  const values = parsed.values as Record<string, unknown>;
  const missing = Object.entries(spec.options).filter(([n, o]) => o.required && values[n] === undefined).map(([n]) => `--${n}`);
  if (missing.length > 0) throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`);
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`expected ${spec.args ?? `${min} arguments`}, got ${n === 0 ? 'nothing' : parsed.positionals.join(' ')}`);
  if (n > max) throw new UsageError(max === 0 ? `unexpected argument '${parsed.positionals[0]}'` : `too many arguments: ${parsed.positionals.slice(max).join(' ')}`);
  return parsed;
}

/** A whole number in [min, max] from an option's text; UsageError otherwise. */
export function intOption(name: string, text: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A number in [min, max] (fractions allowed) from an option's text; UsageError otherwise. */
export function numberOption(name: string, text: string | undefined, min = 0, max = Number.POSITIVE_INFINITY): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes a number${max === Number.POSITIVE_INFINITY ? ` of at least ${min}` : ` from ${min} to ${max}`}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * The command line for `spec` read by `read`, which turns option text into values (and may throw UsageError).
 * --help prints the usage and exits 0; a UsageError prints `tessera NAME: problem` and the usage, and exits 2.
 */
export function commandLine<S extends CommandSpec, T>(spec: S, read: (p: Parsed<S>) => T, argv: readonly string[] = process.argv.slice(2)): T {
  try {
    const parsed = parseCommand(spec, argv);
    if (parsed === null) {
      process.stdout.write(`${usage(spec)}\n`);
      process.exit(0);
    }
    return read(parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`tessera ${spec.name}: ${err.message}\n${usage(spec)}\n`);
    process.exit(2);
  }
}
