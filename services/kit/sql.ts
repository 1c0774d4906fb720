// SQL literals for ClickHouse 18.16, which has no server-side query parameters: every value goes through here.

/** A ClickHouse string literal: backslash and quote escaped, control bytes as escapes. */
export function str(value: string): string {
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case "'": out += "\\'"; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\0': out += '\\0'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      default: out += ch;
    }
  }
  return out + "'";
}

/** A numeric literal; rejects NaN, Infinity and non-integers where an integer is required. */
export function int(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return String(value);
}

/** A plain identifier (database, table, column): letters, digits and underscores only. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`not a plain identifier: ${JSON.stringify(name)}`);
  return name;
}

/** A tuple literal of strings, for IN (...). */
export function strList(values: readonly string[]): string {
  return values.length === 0 ? "('')" : `(${values.map(str).join(', ')})`;
}
