import { beforeEach, describe, expect, it } from 'vitest';
import { defaultIdentityConfig } from '../identity/index.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { context, ident, touchpoint } from '../../test/support/builders.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import type { WriterInput } from './decode.ts';
import { touchpointRows } from './event-rows.ts';
import { profileRows } from './rows.ts';
import { writerProcessor } from './processor.ts';

const at = { topic: 't.in', partition: 1, offset: '7' };
const record = (value: WriterInput, offset = '7'): InputRecord<WriterInput> => ({ ...at, offset, key: null, value });
const processor = writerProcessor({ identity: defaultIdentityConfig });
const valid = touchpoint({ messageId: 'p-1', anonymousId: 'c-1' });
const profile = { profileId: 'P', state: 'active' as const, mergedInto: null, identifiers: [], firstSeen: 0, lastSeen: 0, version: 3 };

describe('writerProcessor', () => {
  it.each<[string, WriterInput, string]>([
    ['a valid touchpoint → its events row', { kind: 'touchpoints', value: valid }, 'rows'],
    ['an unreadable touchpoint → counted by its code, no row', { kind: 'unreadable-touchpoint', code: 'TSR_DLQ_WIRE_FORMAT', reason: 'bad bytes' }, 'skipped TSR_DLQ_WIRE_FORMAT'],
    ['an invalid touchpoint → counted, no row (the extract stage dead-letters it)', { kind: 'touchpoints', value: touchpoint({ type: 'track', event: null }) }, 'skipped TSR_DLQ_INVALID'],
    ['a profile record → its rows', { kind: 'profiles', key: 'P', version: '3', value: profile }, 'rows'],
    ['a profile tombstone with its version → a deleted row', { kind: 'profiles', key: 'P', version: '4', value: null }, 'rows'],
    ['a tombstone without its version header → DLQ', { kind: 'claims', key: 'c', version: null, value: null }, 'dlq TSR_DLQ_INVALID_RECORD'],
  ])('%s', (_name, input, expected) => {
    const out = processor.process({}, [record(input)]);
    const got = out.deadLetters.length ? `dlq ${out.deadLetters[0]!.code}` : 'skipped' in out.outputs[0]! ? `skipped ${out.outputs[0]!.skipped}` : 'rows';
    expect(got).toBe(expected);
    expect(out.outputs.length + out.deadLetters.length).toBe(1);
    if (out.deadLetters.length) expect(out.deadLetters[0]!.source).toMatchObject(at);
  });

  it('gives the rows the pure mappers give, with the record\'s own source position', () => {
    const out = processor.process({}, [record({ kind: 'touchpoints', value: valid }, '9'), record({ kind: 'profiles', key: 'P', version: '3', value: profile }, '10')]);
    const pos = (offset: string) => ({ ...at, offset });
    const tp = touchpointRows(valid, defaultIdentityConfig, pos('9'));
    const pr = profileRows('P', profile, '3', pos('10'));
    expect(out.outputs).toEqual([{ rows: tp.ok ? tp.rows : null }, { rows: pr.ok ? pr.rows : null }]);
  });

  describe('with a suppression list in its context (docs/privacy.md)', () => {
    // A fresh list per test: each test erases what it needs.
    let list = new SuppressionList(Buffer.alloc(32, 5));
    let suppressing = writerProcessor({ identity: defaultIdentityConfig, suppression: list });
    beforeEach(() => {
      list = new SuppressionList(Buffer.alloc(32, 5));
      suppressing = writerProcessor({ identity: defaultIdentityConfig, suppression: list });
    });
    const erase = (id: string) => list.add({ hash: list.hashOf(ident(id)), identifierType: ident(id).type, requestId: 'r', requestedBy: 'o', requestedAt: 0, claimsDropped: 1, profilesChanged: 1 });
    const ana = touchpoint({ messageId: 'p-ana', anonymousId: 'c-ana', context: context({ traits: { email: 'ana@shop.example' } }) });
    const linked = (id: string) => ({ ...ident(id), messageId: 'p-ana', eventTime: 0 });
    const anaProfile = { ...profile, identifiers: [linked('anonymous_id:c-ana'), linked('email:ana@shop.example')] };
    const rowsOut = (input: WriterInput) => {
      const out = suppressing.process({}, [record(input)]);
      return 'rows' in out.outputs[0]! ? out.outputs[0]!.rows : null;
    };

    it('follows the list as it grows: what is erased between two batches is left out of the second', () => {
      expect(rowsOut({ kind: 'touchpoints', value: ana })).toEqual(touchpointRows(ana, defaultIdentityConfig, at).ok ? (touchpointRows(ana, defaultIdentityConfig, at) as { rows: unknown }).rows : null);
      erase('email:ana@shop.example');
      const events = rowsOut({ kind: 'touchpoints', value: ana })!.events!;
      expect(events[0]!.identifiers).toEqual(['anonymous_id:c-ana']);
      expect(JSON.stringify(events)).not.toContain('ana@shop.example');
    });

    it('an event attributable only to erased identifiers gives no row; the link stage\'s rows lose them', () => {
      erase('email:ana@shop.example');
      erase('anonymous_id:c-ana');
      expect(rowsOut({ kind: 'touchpoints', value: ana })).toEqual({});
      const profileRowsOut = rowsOut({ kind: 'profiles', key: 'P', version: '3', value: anaProfile })!;
      expect(JSON.stringify(profileRowsOut)).not.toMatch(/ana@shop\.example|c-ana/);
      // The link stage tombstones an identifier only when it is erased: no row would put its raw key back.
      expect(rowsOut({ kind: 'identifiers', key: 'email:ana@shop.example', version: '5', value: null })).toEqual({});
      expect(processor.process({}, [record({ kind: 'identifiers', key: 'email:ana@shop.example', version: '5', value: null })]).outputs).not.toEqual([{ rows: {} }]);
    });
  });
});
