// Who a privacy request is about: `TYPE:VALUE` as typed, read exactly as the identity core reads an event's identifier.
import { normaliseIdentifier, normaliseType } from '../identity/normalise.ts';
import type { Identifier, IdentityConfig } from '../identity/index.ts';
import type { PrivacyRequestRecord } from '../kit/records.ts';

export type SubjectCode = 'TSR_PRIVACY_BAD_REQUEST' | 'TSR_PRIVACY_INVALID_IDENTIFIER';

export type Subject =
  | { ok: true; identifier: Identifier }
  | { ok: false; code: SubjectCode; reason: string };

/** Longest `TYPE:VALUE` accepted before any work: a request is one identifier, not a document. */
const MAX_TEXT = 4_096;

/** `email:ana@acme.io` → its parts as typed; the value may itself hold colons (`external:crm:42` is type external). */
export function parseSubject(text: string): { ok: true; type: string; value: string } | { ok: false; code: 'TSR_PRIVACY_BAD_REQUEST'; reason: string } {
  if (text.length > MAX_TEXT) return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: `longer than ${MAX_TEXT} characters` };
  const at = text.indexOf(':');
  if (at <= 0) return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: 'expected TYPE:VALUE, e.g. email:ana@acme.io' };
  const type = text.slice(0, at), value = text.slice(at + 1);
  if (value.trim() === '') return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: `no value after "${type.slice(0, 64)}:"` };
  return { ok: true, type, value };
}

/**
 * The identifier a request names, normalised as extraction normalises an event's ("  ANA@Acme.io " is
 * ana@acme.io); a blocked value is still an identifier claims may hold, so it can be erased too.
 */
export function normaliseSubject(type: string, value: string, config: IdentityConfig): Subject {
  const t = normaliseType(type);
  if (!t.ok) return { ok: false, code: 'TSR_PRIVACY_INVALID_IDENTIFIER', reason: `the type: ${t.reason}` };
  const n = normaliseIdentifier(t.value, value, config);
  if (n.ok) return { ok: true, identifier: n.identifier };
  if (n.blocked !== undefined) return { ok: true, identifier: n.blocked };
  return { ok: false, code: 'TSR_PRIVACY_INVALID_IDENTIFIER', reason: `not a valid ${t.value}: ${n.dropped.reason}` };
}

/**
 * A request record as it came off the topic: whole, of a known kind, about an identifier `normalise` accepts (the
 * link stage passes its graph's normalisation, the command line normaliseSubject with the same rules).
 */
export function validateRequest(r: PrivacyRequestRecord, normalise: (type: string, value: string) => Subject): Subject {
  if (r.requestId.trim() === '' || r.requestId.length > 200) return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: 'a request needs a request id of 1 to 200 characters' };
  if (r.kind !== 'erase' && r.kind !== 'export') return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: `unknown kind ${JSON.stringify(String(r.kind)).slice(0, 40)}` };
  if (r.requestedBy.trim() === '') return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: 'a request needs requestedBy (who asked), for the audit' };
  if (r.identifierValue.trim() === '') return { ok: false, code: 'TSR_PRIVACY_BAD_REQUEST', reason: 'the identifier value is empty' };
  return normalise(r.identifierType, r.identifierValue);
}
