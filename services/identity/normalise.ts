// Normalise one raw identifier value of a type and decide whether it may link: valid, not too long, not blocked.
import type { CountryCode } from 'libphonenumber-js/max';
import { blockReason } from './blocklist.ts';
import { normaliseEmail } from './email.ts';
import { normalisePhone } from './phone.ts';
import type { IdentityConfig } from './rules.ts';
import { cleanText, type Normalised } from './text.ts';
import type { DroppedIdentifier, Identifier } from './types.ts';

/**
 * ok: the identifier may link. Not ok: why it was dropped; a value that is valid but blocked also comes back as
 * `blocked`, normalised, because claims keep it (marked, never linked) so that un-blocking it later can link it.
 */
export type Normalisation =
  | { ok: true; identifier: Identifier }
  | { ok: false; dropped: DroppedIdentifier; blocked?: Identifier };

/** What the event tells about how to read a value: the region of national phone numbers. */
export interface NormaliseHint { phoneRegion?: CountryCode }

function normaliseValue(type: string, clean: string, config: IdentityConfig, hint: NormaliseHint): Normalised {
  if (type === 'email') return normaliseEmail(clean);
  if (type === 'phone') return normalisePhone(clean, hint.phoneRegion ?? config.defaultRegion);
  return { ok: true, value: clean };
}

const short = (raw: string): string => (raw.length > 64 ? `${raw.slice(0, 64)}…` : raw);

/** Idempotent: normalising an already normalised value gives it back unchanged. */
export function normaliseIdentifier(type: string, raw: string, config: IdentityConfig, hint: NormaliseHint = {}): Normalisation {
  const drop = (code: DroppedIdentifier['code'], reason: string): Normalisation => ({ ok: false, dropped: { type, raw: short(raw), code, reason } });
  // Bounded before any work: a megabyte of text costs nothing more than a short one.
  if (raw.length > config.maxValueLength * 4) return drop('TOO_LONG', `longer than ${config.maxValueLength} characters`);
  const clean = cleanText(raw);
  if (!clean.ok) return drop('INVALID', clean.reason);
  if (clean.value.length === 0) return drop('INVALID', 'empty (after trimming and removing invisible characters)');
  const n = normaliseValue(type, clean.value, config, hint);
  if (!n.ok) {
    // A placeholder that is not even a valid value ("null" as an email) says more as BLOCKED than as INVALID.
    const placeholder = blockReason(type, clean.value, config);
    return placeholder !== null ? drop('BLOCKED', placeholder) : drop('INVALID', n.reason);
  }
  if (n.value.length > config.maxValueLength) return drop('TOO_LONG', `longer than ${config.maxValueLength} characters`);
  const blocked = blockReason(type, n.value, config) ?? (clean.value === n.value ? null : blockReason(type, clean.value, config));
  const identifier = { type, value: n.value };
  if (blocked !== null) return { ok: false, dropped: { type, raw: short(raw), code: 'BLOCKED', reason: blocked }, blocked: identifier };
  return { ok: true, identifier };
}

/** An identifier type as written by a client (externalIds): cleaned like a value, lower-cased, at most 64 characters. */
export function normaliseType(raw: string): Normalised {
  const clean = cleanText(raw);
  if (!clean.ok) return clean;
  const type = clean.value.toLowerCase();
  if (type.length === 0) return { ok: false, reason: 'an external id needs a type' };
  if (type.length > 64) return { ok: false, reason: 'an identifier type has at most 64 characters' };
  return { ok: true, value: type };
}
