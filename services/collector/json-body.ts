// Parses a request body as JSON without rounding large numbers and without recursion that deep input can overflow (pure).
import { parse as parseExact } from 'lossless-json';
import { isInexactNumber, jsonDepth } from '../contract/json-shape.ts';
import { LIMITS } from '../contract/limits.ts';

export type ParsedBody = { ok: true; value: unknown } | { ok: false; message: string };

/** A batch body wraps its calls in two levels ({"batch": [...]}), so a body of valid calls is at most this deep. */
export const MAX_EXACT_DEPTH = LIMITS.depth + 2;

/** Keeps a number whose double would not stand for its digits as the string of those digits. */
const exactNumber = (text: string): number | string => {
  const n = Number(text);
  return isInexactNumber(n) ? text : n;
};

/**
 * The body as JSON. V8's JSON.parse reads it first: it is fast, iterative (no nesting depth overflows it) and makes a
 * "__proto__" key an ordinary key. Only when that reading rounded a number (an integer beyond ±2^53, such as a
 * numeric user id, or beyond the double range) is the text read again with lossless-json, whose number hook gets
 * each number's text, so that such numbers arrive as strings of exactly the digits sent. lossless-json recurses per
 * level, so it only reads bodies known to be at most MAX_EXACT_DEPTH deep; in a deeper body (a call nested too deep
 * is refused anyway) the rounded numbers stay numbers, and the normaliser refuses each call holding one, with a reason.
 */
export function parseBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: text.trim() === '' ? 'body is empty: send a JSON object' : `body is not valid JSON: ${(err as Error).message}` };
  }
  if (!hasInexactNumber(value) || jsonDepth(value, MAX_EXACT_DEPTH) > MAX_EXACT_DEPTH) return { ok: true, value };
  try {
    // Duplicate keys: the last one wins, as with JSON.parse (lossless-json would otherwise throw).
    return { ok: true, value: parseExact(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue }) };
  } catch {
    // Not expected for a text JSON.parse accepted; the rounded numbers are then refused by the normaliser.
    return { ok: true, value };
  }
}

/** Whether any number in the value was rounded by JSON.parse; iterative. */
function hasInexactNumber(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (isInexactNumber(v)) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' || typeof x === 'number') stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' || typeof x === 'number') stack.push(x);
      }
    }
  }
  return false;
}
