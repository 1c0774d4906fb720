// Avro schemas of the contract (schemas/avro/*.avsc), loaded once and compiled with avsc.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

const schemaDir = fileURLToPath(new URL('../../schemas/avro/', import.meta.url));

export type AvroType = avro.Type;

export function readSchema(name: string): string {
  return readFileSync(`${schemaDir}${name}.avsc`, 'utf8');
}

const types = new Map<string, avro.Type>();

/** The compiled type of schemas/avro/<name>.avsc. */
export function avroType(name: string): avro.Type {
  let t = types.get(name);
  if (!t) {
    t = avro.Type.forSchema(JSON.parse(readSchema(name)) as avro.Schema);
    types.set(name, t);
  }
  return t;
}

/** Every path at which `value` does not match `type`, e.g. "timestamp: expected long, got \"x\"". */
export function invalidPaths(type: avro.Type, value: unknown): string[] {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook(path: string[], v: unknown, t: avro.Type) {
      const where = path.length ? path.join('.') : '(record)';
      const expected = t.typeName === 'union' ? (t as unknown as { types: avro.Type[] }).types.map((x) => x.typeName).join('|') : t.typeName;
      problems.push(`${where}: expected ${expected}, got ${JSON.stringify(v)?.slice(0, 60) ?? 'undefined'}`);
    },
  });
  return problems;
}
