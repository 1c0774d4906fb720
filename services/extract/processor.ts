// The extract stage's pure processor: touchpoints in; for each claim this instance has not published, one record
// for the claims topic keyed by the claim key; invalid touchpoints → DLQ. A claim holds the linkable identifiers and
// the blocked values (kept so that un-blocking them by a rule change links them), as the identity core defines it.
import { CONSENT_UPDATED_EVENT } from '../contract/consent.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { claimKey, extractIdentifiers, type Identifier, type IdentityConfig } from '../identity/index.ts';
import type { ClaimRecord, ConsentRecord } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { Outcome, Processor } from '../kit/stage/types.ts';
import { stripClaim, SuppressionList } from '../privacy/suppression.ts';
import type { ClaimCache } from './cache.ts';

/** The tally names (→ tessera_extract_<name>_total) and what they count. */
export const EXTRACT_TALLY = {
  claimsPublished: 'Claims published to the claims topic (new to this instance, or seen with an earlier event)',
  earlierRepeats: 'Claims published again because an earlier event of them arrived',
  repeats: 'Touchpoints whose claim this instance had already published (nothing published)',
  noIdentifier: 'Valid touchpoints with no identifier left after normalisation, not even a blocked one (nothing published)',
  invalid: 'Touchpoints that failed validation (DLQ)',
  droppedIdentifiers: 'Identifiers dropped before linking (blocked, invalid or too long, or withheld for want of consent)',
  consentPublished: 'Consent records published to the consent topic (a claim\'s first consent, or a later one that changed)',
  consentNoSubject: 'Consent updates naming no identifier that can be linked (DLQ)',
  suppressed: 'Erased identifiers left out of claims (docs/privacy.md): their raw values are not published again',
};

type Tally = Record<keyof typeof EXTRACT_TALLY, number>;

const byTypeThenValue = (a: Identifier, b: Identifier) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
const sorted = (ids: readonly Identifier[]) => [...ids].sort(byTypeThenValue);

const consentValue = (t: Touchpoint): string => (t.consent ? `${+t.consent.advertising}${+t.consent.analytics}${+t.consent.personalisation}${JSON.stringify(t.consent.categories)}` : '');

/** `suppression`: erased identifiers, kept current by the stage (the link stage drops them too; this keeps them off the claims topic). */
export function extractProcessor(o: { identity: IdentityConfig; claimsTopic: string; consentTopic?: string; suppression?: SuppressionList }): Processor<ClaimCache, Touchpoint, KafkaOut> {
  const none = new SuppressionList(Buffer.alloc(0));
  return {
    process(cache, records): Outcome<KafkaOut> {
      const tally: Tally = { claimsPublished: 0, earlierRepeats: 0, repeats: 0, noIdentifier: 0, invalid: 0, droppedIdentifiers: 0, consentPublished: 0, consentNoSubject: 0, suppressed: 0 };
      const consent: KafkaOut[] = [];
      const deadLetters = [];
      // Only the earliest event of a claim in this batch is published.
      const news = new Map<string, KafkaOut>();
      for (const r of records) {
        const t = r.value;
        const valid = validateTouchpoint(t);
        if (!valid.ok) {
          tally.invalid += 1;
          deadLetters.push({ source: r, code: valid.code, reason: valid.reason });
          continue;
        }
        const extracted = extractIdentifiers(t, o.identity);
        tally.droppedIdentifiers += extracted.dropped.length;
        const stripped = stripClaim({ messageId: t.messageId, eventTime: t.timestamp, identifiers: extracted.identifiers, blocked: extracted.blocked ?? [] }, o.suppression ?? none);
        tally.suppressed += stripped.removed;
        const x = stripped.claim ?? { identifiers: [], blocked: [] };
        const blocked = x.blocked ?? [];
        if (x.identifiers.length === 0 && blocked.length === 0) {
          // An explicit consent update must say whose consent it is; other events without identifiers publish nothing.
          if (t.consent && t.type === 'track' && t.event === CONSENT_UPDATED_EVENT) {
            tally.consentNoSubject += 1;
            deadLetters.push({ source: r, code: 'TSR_DLQ_CONSENT_NO_SUBJECT' as const, reason: `a "${CONSENT_UPDATED_EVENT}" call whose identifiers were all dropped (${extracted.dropped.map((d) => `${d.type}: ${d.code}`).join(', ') || 'none sent'}): no profile to record the consent on` });
          } else {
            tally.noIdentifier += 1;
          }
          continue;
        }
        const key = claimKey(x.identifiers, blocked);
        if (o.consentTopic !== undefined && t.consent && cache.offerConsent(key, t.timestamp, t.messageId, consentValue(t))) {
          const value: ConsentRecord = { claimKey: key, messageId: t.messageId, eventTime: t.timestamp, advertising: t.consent.advertising,
            analytics: t.consent.analytics, personalisation: t.consent.personalisation, categories: t.consent.categories };
          consent.push({ topic: o.consentTopic, key, value });
          tally.consentPublished += 1;
        }
        const offer = cache.offer(key, t.timestamp, t.messageId);
        if (offer === 'repeat') { tally.repeats += 1; continue; }
        if (offer === 'earlier') tally.earlierRepeats += 1;
        const value: ClaimRecord = { messageId: t.messageId, eventTime: t.timestamp, identifiers: sorted(x.identifiers), blocked: sorted(blocked) };
        news.set(key, { topic: o.claimsTopic, key, value });
      }
      tally.claimsPublished = news.size;
      return { outputs: [...news.values(), ...consent], deadLetters, tally };
    },
  };
}
