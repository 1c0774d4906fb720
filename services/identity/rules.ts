// Identity configuration: per-type rules (priority, limit), blocked values, phone region, bounds; parsed with zod.
// Identifier types come from clients (externalIds), so every per-type table is a Map: a type named
// "constructor" or "__proto__" is an ordinary type, never a property of Object.prototype.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { BLOCKED_ANY, BLOCKED_BY_TYPE, BLOCKED_EMAIL_DOMAINS } from './blocklist.ts';
import { normaliseDomain, normaliseEmail } from './email.ts';
import { normalisePhone } from './phone.ts';
import { cleanText } from './text.ts';
import { PURPOSES, type Purpose } from '../contract/consent.ts';

/** priority: 1 is the strongest identifier; limit: distinct values of the type one profile may hold. */
export interface IdentityRule { priority: number; limit: number }

/** In `contested.by`: every type not in `contested.types` (so also the external ids: crm_id, loyalty_id…). */
export const OTHER_TYPES = '*';

export interface IdentityConfig {
  /** Rules per identifier type; types not listed (externalIds such as crm_id) use defaultRule. */
  rules: ReadonlyMap<string, IdentityRule>;
  defaultRule: IdentityRule;
  /** Blocked values per type (lower-case, compared after normalisation); '*' applies to every type. */
  blocked: ReadonlyMap<string, ReadonlySet<string>>;
  /** Domains whose addresses never link, in the canonical (Unicode, lower-case) form emails are stored in. */
  blockedEmailDomains: ReadonlySet<string>;
  /** Region for phone numbers written without a country code (ISO 3166-1 alpha-2). */
  defaultRegion: CountryCode;
  /** Values longer than this (after normalisation) are rejected. */
  maxValueLength: number;
  /** An identifier seen with more than this many distinct identifiers of one type is a hub and stops linking. */
  hubBound: number;
  /** The type an alias call's previousId is linked as (Segment sends the prior anonymousId or userId there). */
  previousIdType: string;
  /**
   * Shared devices: an identifier of one of `types` seen with more distinct identifiers of one type listed in `by`
   * than that type's limit lets one profile hold (a family computer's cookie with two user ids, a shop's kiosk with
   * six emails) is contested — like a hub, it stops linking, so the events on that device are no longer glued to
   * whoever used it first. `by` may hold '*': every type that is not in `types` (external ids included).
   */
  contested: { types: readonly string[]; by: readonly string[] };
  /**
   * Identifier types that link only when the touchpoint's consent grants a purpose: advertising ids need advertising
   * consent. On a touchpoint without it (refused, or no consent said at all) the identifier is dropped (NO_CONSENT)
   * before linking: it is not in the claim and not in the warehouse row.
   */
  consentGated: ReadonlyMap<string, Purpose>;
}

const map = <V>(entries: Iterable<readonly [string, V]>): Map<string, V> => new Map(entries);

export const defaultIdentityConfig: IdentityConfig = {
  rules: map([
    ['user_id', { priority: 1, limit: 1 }],
    ['email', { priority: 2, limit: 5 }],
    ['phone', { priority: 3, limit: 5 }],
    ['device_id', { priority: 5, limit: 5 }],
    ['advertising_id', { priority: 6, limit: 5 }],
    ['anonymous_id', { priority: 7, limit: 1000 }],
  ]),
  defaultRule: { priority: 4, limit: 5 },
  blocked: map<ReadonlySet<string>>([['*', new Set(BLOCKED_ANY)], ...[...BLOCKED_BY_TYPE].map(([t, v]) => [t, new Set(v)] as const)]),
  blockedEmailDomains: new Set(BLOCKED_EMAIL_DOMAINS),
  defaultRegion: 'US',
  maxValueLength: 256,
  hubBound: 1000,
  previousIdType: 'anonymous_id',
  contested: { types: ['anonymous_id', 'device_id', 'advertising_id'], by: ['user_id', 'email', 'phone', OTHER_TYPES] },
  consentGated: map<Purpose>([['advertising_id', 'advertising']]),
};

const typeName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'identifier types are lower_snake_case, at most 64 characters');
const rule = z.object({
  priority: z.number().int().min(1, 'priority starts at 1 (the strongest)').max(1000),
  limit: z.number().int().min(1, 'a limit below 1 would forbid the type; remove the type from events instead'),
}).strict();

const domain = z.string().min(1).transform((d, ctx) => {
  const n = normaliseDomain(d.trim());
  if (n.ok) return n.value;
  ctx.addIssue({ code: 'custom', message: n.reason });
  return z.NEVER;
});

