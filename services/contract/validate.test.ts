import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { validateTouchpoint } from './validate.ts';

describe('validateTouchpoint', () => {
  it.each([
    ['anonymous track', touchpoint({ anonymousId: 'c1' })],
    ['identify by email only', touchpoint({ type: 'identify', event: null, traits: { email: 'a@b.io' } })],
    ['device id only', touchpoint({ context: context({ device: device({ id: 'd1' }) }) })],
    ['external id only', touchpoint({ externalIds: [{ type: 'crm_id', id: '42', collection: null }] })],
    ['alias', touchpoint({ type: 'alias', event: null, previousId: 'c1', userId: 'u1' })],
  ])('accepts %s', (_name, t) => expect(validateTouchpoint(t)).toEqual({ ok: true }));

  it.each([
    ['no identifier', touchpoint({}), 'no identifier'],
    ['blank ids', touchpoint({ userId: '  ', anonymousId: '' }), 'no identifier'],
    ['empty messageId', touchpoint({ messageId: ' ', anonymousId: 'c' }), 'messageId is empty'],
    ['seconds instead of ms', touchpoint({ anonymousId: 'c', timestamp: 1_767_225_600 }), 'outside 2000-01-01'],
    ['track without event', touchpoint({ anonymousId: 'c', event: null }), 'event name'],
    ['alias without previousId', touchpoint({ type: 'alias', event: null, userId: 'u' }), 'previousId'],
    ['group without groupId', touchpoint({ type: 'group', event: null, userId: 'u' }), 'groupId'],
    ['a messageId over 256 characters', touchpoint({ anonymousId: 'c', messageId: 'm'.repeat(257) }), 'messageId 257 characters, over the 256-character limit'],
    ['the first millisecond of 2100', touchpoint({ anonymousId: 'c', timestamp: Date.UTC(2100, 0, 1) }), 'outside 2000-01-01..2100-01-01'],
  ])('rejects %s', (_name, t, message) => {
    const v = validateTouchpoint(t);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.code).toBe('TSR_DLQ_INVALID');
      expect(v.reason).toContain(message);
    }
  });
});
