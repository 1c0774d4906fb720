// Identity configuration: per-type rules (priority, limit), blocked values, phone region, bounds; parsed with zod.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { BLOCKED_ANY, BLOCKED_BY_TYPE, BLOCKED_EMAIL_DOMAINS } from './blocklist.ts';

/** priority: 1 is the strongest identifier; limit: distinct values of the type one profile may hold. */
export interface IdentityRule { priority: number; limit: number }

export interface IdentityConfig {
  /** Rules per identifier type; types not listed (externalIds such as crm_id) use defaultRule. */
  rules: Record<string, IdentityRule>;
  defaultRule: IdentityRule;
  /** Blocked values per type (lower-case, compared after normalisation); '*' applies to every type. */
  blocked: Record<string, string[]>;
  blockedEmailDomains: string[];
  /** Region for phone numbers written without a country code (ISO 3166-1 alpha-2). */
  defaultRegion: CountryCode;
  /** Values longer than this (after normalisation) are rejected. */
  maxValueLength: number;
  /** An identifier seen with more than this many distinct identifiers of one type is a hub and stops linking. */
  hubBound: number;
  /** The type an alias call's previousId is linked as (Segment sends the prior anonymousId or userId there). */
  previousIdType: string;
  /**
   * Shared devices: an identifier of one of `types` seen with more distinct identifiers of type `by` than `by`'s
   * limit lets one profile hold (a family computer's cookie with two user ids) is contested — like a hub, it stops
   * linking, so the events on that device are no longer glued to whichever person logged in first.
   */
  contested: { types: string[]; by: string };
}

export const defaultIdentityConfig: IdentityConfig = {
  rules: {
    user_id: { priority: 1, limit: 1 },
    email: { priority: 2, limit: 5 },
    phone: { priority: 3, limit: 5 },
    device_id: { priority: 5, limit: 5 },
    advertising_id: { priority: 6, limit: 5 },
    anonymous_id: { priority: 7, limit: 1000 },
  },
  defaultRule: { priority: 4, limit: 5 },
  blocked: { '*': [...BLOCKED_ANY], ...Object.fromEntries(Object.entries(BLOCKED_BY_TYPE).map(([t, v]) => [t, [...v]])) },
  blockedEmailDomains: [...BLOCKED_EMAIL_DOMAINS],
  defaultRegion: 'US',
  maxValueLength: 256,
  hubBound: 1000,
  previousIdType: 'anonymous_id',
  contested: { types: ['anonymous_id', 'device_id', 'advertising_id'], by: 'user_id' },
};

const typeName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'identifier types are lower_snake_case, at most 64 characters');
const rule = z.object({
  priority: z.number().int().min(1, 'priority starts at 1 (the strongest)').max(1000),
  limit: z.number().int().min(1, 'a limit below 1 would forbid the type; remove the type from events instead'),
}).strict();

const input = z.object({
  rules: z.record(typeName, rule.partial().strict()).optional(),
  defaultRule: rule.partial().strict().optional(),
  blocked: z.record(z.union([typeName, z.literal('*')]), z.array(z.string())).optional(),
  blockedEmailDomains: z.array(z.string().min(1)).optional(),
  defaultRegion: z.string().refine((r) => isSupportedCountry(r), 'not a region libphonenumber knows (use ISO 3166-1 alpha-2, e.g. "GB")').optional(),
  maxValueLength: z.number().int().min(8).max(65536).optional(),
  hubBound: z.number().int().min(1).optional(),
  previousIdType: typeName.optional(),
  contested: z.object({ types: z.array(typeName), by: typeName }).strict().optional(),
}).strict();

export type ParsedConfig = { ok: true; config: IdentityConfig } | { ok: false; errors: string[] };

/** Validates a partial config (e.g. from a JSON env var) and merges it onto the defaults; lists every problem. */
export function parseIdentityConfig(value: unknown): ParsedConfig {
  const parsed = input.safeParse(value ?? {});
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`) };
  }
  const p = parsed.data;
  const base = defaultIdentityConfig;
  const rules: Record<string, IdentityRule> = { ...base.rules };
  for (const [type, r] of Object.entries(p.rules ?? {})) {
    const merged = { ...(base.rules[type] ?? base.defaultRule), ...r };
    rules[type] = { priority: merged.priority, limit: merged.limit };
  }
  const defaultRule = { ...base.defaultRule, ...p.defaultRule };
  const blocked: Record<string, string[]> = { ...base.blocked };
  for (const [type, values] of Object.entries(p.blocked ?? {})) blocked[type] = values.map((v) => v.trim().toLowerCase());
  return {
    ok: true,
    config: {
      rules, defaultRule, blocked,
      blockedEmailDomains: p.blockedEmailDomains?.map((d) => d.toLowerCase()) ?? base.blockedEmailDomains,
      defaultRegion: (p.defaultRegion ?? base.defaultRegion) as CountryCode,
      maxValueLength: p.maxValueLength ?? base.maxValueLength,
      hubBound: p.hubBound ?? base.hubBound,
      previousIdType: p.previousIdType ?? base.previousIdType,
      contested: p.contested ? { types: [...p.contested.types], by: p.contested.by } : base.contested,
    },
  };
}

/** The rule of a type (defaultRule for types the config does not list). */
export function ruleFor(config: IdentityConfig, type: string): IdentityRule {
  return config.rules[type] ?? config.defaultRule;
}

