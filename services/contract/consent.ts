// Consent on a touchpoint (pure): Segment's `context.consent.categoryPreferences` read into Tessera's purposes.
import { z } from 'zod';
import { isObject, kindOf, own, type Json, type Problems } from './fields.ts';

/** What Tessera uses data for; each purpose is granted or not, per touchpoint. */
export const PURPOSES = ['advertising', 'analytics', 'personalisation'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The consent a touchpoint carried: the purposes it grants, and the categories as the consent tool sent them. */
export interface Consent {
  advertising: boolean;
  analytics: boolean;
  personalisation: boolean;
  /** Category id → granted, as sent (the consent tool's own ids: "Advertising", "C0004", …). */
  categories: Record<string, boolean>;
}

/**
 * The consent tool's categories and the purposes each one covers. Every category Tessera accepts is listed (a category
 * it does not know is refused, so that a renamed category in the consent tool cannot silently switch a purpose off);
 * a category may cover no purpose of Tessera's (Functional). A purpose covered by several categories needs all of them.
 */
export type ConsentCategories = Readonly<Record<string, readonly Purpose[]>>;

/** Segment's example categories and the purposes they cover. */
export const DEFAULT_CONSENT_CATEGORIES: ConsentCategories = {
  Advertising: ['advertising'],
  Analytics: ['analytics'],
  Personalization: ['personalisation'],
  Functional: [],
  DataSharing: [],
};

/** The track event a consent tool sends when a person changes their preferences (Segment's consent wrappers). */
export const CONSENT_UPDATED_EVENT = 'Segment Consent Preference Updated';

/**
 * Segment's rule: an event without `context.consent` (or with an empty consent object) says nothing about consent
 * (null); a category the preferences leave out is not granted; an empty `categoryPreferences` grants nothing.
 * Problems (a non-object, a non-boolean value, an unknown category) are added to `p` and give null.
 */
export function readConsent(ctx: Json | null, categories: ConsentCategories, p: Problems): Consent | null {
  const raw = ctx ? own(ctx, 'consent') : undefined;
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) { p.add('context.consent', `expected an object {categoryPreferences: {…}}, got ${kindOf(raw)}`); return null; }
  const prefs = own(raw, 'categoryPreferences');
  if (prefs === undefined || prefs === null) return null;
  const path = 'context.consent.categoryPreferences';
  if (!isObject(prefs)) { p.add(path, `expected an object of category → true/false, got ${kindOf(prefs)}`); return null; }
  const given: Record<string, boolean> = {};
  let bad = false;
  for (const [category, value] of Object.entries(prefs)) {
    if (!Object.hasOwn(categories, category)) {
      p.add(`${path}.${category}`, `unknown consent category; the known ones are ${Object.keys(categories).join(', ') || '(none)'} (TESSERA_CONSENT_CATEGORIES)`);
      bad = true;
    } else if (typeof value !== 'boolean') {
      p.add(`${path}.${category}`, `expected true or false, got ${typeof value === 'string' ? JSON.stringify(value) : kindOf(value)}`);
      bad = true;
    } else {
      given[category] = value;
    }
  }
  if (bad) return null;
  return consentOf(given, categories);
}

/** The purposes a set of category answers grants: a purpose needs every category covering it granted (missing = no). */
export function consentOf(given: Readonly<Record<string, boolean>>, categories: ConsentCategories): Consent {
  const covering = (purpose: Purpose) => Object.keys(categories).filter((c) => categories[c]!.includes(purpose));
  const granted = (purpose: Purpose) => {
    const cs = covering(purpose);
    return cs.length > 0 && cs.every((c) => given[c] === true);
  };
  const sorted: Record<string, boolean> = {};
  for (const c of Object.keys(given).sort()) sorted[c] = given[c]!;
  return { advertising: granted('advertising'), analytics: granted('analytics'), personalisation: granted('personalisation'), categories: sorted };
}

/** Whether a touchpoint's consent grants a purpose; a touchpoint that carried no consent grants none. */
export const grants = (consent: Consent | null | undefined, purpose: Purpose): boolean => consent?.[purpose] === true;

export type ParsedCategories = { ok: true; categories: ConsentCategories } | { ok: false; problem: string };

/** TESSERA_CONSENT_CATEGORIES: a JSON object of category id → list of purposes. */
export function parseConsentCategories(text: string): ParsedCategories {
  let v: unknown;
  try { v = JSON.parse(text); } catch (err) { return { ok: false, problem: `not JSON: ${(err as Error).message}` }; }
  if (!isObject(v)) return { ok: false, problem: 'expected a JSON object of category → ["advertising" | "analytics" | "personalisation", …]' };
  const out: Record<string, Purpose[]> = {};
  for (const [category, purposes] of Object.entries(v)) {
    if (category.trim() === '' || category === '__proto__') return { ok: false, problem: `${JSON.stringify(category)} cannot be a category id` };
    if (!Array.isArray(purposes) || !purposes.every((x) => (PURPOSES as readonly unknown[]).includes(x))) {
      return { ok: false, problem: `${category}: expected a list of purposes from ${PURPOSES.join(', ')}` };
    }
    out[category] = [...new Set(purposes as Purpose[])];
  }
  return { ok: true, categories: out };
}

/** TESSERA_CONSENT_CATEGORIES for the collector's and the importer's configuration (the kit's zod style). */
export const consentCategoriesEnv = {
  TESSERA_CONSENT_CATEGORIES: z.string().optional().transform((s, ctx): ConsentCategories => {
    if (s === undefined) return DEFAULT_CONSENT_CATEGORIES;
    const r = parseConsentCategories(s);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    }
    return r.categories;
  }),
};