const contested = z.object({
  types: z.array(typeName),
  // The first form named one type ({"by":"user_id"}); it still parses, as a list of one.
  by: z.union([z.array(z.union([typeName, z.literal(OTHER_TYPES)])), typeName.transform((t) => [t])]),
}).strict().superRefine((c, ctx) => {
  for (const t of c.by) {
    if (c.types.includes(t)) ctx.addIssue({ code: 'custom', path: ['by'], message: `"${t}" cannot both be contested and contest (it is in contested.types)` });
  }
  if (c.types.length > 0 && c.by.length === 0) ctx.addIssue({ code: 'custom', path: ['by'], message: 'list the types that contest a shared device, or set types to [] to switch the rule off' });
});

const input = z.object({
  rules: z.record(typeName, rule.partial().strict()).optional(),
  defaultRule: rule.partial().strict().optional(),
  blocked: z.record(z.union([typeName, z.literal('*')]), z.array(z.string())).optional(),
  blockedEmailDomains: z.array(domain).optional(),
  defaultRegion: z.string().refine((r) => isSupportedCountry(r), 'not a region libphonenumber knows (use ISO 3166-1 alpha-2, e.g. "GB")').optional(),
  maxValueLength: z.number().int().min(8).max(65536).optional(),
  hubBound: z.number().int().min(1).optional(),
  previousIdType: typeName.optional(),
  contested: contested.optional(),
  consentGated: z.record(typeName, z.enum(PURPOSES)).optional(),
}).strict();

export type ParsedConfig = { ok: true; config: IdentityConfig } | { ok: false; errors: string[] };

/**
 * Validates a partial config (e.g. from a JSON env var) and lists every problem. `rules` entries are merged onto the
 * default rule of their type; every other field given replaces the default whole — a `blocked` list replaces that
 * type's default list (so a value can be un-blocked), `blockedEmailDomains` replaces the default domains.
 */
export function parseIdentityConfig(value: unknown): ParsedConfig {
  const parsed = input.safeParse(value ?? {});
  // JSON.parse makes "__proto__" an own key, which zod's record skips without a word: say it is not a type name.
  const hidden = ['rules', 'blocked'].filter((f) => {
    const o: unknown = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[f] : undefined;
    return typeof o === 'object' && o !== null && Object.hasOwn(o, '__proto__');
  }).map((f) => `${f}: "__proto__" is not an identifier type name (lower_snake_case, starting with a letter)`);
  if (!parsed.success || hidden.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    return { ok: false, errors: [...issues, ...hidden] };
  }
  const p = parsed.data;
  const base = defaultIdentityConfig;
  const rules = new Map(base.rules);
  for (const [type, r] of Object.entries(p.rules ?? {})) {
    const merged = { ...(base.rules.get(type) ?? base.defaultRule), ...r };
    rules.set(type, { priority: merged.priority, limit: merged.limit });
  }
  const defaultRule = { ...base.defaultRule, ...p.defaultRule };
  const blocked = new Map(base.blocked);
  const region = (p.defaultRegion ?? base.defaultRegion) as CountryCode;
  for (const [type, values] of Object.entries(p.blocked ?? {})) blocked.set(type, new Set(values.map((v) => blockedForm(type, v, region))));
  return {
    ok: true,
    config: {
      rules, defaultRule, blocked,
      blockedEmailDomains: p.blockedEmailDomains ? new Set(p.blockedEmailDomains) : base.blockedEmailDomains,
      defaultRegion: (p.defaultRegion ?? base.defaultRegion) as CountryCode,
      maxValueLength: p.maxValueLength ?? base.maxValueLength,
      hubBound: p.hubBound ?? base.hubBound,
      previousIdType: p.previousIdType ?? base.previousIdType,
      contested: p.contested ? { types: [...p.contested.types], by: [...p.contested.by] } : base.contested,
      consentGated: p.consentGated ? map(Object.entries(p.consentGated)) : base.consentGated,
    },
  };
}

/** A blocked value as values are stored (cleaned, emails and phones normalised), lower-case: how blockReason compares. */
function blockedForm(type: string, raw: string, region: CountryCode): string {
  const clean = cleanText(raw);
  const text = clean.ok ? clean.value : raw.trim();
  const n = type === 'email' ? normaliseEmail(text) : type === 'phone' ? normalisePhone(text, region) : null;
  return (n?.ok === true ? n.value : text).toLowerCase();
}

/** The rule of a type (defaultRule for types the config does not list). */
export function ruleFor(config: IdentityConfig, type: string): IdentityRule {
  return config.rules.get(type) ?? config.defaultRule;
}

/** Whether identifiers of `type` are counted against a shared device (contested.by; '*' = every type not contested). */
export function contests(config: IdentityConfig, type: string): boolean {
  const { types, by } = config.contested;
  return !types.includes(type) && (by.includes(OTHER_TYPES) || by.includes(type));
}
