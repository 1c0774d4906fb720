// Extract the typed identifiers of a touchpoint from every source docs/identity.md lists, normalised and deduplicated.
import { grants } from '../contract/consent.ts';
import type { Scalar, Scalars, Touchpoint } from '../contract/touchpoint.ts';
import { normaliseIdentifier, normaliseType } from './normalise.ts';
import { phoneRegion } from './phone.ts';
import type { IdentityConfig } from './rules.ts';
import type { DroppedIdentifier, Extraction, Identifier } from './types.ts';

function text(v: Scalar | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

/** A trait the client sent itself: an own property, never one inherited through a prototype the payload set. */
const own = (o: Scalars | undefined, key: 'email' | 'phone'): Scalar | undefined => (o !== undefined && Object.hasOwn(o, key) ? o[key] : undefined);

/** Raw (type, value) pairs in source order; nulls are absent, not dropped. */
function rawIdentifiers(tp: Touchpoint, config: IdentityConfig, dropped: DroppedIdentifier[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (type: string, v: Scalar | undefined): void => {
    const t = text(v);
    if (t !== null) out.push([type, t]);
  };
  add('user_id', tp.userId);
  add('anonymous_id', tp.anonymousId);
  // Segment's alias renames previousId (most often the anonymousId used before login) to userId.
  if (tp.type === 'alias') add(config.previousIdType, tp.previousId);
  add('email', own(tp.traits, 'email'));
  add('email', own(tp.context?.traits, 'email'));
  add('phone', own(tp.traits, 'phone'));
  add('phone', own(tp.context?.traits, 'phone'));
  add('device_id', tp.context?.device?.id);
  add('advertising_id', tp.context?.device?.advertisingId);
  for (const e of tp.externalIds) {
    const type = normaliseType(e.type);
    if (type.ok) out.push([type.value, e.id]);
    else dropped.push({ type: e.type.length > 64 ? `${e.type.slice(0, 64)}…` : e.type, raw: e.id.length > 64 ? `${e.id.slice(0, 64)}…` : e.id, code: 'INVALID', reason: type.reason });
  }
  return out;
}

/**
 * The identifiers that may link, the values dropped (with a code and a reason each) and, among those, the valid
 * values a blocklist stopped (normalised, kept in the event's claim so that un-blocking them later links them).
 */
export function extractIdentifiers(tp: Touchpoint, config: IdentityConfig): Extraction {
  const identifiers: Identifier[] = [];
  const dropped: DroppedIdentifier[] = [];
  const blocked: Identifier[] = [];
  const seen = new Set<string>();
  // A CRM export or a support desk writes phones in the customer's national format: read them in the
  // event's country when it has one.
  const hint = { phoneRegion: phoneRegion(tp.context?.location?.country, config.defaultRegion) };
  for (const [type, raw] of rawIdentifiers(tp, config, dropped)) {
    const purpose = config.consentGated.get(type);
    if (purpose !== undefined && !grants(tp.consent, purpose)) {
      // Not linked, not kept in the claim, and its value is not carried further (not even in the drop record).
      dropped.push({ type, raw: '', code: 'NO_CONSENT', reason: `the touchpoint grants no ${purpose} consent` });
      continue;
    }
    const n = normaliseIdentifier(type, raw, config, hint);
    const id = n.ok ? n.identifier : n.blocked;
    if (!n.ok) dropped.push(n.dropped);
    if (id === undefined) continue;
    const key = `${type}\u0000${id.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (n.ok ? identifiers : blocked).push(id);
  }
  return { identifiers, dropped, blocked };
}
