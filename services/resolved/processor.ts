// The resolved-event stage's pure processor: a stream–table join of touchpoints with the link stage's tables. A
// touchpoint whose claim is linked goes out at once with its claim's current profile; one whose claim is not linked
// yet is parked until the link stage links it, within a bound in count and age, past which it is dead-lettered.
import type { Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { claimKey, extractIdentifiers, ruleFor, type Identifier, type IdentityConfig } from '../identity/index.ts';
import type { ResolvedEvent } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { DeadLetterNote, InputRecord, Outcome, Processor } from '../kit/stage/types.ts';
import { ParkedEvents, type ParkedEvent } from './parked.ts';
import type { ClaimProfileTable } from './table.ts';

/** A touchpoint and its identifiers (strongest first, as the identity graph orders them), kept while it waits. */
export interface Joinable { touchpoint: Touchpoint; identifiers: Identifier[]; dropped: ResolvedEvent['dropped'] }

export interface ResolvedState {
  table: ClaimProfileTable;
  parked: ParkedEvents<Joinable>;
  /** Wall clock for resolvedAt and the parking age (the state's, so that the processor itself reads no clock). */
  now: () => number;
  /** The table revision the parked touchpoints were last checked against. */
  checked: number;
}

/** The tally names (→ tessera_resolved_<name>_total) and what they count. */
export const RESOLVED_TALLY = {
  published: 'Touchpoints published to events.resolved',
  joinedAtOnce: 'Touchpoints whose claim was linked when they arrived',
  parked: 'Touchpoints parked because the link stage had not linked their claim yet',
  released: 'Parked touchpoints published once their claim was linked',
  unlinked: 'Parked touchpoints dead-lettered (TSR_DLQ_UNLINKED_CLAIM): the park was full or their wait too long',
  noIdentifier: 'Valid touchpoints without any identifier, published with no profile',
  skippedInvalid: 'Touchpoints that fail validation, skipped (the extract stage dead-letters them)',
};

type Tally = Record<keyof typeof RESOLVED_TALLY, number>;
const emptyTally = (): Tally => ({ published: 0, joinedAtOnce: 0, parked: 0, released: 0, unlinked: 0, noIdentifier: 0, skippedInvalid: 0 });

export interface ResolvedOptions {
  identity: IdentityConfig;
  resolvedTopic: string;
  /** A parked touchpoint waits at most this long for its claim (ms). */
  maxParkMs: number;
}

export function resolvedProcessor(o: ResolvedOptions): Processor<ResolvedState, Touchpoint, KafkaOut> & { punctuate(state: ResolvedState): Outcome<KafkaOut> } {
  const strength = (a: Identifier, b: Identifier) => ruleFor(o.identity, a.type).priority - ruleFor(o.identity, b.type).priority
    || (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

  /**
   * The event's profile is the identity graph's rule read from the tables now: the profile of its strongest
   * identifier that sits in one (a hub or an unlinked identifier sits in none). Not the claim's primary as recorded
   * when it was linked: a later merge or move does not rewrite the claim record, but does rewrite the identifiers.
   */
  const publish = (state: ResolvedState, j: Joinable): KafkaOut => {
    let profileId: string | null = null;
    let primary: Identifier | null = null;
    for (const i of j.identifiers) {
      profileId = state.table.profileOf(`${i.type}:${i.value}`);
      if (profileId !== null) { primary = i; break; }
    }
    const value: ResolvedEvent = {
      touchpoint: j.touchpoint,
      profileId,
      primaryIdentifier: primary,
      // The event's identifiers that sit in its profile now; the others are refused or linked elsewhere.
      identifiers: profileId === null ? [] : j.identifiers.filter((i) => state.table.profileOf(`${i.type}:${i.value}`) === profileId),
      dropped: j.dropped,
      refusals: [],
      resolvedAt: state.now(),
    };
    // Keyed as the resolver keyed it: one profile's events on one partition, in order.
    return { topic: o.resolvedTopic, key: profileId ?? j.touchpoint.messageId, value };
  };

  const unlinked = (p: ParkedEvent<Joinable>, why: string): DeadLetterNote => ({
    source: p.source, code: 'TSR_DLQ_UNLINKED_CLAIM',
    reason: `the link stage had not linked claim ${p.claimKey} of touchpoint ${p.event.touchpoint.messageId} ${why}; `
      + `re-read ${p.source.topic}[${p.source.partition}]@${p.source.offset} once it has (is the link stage running?)`,
  });

  /** Publishes the parked touchpoints whose claims were linked since the last call, and ends the waits that are over. */
  const drain = (state: ResolvedState, out: KafkaOut[], deadLetters: DeadLetterNote[], tally: Tally) => {
    if (state.parked.size > 0 && state.table.revision !== state.checked) {
      state.checked = state.table.revision;
      const ready = [...state.parked.waitingClaims()].filter((k) => state.table.linked(k));
      for (const p of state.parked.release(ready)) {
        out.push(publish(state, p.event));
        tally.released += 1;
        tally.published += 1;
      }
    }
    for (const p of state.parked.expire(state.now() - o.maxParkMs)) {
      deadLetters.push(unlinked(p, `within ${o.maxParkMs} ms`));
      tally.unlinked += 1;
    }
  };

  return {
    process(state, records: readonly InputRecord<Touchpoint>[]): Outcome<KafkaOut> {
      const outputs: KafkaOut[] = [];
      const deadLetters: DeadLetterNote[] = [];
      const tally = emptyTally();
      drain(state, outputs, deadLetters, tally);
      for (const r of records) {
        const t = r.value;
        if (!validateTouchpoint(t).ok) { tally.skippedInvalid += 1; continue; }
        const x = extractIdentifiers(t, o.identity);
        const blocked = x.blocked ?? [];
        const j: Joinable = { touchpoint: t, identifiers: [...x.identifiers].sort(strength), dropped: x.dropped.map((d) => ({ type: d.type, code: d.code, reason: d.reason })) };
        if (x.identifiers.length === 0 && blocked.length === 0) {
          // No claim at all: nothing the link stage will ever link, so nothing to wait for.
          outputs.push(publish(state, j));
          tally.noIdentifier += 1;
          tally.published += 1;
          continue;
        }
        const key = claimKey(x.identifiers, blocked);
        if (state.table.linked(key)) {
          outputs.push(publish(state, j));
          tally.joinedAtOnce += 1;
          tally.published += 1;
          continue;
        }
        tally.parked += 1;
        for (const p of state.parked.park({ source: { topic: r.topic, partition: r.partition, offset: r.offset }, claimKey: key, parkedAt: state.now(), event: j })) {
          deadLetters.push(unlinked(p, `while ${state.parked.capacity} touchpoints were parked (the park is full)`));
          tally.unlinked += 1;
        }
      }
      return { outputs, deadLetters, tally };
    },

    punctuate(state): Outcome<KafkaOut> {
      const outputs: KafkaOut[] = [];
      const deadLetters: DeadLetterNote[] = [];
      const tally = emptyTally();
      drain(state, outputs, deadLetters, tally);
      return { outputs, deadLetters, tally };
    },
  };
}
