// What a request looks up: `TYPE:VALUE` normalised exactly as the identity core normalises an event's identifier,
// or a profile id (pure).
import { normaliseIdentifier, type IdentityConfig, type Identifier } from '../identity/index.ts';
import { normaliseType } from '../identity/normalise.ts';

export type LookupKey =
  | { ok: true; kind: 'identifier'; identifier: Identifier; key: string }
  | { ok: true; kind: 'profile'; profileId: string }
  | { ok: false; code: 'TSR_API_BAD_IDENTIFIER' | 'TSR_API_BAD_TYPE' | 'TSR_API_INVALID_IDENTIFIER'; message: string };

/** The compacted identifier table's key of an identifier. */
export const identifierKey = (id: Identifier): string => `${id.type}:${id.value}`;

/**
 * Parses a path segment (already percent-decoded). With a colon it is TYPE:VALUE, read as the core reads an event's
 * identifier and its own look-ups (IdentityGraph.normalise): the type cleaned and lower-cased as for externalIds
 * types, the value normalised with the same rules (emails, E.164 phones in the configured default region, trimmed
 * ids), so `email:Ada@Acme.io ` finds `email:ada@acme.io`.
 * Without a colon it is a profile id.
 */
export function parseLookupKey(segment: string, config: IdentityConfig): LookupKey {
  const i = segment.indexOf(':');
  if (i < 0) {
    const id = segment.trim();
    if (id === '' || id.length > 256) return { ok: false, code: 'TSR_API_BAD_IDENTIFIER', message: 'expected TYPE:VALUE (e.g. email:ada@acme.io) or a profile id (e.g. p_3f2a…)' };
    return { ok: true, kind: 'profile', profileId: id };
  }
  const t = normaliseType(segment.slice(0, i));
  const raw = segment.slice(i + 1);
  if (!t.ok) {
    return { ok: false, code: 'TSR_API_BAD_TYPE', message: `identifier type ${JSON.stringify(segment.slice(0, Math.min(i, 64)))}: ${t.reason}; use user_id, anonymous_id, email, phone, device_id, advertising_id or an externalIds type such as crm_id` };
  }
  const type = t.value;
  if (raw.trim() === '') return { ok: false, code: 'TSR_API_BAD_IDENTIFIER', message: `no value after "${type}:"` };
  const n = normaliseIdentifier(type, raw, config);
  if (!n.ok) {
    // A blocked value is a value claims keep but never link (until the rules un-block it): no profile holds it.
    const why = n.dropped.code === 'BLOCKED' ? 'is blocked by the identity rules and links to no profile' : 'is not an identifier the core would link';
    return { ok: false, code: 'TSR_API_INVALID_IDENTIFIER', message: `${type}:${n.dropped.raw.slice(0, 64)} ${why} (${n.dropped.code}): ${n.dropped.reason}` };
  }
  return { ok: true, kind: 'identifier', identifier: n.identifier, key: identifierKey(n.identifier) };
}
