// Cleaning every identifier value before it is read: invisible characters out, Unicode in one form (NFC).

/** A value after one normalisation step, or why it cannot be one. */
export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Characters that render as nothing but make two values differ: controls (NUL, tab, newline…) and Unicode's
 * default-ignorable code points (zero-width space/joiners U+200B–U+200D, BOM U+FEFF, word joiner U+2060, soft
 * hyphen U+00AD, bidi marks, variation selectors, tag characters). A pasted address or id carries them unseen.
 */
const INVISIBLE = /[\p{Cc}\p{Default_Ignorable_Code_Point}]/gu;
const LONE_SURROGATE = /\p{Cs}/u;

/** True when every character is printable ASCII: nothing to strip, NFC is the identity (the common case). */
export function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e) return false;
  }
  return true;
}

/** Strips invisible characters, normalises to NFC and trims; a lone surrogate (broken UTF-16) is refused. */
export function cleanText(raw: string): Normalised {
  if (isPlainAscii(raw)) return { ok: true, value: raw.trim() };
  if (LONE_SURROGATE.test(raw)) return { ok: false, reason: 'contains a lone surrogate (text that is not valid Unicode)' };
  return { ok: true, value: raw.replace(INVISIBLE, '').normalize('NFC').trim() };
}
