// Builders of Segment-spec calls as SDKs send them: segmentCall({ type: 'identify', traits: {...} }).
let seq = 0;

export type SegmentCall = Record<string, unknown>;

/** A valid track call as analytics.js sends it; every field can be overridden or removed (set to undefined). */
export function segmentCall(overrides: SegmentCall = {}): SegmentCall {
  seq += 1;
  const call: SegmentCall = {
    type: 'track',
    event: 'Order Completed',
    messageId: `msg-${seq}`,
    anonymousId: `anon-${seq}`,
    timestamp: '2026-03-01T12:00:00.000Z',
    context: { library: { name: 'analytics.js', version: '5.0.0' } },
    properties: { revenue: 12.5, currency: 'EUR' },
    ...overrides,
  };
  for (const k of Object.keys(call)) if (call[k] === undefined) delete call[k];
  return call;
}
