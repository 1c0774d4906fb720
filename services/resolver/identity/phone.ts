// Phone normalisation to E.164 with libphonenumber (full metadata), using a default region for national numbers.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Normalised } from './email.ts';

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
