// The limits of a touchpoint, defined once: what the collector and the importer accept is what the resolver validates (pure).
import type { Touchpoint, TouchpointType } from './touchpoint.ts';

export const LIMITS = {
  /** Segment's: bytes of one call, and of one batch request, after decompression. */
  callBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  /** Bytes of a batch-level `context`, which is merged into every call of the batch. */
  batchContextBytes: 4 * 1024,
  /** Objects and arrays on the deepest path of a call, the call itself counting as the first. */
  depth: 64,
  messageIdLength: 256,
  /** Characters (UTF-16 code units, as JavaScript counts) of an identifier value as sent: the identity core's default. */
  identifierLength: 256,
  /** Characters of an externalIds type. */
  identifierTypeLength: 64,
  /** externalIds entries of one call (context.externalIds and externalIds together). */
  externalIds: 64,
  /** Keys of one free-form map: traits, properties, context.traits. */
  mapKeys: 1_000,
  /** Characters of one key of such a map. */
  keyLength: 256,
  /** Event time: from 2000-01-01 (inclusive) to 2100-01-01 (exclusive), epoch milliseconds UTC. */
  minTimestamp: Date.UTC(2000, 0, 1),
  maxTimestamp: Date.UTC(2100, 0, 1),
} as const;

/**
 * Fields a call type cannot do without, with what the client is told. An alias links previousId to userId; a
 * group names its account.
 */
export const REQUIRED_FIELDS: Readonly<Record<TouchpointType, readonly (readonly ['event' | 'previousId' | 'userId' | 'groupId', string])[]>> = {
  identify: [],
  track: [['event', 'an event name']],
  page: [],
  screen: [],
  alias: [['previousId', 'the previousId it links to userId'], ['userId', 'a userId']],
  group: [['groupId', 'a groupId']],
};

// A UTF-16 surrogate not paired with its other half: no Unicode character, so it cannot be written as UTF-8 (Avro).
const LONE_SURROGATE = /\p{Cs}/u;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/** Lone surrogates replaced by U+FFFD, as UTF-8 encoding would do anyway; done here so it is visible, not silent. */
export const wellFormed = (s: string): string => (LONE_SURROGATE.test(s) ? s.replace(/\p{Cs}/gu, '\uFFFD') : s);

export const present = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** Why a messageId cannot be used as the dedupe key, or null. */
export function messageIdProblem(id: string): string | null {
  if (id.trim() === '') return 'is empty';
  if (id.length > LIMITS.messageIdLength) return `${id.length} characters, over the ${LIMITS.messageIdLength}-character limit`;
  return null;
}

/** Why an event time (epoch ms) is out of range, or null. */
export function timestampProblem(ms: number): string | null {
  if (Number.isFinite(ms) && ms >= LIMITS.minTimestamp && ms < LIMITS.maxTimestamp) return null;
  return 'is outside 2000-01-01..2100-01-01 (epoch milliseconds expected)';
}

/**
 * Why a value cannot be an identifier, or null. Two values differing only in lone surrogates would become the same
 * identifier once written as UTF-8 (both get U+FFFD), so they are refused rather than merged.
 */
export function identifierProblem(value: string, max: number = LIMITS.identifierLength): string | null {
  if (value.length > max) return `${value.length} characters, over the ${max}-character limit for an identifier`;
  if (hasLoneSurrogate(value)) return 'contains a lone UTF-16 surrogate (not Unicode text): identifiers must be valid text';
  return null;
}

/** An externalIds type also keys the identity core's rules: no control characters (NUL separates type and value there). */
export function identifierTypeProblem(type: string): string | null {
  if (CONTROL.test(type)) return 'contains a control character';
  return identifierProblem(type, LIMITS.identifierTypeLength);
}

/**
 * Why a key cannot be a key of traits/properties, or null. `__proto__` is refused because the stages that decode the
 * touchpoint build these maps as plain objects, where that key would set the prototype instead of adding a key.
 */
export function mapKeyProblem(key: string): string | null {
  if (key === '__proto__') return 'key "__proto__" is not allowed: it names the prototype of a JavaScript object; rename it';
  if (key.length > LIMITS.keyLength) return `key of ${key.length} characters, over the ${LIMITS.keyLength}-character limit`;
  if (hasLoneSurrogate(key)) return 'key contains a lone UTF-16 surrogate (not Unicode text)';
  return null;
}

/** userId, anonymousId, previousId, traits email/phone, device ids, externalIds: what the identity core links. */
export function hasIdentifier(t: Pick<Touchpoint, 'userId' | 'anonymousId' | 'previousId' | 'traits' | 'context' | 'externalIds'>): boolean {
  const d = t.context?.device;
  return [t.userId, t.anonymousId, t.previousId, t.traits.email, t.traits.phone, t.context?.traits.email, t.context?.traits.phone, d?.id, d?.advertisingId]
    .some(present) || t.externalIds.some((x) => present(x.id));
}

/** "a track call", "an alias call": for messages. */
export const callName = (type: TouchpointType): string => `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} call`;

/** Required fields of the touchpoint's type that are missing or blank, with what each is for. */
export function missingFields(t: Pick<Touchpoint, 'type' | 'event' | 'previousId' | 'userId' | 'groupId'>): (readonly [string, string])[] {
  return REQUIRED_FIELDS[t.type].filter(([field]) => !present(t[field]));
}
