import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { avroType } from './avro.ts';
import type { ResolvedEvent } from './records.ts';
import { AvroCodec } from './registry.ts';
import { spliceResolved } from './splice.ts';

const codec = new AvroCodec('http://127.0.0.1:1/unused');

describe('spliceResolved', () => {
  it.each([
    ['a bare track call', touchpoint({ anonymousId: 'c1' }), null],
    ['a rich identify', touchpoint({ type: 'identify', userId: 'u1', traits: { email: 'a@b.io', n: 1.5, ok: true, none: null }, context: context({ device: device({ id: 'd' }), locale: 'de-DE' }), externalIds: [{ type: 'crm_id', id: '9', collection: null }] }), 'p_1'],
  ])('gives the same bytes as encoding the whole record: %s', (_name, t, profileId) => {
    const resolved: ResolvedEvent = {
      touchpoint: t, profileId, primaryIdentifier: profileId ? { type: 'user_id', value: 'u1' } : null,
      identifiers: [{ type: 'anonymous_id', value: 'c1' }], dropped: [{ type: 'email', code: 'BLOCKED', reason: 'placeholder' }],
      refusals: [{ identifier: { type: 'user_id', value: 'u2' }, code: 'LIMIT_EXCEEDED', reason: 'limit', profileId: 'p_0' }], resolvedAt: 123,
    };
    const body = avroType('touchpoint').toBuffer(t);
    const { touchpoint: _t, ...rest } = resolved;
    expect(spliceResolved(42, body, rest).equals(codec.encode('resolved-event', 42, resolved))).toBe(true);
  });
});
