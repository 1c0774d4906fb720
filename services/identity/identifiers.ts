// Extract the typed identifiers of a touchpoint from every source docs/architecture.md (identity semantics) lists, normalised and deduplicated.
import type { Scalar, Touchpoint } from '../contract/touchpoint.ts';
import { normaliseIdentifier } from './normalise.ts';
import { phoneRegion } from './phone.ts';
import type { IdentityConfig } from './rules.ts';
import type { DroppedIdentifier, Extraction, Identifier } from './types.ts';

function text(v: Scalar | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

/** Raw (type, value) pairs in source order; nulls are absent, not dropped. */
function rawIdentifiers(tp: Touchpoint, config: IdentityConfig): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (type: string, v: Scalar | undefined): void => {
    const t = text(v);
    if (t !== null) out.push([type, t]);
  };
  add('user_id', tp.userId);
  add('anonymous_id', tp.anonymousId);
  // Segment's alias renames previousId (most often the anonymousId used before login) to userId.
  if (tp.type === 'alias') add(config.previousIdType, tp.previousId);
  add('email', tp.traits.email);
  add('email', tp.context?.traits.email);
  add('phone', tp.traits.phone);
  add('phone', tp.context?.traits.phone);
  add('device_id', tp.context?.device?.id);
  add('advertising_id', tp.context?.device?.advertisingId);
  for (const e of tp.externalIds) {
    const type = e.type.trim().toLowerCase();
    if (type.length > 0) out.push([type, e.id]);
  }
  return out;
}

export function extractIdentifiers(tp: Touchpoint, config: IdentityConfig): Extraction {
  const identifiers: Identifier[] = [];
  const dropped: DroppedIdentifier[] = [];
  const seen = new Set<string>();
  // A CRM export or a support desk writes phones in the customer's national format: read them in the
  // event's country when it has one.
  const hint = { phoneRegion: phoneRegion(tp.context?.location?.country, config.defaultRegion) };
  for (const [type, raw] of rawIdentifiers(tp, config)) {
    const n = normaliseIdentifier(type, raw, config, hint);
    if (!n.ok) {
      dropped.push(n.dropped);
      continue;
    }
    const key = `${type}\u0000${n.identifier.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    identifiers.push(n.identifier);
  }
  return { identifiers, dropped };
}
