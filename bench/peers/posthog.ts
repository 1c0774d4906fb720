// PostHog's person merging as a reference resolver: Segment-shaped touchpoints mapped the way PostHog's own Segment
// destination maps them, then persons created and merged the way PostHog's ingestion does, in arrival order.
// Sources (read at the commits cited in bench/README.md, "Peers"):
//   PostHog/posthog-segment index.js — the mapping (distinct_id, $identify, $anon_distinct_id, $create_alias);
//   PostHog/posthog nodejs/src/common/persons/person-utils.ts — isDistinctIdIllegal and its lists;
//   PostHog/posthog nodejs/src/ingestion/common/persons/person-merge-service.ts and person-merge-postgres.ts — merge().
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import type { Assignment, Resolver } from './resolver.ts';
import { UnionFind } from './union-find.ts';

/** What PostHog receives for one touchpoint. */
export type PostHogEvent =
  | { kind: 'capture'; distinctId: string }
  /** `$identify` with `$anon_distinct_id`, or `$create_alias` with `alias`: merge `other` into `distinctId`'s person. */
  | { kind: 'merge'; event: '$identify' | '$create_alias'; distinctId: string; other: string };

/**
 * The mapping of PostHog's Segment destination: distinct_id = userId || anonymousId; an identify with a userId is an
 * `$identify` carrying `$anon_distinct_id` = anonymousId; an alias is `$create_alias` with alias = previousId. An event
 * with neither id has no distinct_id and is refused by PostHog's capture (null here).
 */
export function toPostHog(t: Touchpoint): PostHogEvent | null {
  const distinctId = t.userId || t.anonymousId;
  if (!distinctId) return null;
  if (t.type === 'identify' && t.userId && t.anonymousId) return { kind: 'merge', event: '$identify', distinctId: t.userId, other: t.anonymousId };
  if (t.type === 'alias' && t.userId && t.previousId) return { kind: 'merge', event: '$create_alias', distinctId: t.userId, other: t.previousId };
  return { kind: 'capture', distinctId };
}

// PostHog's lists, as in person-utils.ts: some ids are illegal in any case, others only as written.
const BARE_CASE_INSENSITIVE = ['anonymous', 'guest', 'distinctid', 'distinct_id', 'id', 'not_authenticated', 'email', 'undefined', 'true', 'false'];
const BARE_CASE_SENSITIVE = ['[object Object]', 'NaN', 'None', 'none', 'null', '0', 'undefined'];
const quoted = (ids: string[]) => [...ids, ...ids.map((id) => `'${id}'`), ...ids.map((id) => `"${id}"`)];
const CASE_INSENSITIVE = new Set(quoted(BARE_CASE_INSENSITIVE));
const CASE_SENSITIVE = new Set(quoted(BARE_CASE_SENSITIVE));

/** PostHog refuses to merge with these distinct ids (ingestion warning cannot_merge_with_illegal_distinct_id). */
export function isDistinctIdIllegal(id: string): boolean {
  return id.trim() === '' || CASE_INSENSITIVE.has(id.toLowerCase()) || CASE_SENSITIVE.has(id);
}

/** Why a merge did not happen; a merge that happened, or had nothing to do, is `null`. */
export type MergeRefusal = 'illegal_distinct_id' | 'already_identified';

/** Persons and their distinct ids, mutated one event at a time exactly in the order events arrive. */
export class PostHogPersons {
  private readonly persons = new UnionFind(); // over distinct ids: a set is a person
  private readonly identified = new Set<string>(); // roots of identified persons

  /** Applies one event; returns why a requested merge was refused, if it was. */
  apply(e: PostHogEvent): MergeRefusal | null {
    let refusal: MergeRefusal | null = null;
    if (e.kind === 'merge') refusal = this.merge(e.other, e.distinctId);
    // Every processed event then finds or creates the person of its own distinct_id (createOrGetPerson).
    this.persons.add(e.distinctId);
    return refusal;
  }

  /** merge(otherPersonDistinctId, mergeIntoDistinctId) of PersonMergeService and PostgresPersonMerge.mergeSingle. */
  private merge(other: string, into: string): MergeRefusal | null {
    if (other === into) return null;
    if (isDistinctIdIllegal(into) || isDistinctIdIllegal(other)) return 'illegal_distinct_id';
    // From here on the person the event lands on is marked identified (updateIsIdentified), whatever happens next.
    const otherExists = this.persons.has(other);
    const intoExists = this.persons.has(into);
    if (!otherExists && !intoExists) {
      // Neither exists: one new identified person with both distinct ids.
      this.persons.add(into);
      this.persons.add(other);
      this.identified.add(this.persons.union(into, other));
      return null;
    }
    if (otherExists !== intoExists) {
      // One exists: the other distinct id is added to it, with no check at all (a shared computer's cookie that is
      // already on someone's identified person takes the next user's id with it).
      const existing = otherExists ? other : into;
      const added = otherExists ? into : other;
      this.persons.add(added);
      const root = this.persons.union(existing, added);
      this.identified.add(root);
      return null;
    }
    const target = this.persons.find(into);
    const source = this.persons.find(other);
    if (target === source) { this.identified.add(target); return null; }
    // Both exist: $identify and $create_alias never merge an identified person away (only $merge_dangerously does).
    if (this.identified.has(source)) { this.identified.add(target); return 'already_identified'; }
    this.identified.delete(source);
    this.identified.add(this.persons.union(target, source));
    return null;
  }

  /** The person a distinct id resolves to now (PostHog reads events through the distinct id → person mapping). */
  personOf(distinctId: string): string {
    return this.persons.find(distinctId);
  }

  isIdentified(distinctId: string): boolean {
    return this.persons.has(distinctId) && this.identified.has(this.persons.find(distinctId));
  }
}

export function posthog(): Resolver {
  return {
    name: 'posthog',
    about: 'PostHog person merging: distinct ids only ($identify/$anon_distinct_id, $create_alias), already-identified guard, illegal ids; arrival order',
    resolve(touchpoints: readonly Touchpoint[]): Assignment {
      const persons = new PostHogPersons();
      const distinct: [string, string | null][] = [];
      for (const t of touchpoints) {
        const e = toPostHog(t);
        if (e) persons.apply(e);
        distinct.push([t.messageId, e?.distinctId ?? null]);
      }
      return new Map(distinct.map(([m, d]) => [m, d === null ? null : `ph:${persons.personOf(d)}`]));
    },
  };
}
