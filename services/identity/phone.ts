// Phone normalisation to E.164 with libphonenumber (full metadata), using a default region for national numbers.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { countryCode } from './country.ts';
import type { Normalised } from './text.ts';

export function normalisePhone(raw: string, defaultRegion: CountryCode): Normalised {
  const text = raw.trim();
  // A leading 00 is the international call prefix in most of the world; libphonenumber wants '+'.
  const candidate = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const phone = parsePhoneNumberFromString(candidate, { defaultCountry: defaultRegion });
  if (phone === undefined || !phone.isValid()) {
    return { ok: false, reason: `"${raw}" is not a valid phone number (default region ${defaultRegion})` };
  }
  return { ok: true, value: phone.number };
}

/**
 * The region to read national numbers in: the event's country (code or English name, see country.ts) when
 * libphonenumber knows it, else the default.
 */
export function phoneRegion(country: string | null | undefined, defaultRegion: CountryCode): CountryCode {
  const c = typeof country === 'string' ? countryCode(country) : null;
  return c !== null && isSupportedCountry(c) ? c : defaultRegion;
}
