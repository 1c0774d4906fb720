// The country of an event as an ISO 3166-1 alpha-2 code, from what SDKs and geo-IP services really send there:
// alpha-2 ("GB"), alpha-3 ("GBR"), numeric ("826") or an English name ("United Kingdom", "UK"), any case.
import countries from 'i18n-iso-countries/index.js';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

const fold = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Every spelling the package knows, folded (case, accents, punctuation) → alpha-2; built once, read per event. */
const byName: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  countries.registerLocale(en);
  const all = Object.entries(countries.getNames('en', { select: 'all' }));
  // Codes first: a name never shadows a code.
  for (const [alpha2] of all) {
    m.set(fold(alpha2), alpha2);
    const alpha3 = countries.alpha2ToAlpha3(alpha2);
    if (alpha3 !== undefined) m.set(fold(alpha3), alpha2);
    const numeric = countries.alpha2ToNumeric(alpha2);
    if (numeric !== undefined) m.set(numeric, alpha2);
  }
  for (const [alpha2, names] of all) for (const name of names) if (!m.has(fold(name))) m.set(fold(name), alpha2);
  return m;
})();

/** The alpha-2 code of a country code or English name, or null when it names no country. */
export function countryCode(text: string): string | null {
  const t = text.trim();
  if (t.length === 0 || t.length > 80) return null;
  return byName.get(t.toLowerCase()) ?? byName.get(fold(t)) ?? null;
}
