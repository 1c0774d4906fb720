import { describe, expect, it } from 'vitest';
import { touchpoint } from '../../test/support/builders.ts';
import type { StepResult } from '../identity/index.ts';
import { OutputBatch } from './outputs.ts';

const step = (over: Partial<StepResult>): StepResult => ({
  profileId: 'p1', primaryIdentifier: { type: 'user_id', value: 'u1' }, links: [], merges: [], refusals: [], moves: [], profiles: [], changelog: [], ...over,
});
const snapshot = (profileId: string, values: string[]) => ({
  kind: 'upsert' as const,
  profile: { profileId, firstSeen: 1, lastSeen: 2, identifiers: values.map((v) => ({ identifier: { type: 'anonymous_id', value: v }, profileId, messageId: 'm', eventTime: 1 })) },
});

describe('OutputBatch', () => {
  it('keeps only the last record per key on compacted topics, and every event and change', () => {
    let v = 0;
    const out = new OutputBatch(() => ++v);
    const t = touchpoint({ anonymousId: 'c1' });
    const extraction = { identifiers: [{ type: 'anonymous_id', value: 'c1' }], dropped: [] };
    out.addEvent(t, extraction, step({ profiles: [snapshot('p1', ['c1'])], changelog: [{ key: 'k1', value: { messageId: 'm1', eventTime: 1, identifiers: [] } }] }), 5);
    out.addEvent(t, extraction, step({ profiles: [snapshot('p1', ['c1', 'c2'])], changelog: [{ key: 'k1', value: null }] }), 5);
    out.addStep(step({ merges: [{ from: 'p2', into: 'p1', messageId: 'm2', eventTime: 3 }], profiles: [{ kind: 'merged', profileId: 'p2', into: 'p1' }, { kind: 'deleted', profileId: 'p3' }] }));

    expect(out.resolved).toHaveLength(2);
    const profiles = out.profileRecords();
    expect(profiles.map((p) => [p.key, p.value?.state ?? null])).toEqual([['p1', 'active'], ['p2', 'merged'], ['p3', null]]);
    expect(profiles[0]!.value!.identifiers.map((i) => i.value)).toEqual(['c1', 'c2']);
    expect(profiles[1]!.value!.mergedInto).toBe('p1');
    expect(out.claimRecords()).toEqual([{ key: 'k1', version: 0, value: null }]);
    const changes = out.changeRecords();
    expect(changes.map((c) => [c.key, c.value!.kind, c.value!.intoProfileId])).toEqual([['p2', 'merge', 'p1']]);
    expect(changes[0]!.value!.version).toBe(changes[0]!.version);
    expect(out.counts.merges).toBe(1);
  });

  it('lists only the identifiers that were linked, not the refused ones', () => {
    const out = new OutputBatch(() => 1);
    const extraction = { identifiers: [{ type: 'user_id', value: 'u2' }, { type: 'anonymous_id', value: 'c1' }], dropped: [{ type: 'email', raw: 'x', code: 'INVALID' as const, reason: 'no @' }] };
    out.addEvent(touchpoint({ userId: 'u2', anonymousId: 'c1' }), extraction, step({
      refusals: [{ identifier: { type: 'anonymous_id', value: 'c1' }, code: 'LIMIT_EXCEEDED', reason: 'user_id limit 1', messageId: 'm', eventTime: 1, profileId: 'p0' }],
    }), 9);
    const r = out.resolved[0]!.value!;
    expect(r.identifiers).toEqual([{ type: 'user_id', value: 'u2' }]);
    expect(r.refusals).toEqual([{ identifier: { type: 'anonymous_id', value: 'c1' }, code: 'LIMIT_EXCEEDED', reason: 'user_id limit 1', profileId: 'p0' }]);
    expect(r.dropped).toEqual([{ type: 'email', code: 'INVALID', reason: 'no @' }]);
  });

  it('publishes an unresolved event under its messageId', () => {
    const out = new OutputBatch(() => 1);
    const t = touchpoint({ messageId: 'lonely' });
    out.addEvent(t, { identifiers: [], dropped: [] }, step({ profileId: null, primaryIdentifier: null }), 1);
    expect(out.resolved[0]!.key).toBe('lonely');
    expect(out.resolved[0]!.value!.identifiers).toEqual([]);
    expect(out.counts.unresolved).toBe(1);
  });

  it.each([
    ['merged away', { kind: 'merged' as const, profileId: 'p2', into: 'p1' }, 'merged'],
    ['deleted', { kind: 'deleted' as const, profileId: 'p2' }, null],
  ])('a profile created and %s in one batch is published active first, so downstream learns its identifiers', (_name, end, lastState) => {
    let v = 0;
    const out = new OutputBatch(() => ++v);
    const t = touchpoint({ anonymousId: 'c2' });
    const extraction = { identifiers: [{ type: 'anonymous_id', value: 'c2' }], dropped: [] };
    out.addEvent(t, extraction, step({ profileId: 'p2', profiles: [snapshot('p2', ['c2'])] }), 5);
    out.addEvent(t, extraction, step({ profileId: 'p1', profiles: [end, snapshot('p1', ['u1', 'c2'])] }), 5);

    const records = out.profileRecords();
    const p2 = records.filter((r) => r.key === 'p2');
    expect(p2.map((r) => r.value?.state ?? null)).toEqual(['active', lastState]);
    expect(p2[0]!.value!.identifiers.map((i) => i.value)).toEqual(['c2']);
    expect(p2[0]!.version).toBeLessThan(p2[1]!.version); // the end supersedes it, on the compacted topic and in ClickHouse
    // The survivor's snapshot, which holds c2 now, is newer than p2's active one: identities keep p1 for c2.
    expect(records.find((r) => r.key === 'p1')!.version).toBeGreaterThan(p2[0]!.version);
  });

  it('publishes a profile active before and merged in this batch only as merged (its anchor went out earlier)', () => {
    const out = new OutputBatch(() => 1);
    out.addStep(step({ profiles: [{ kind: 'merged', profileId: 'p2', into: 'p1' }] }));
    expect(out.profileRecords().map((r) => [r.key, r.value?.state])).toEqual([['p2', 'merged']]);
  });
});
