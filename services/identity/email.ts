// Email normalisation: lower-cased, UTF-8 local parts (RFC 6531), domains by UTS #46 (IDNA) in their Unicode form.
import { toASCII, toUnicode, type Tr46Options } from 'tr46';
import { isPlainAscii, type Normalised } from './text.ts';

/** One label of a plain ASCII host name (letters, digits, inner hyphens; at most 63 characters). */
const LDH_DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** Dot-atom local part: RFC 5322 atext, plus any non-ASCII character that is not a space or control (RFC 6531). */
const LOCAL = /^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]|[^\p{ASCII}\p{White_Space}\p{C}])+(?:\.(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]|[^\p{ASCII}\p{White_Space}\p{C}])+)*$/u;
const ASCII_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const IDNA: Tr46Options = { checkHyphens: true, checkBidi: true, checkJoiners: true, useSTD3ASCIIRules: true, verifyDNSLength: true };
const utf8 = new TextEncoder();

/**
 * A domain in its canonical form: UTS #46 processing (case folding, width and compatibility mapping, NFC, validity),
 * then the Unicode form (U-labels). "Bücher.de", "BÜCHER.DE" and "xn--bcher-kva.de" are all "bücher.de".
 */
export function normaliseDomain(raw: string): Normalised {
  const lower = raw.toLowerCase();
  // Plain LDH names without a "--" (which could be an A-label) are already canonical: skip IDNA, the common case.
  if (isPlainAscii(lower) && !lower.includes('--')) {
    return LDH_DOMAIN.test(lower) && lower.length <= 253 && !/\.\d+$/.test(lower)
      ? { ok: true, value: lower } : { ok: false, reason: `"${raw}" is not a valid domain` };
  }
  const ascii = toASCII(lower, IDNA);
  if (ascii === null || !LDH_DOMAIN.test(ascii) || /\.\d+$/.test(ascii)) return { ok: false, reason: `"${raw}" is not a valid domain (IDNA, UTS #46)` };
  const unicode = toUnicode(ascii, IDNA);
  return unicode.error ? { ok: false, reason: `"${raw}" is not a valid domain (IDNA, UTS #46)` } : { ok: true, value: unicode.domain };
}

/** `raw` has already been cleaned (invisible characters out, NFC, trimmed): see text.ts. */
export function normaliseEmail(raw: string): Normalised {
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return { ok: false, reason: `"${raw}" is not a valid email address` };
  // Lower-casing can decompose (İ → i + U+0307): NFC again so that the result is stable.
  const lower = raw.slice(0, at).toLowerCase();
  const ascii = isPlainAscii(lower);
  const local = ascii ? lower : lower.normalize('NFC');
  if (!(ascii ? ASCII_LOCAL : LOCAL).test(local)) return { ok: false, reason: `"${raw}" is not a valid email address` };
  if ((ascii ? local.length : utf8.encode(local).length) > 64) return { ok: false, reason: 'the part before @ of an email address has at most 64 bytes' };
  const domain = normaliseDomain(raw.slice(at + 1));
  if (!domain.ok) return { ok: false, reason: `"${raw}" is not a valid email address: ${domain.reason}` };
  const value = `${local}@${domain.value}`;
  if (value.length > 254) return { ok: false, reason: 'an email address has at most 254 characters' };
  return { ok: true, value };
}
