// Email normalisation: trimmed, lower-cased, validated; the same function is idempotent.

export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function normaliseEmail(raw: string): Normalised {
  const value = raw.trim().toLowerCase();
  if (value.length > 254) return { ok: false, reason: 'an email address has at most 254 characters' };
  if (!EMAIL.test(value)) return { ok: false, reason: `"${raw}" is not a valid email address` };
  if (value.startsWith('.') || value.includes('..') || value.includes('.@')) return { ok: false, reason: `"${raw}" has misplaced dots` };
  return { ok: true, value };
}
