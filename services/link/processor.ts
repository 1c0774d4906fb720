// The link stage's pure processor: claims in; the identity graph applies each, and what changed goes out as
// profiles, merges and moves, the changelog, the identifier table and the claim table.
import { claimKey, type IdentityGraph } from '../identity/index.ts';
import type { ClaimRecord } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { DeadLetterNote, Outcome, Processor } from '../kit/stage/types.ts';
import { LinkOutputs, type LinkTopics } from './outputs.ts';
import type { VersionClock } from './version-clock.ts';

export interface LinkState { graph: IdentityGraph; versions: VersionClock }

/** The tally names (→ tessera_link_<name>_total) and what they count. */
export const LINK_TALLY = {
  claimsIn: 'Claims consumed',
  claimsChanged: 'Claims that changed the graph (new identifier sets, or known ones seen with an earlier event)',
  merges: 'Profile merges',
  moves: 'Identifiers moved between profiles (or unlinked) by a re-resolve',
  refusals: 'Identifiers of a claim left unlinked (limit or hub)',
};

export function linkProcessor(topics: LinkTopics): Processor<LinkState, ClaimRecord, KafkaOut> {
  return {
    process(state, records): Outcome<KafkaOut> {
      const out = new LinkOutputs(topics, () => state.versions.next());
      const tally: Record<keyof typeof LINK_TALLY, number> = { claimsIn: 0, claimsChanged: 0, merges: 0, moves: 0, refusals: 0 };
      const deadLetters: DeadLetterNote[] = [];
      for (const r of records) {
        tally.claimsIn += 1;
        const claim = r.value;
        const blocked = claim.blocked ?? [];
        if (claim.identifiers.length === 0 && blocked.length === 0) {
          deadLetters.push({ source: r, code: 'TSR_DLQ_INVALID_CLAIM', reason: 'a claim needs at least one identifier' });
          continue;
        }
        // The key is what compaction keeps a claim by: a record filed under another key would shadow a real claim.
        const key = r.key?.toString('utf8') ?? '';
        const expected = claimKey(claim.identifiers, blocked);
        if (key !== expected) {
          deadLetters.push({ source: r, code: 'TSR_DLQ_INVALID_CLAIM', reason: `the record key "${key.slice(0, 64)}" is not the claim key of its identifiers (${expected})` });
          continue;
        }
        const step = state.graph.apply(blocked.length ? claim : { messageId: claim.messageId, eventTime: claim.eventTime, identifiers: claim.identifiers });
        if (step.changelog.length > 0) tally.claimsChanged += 1;
        tally.merges += step.merges.length;
        tally.moves += step.moves.length;
        tally.refusals += step.refusals.length;
        out.addStep(step);
      }
      return { outputs: out.records(), deadLetters, tally };
    },
  };
}
