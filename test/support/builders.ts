// Test fixture builders: touchpoint({ userId: 'u1' }) gives a complete, valid touchpoint.
import type { Context, Device, Touchpoint } from '../../services/contract/touchpoint.ts';

let seq = 0;

export function device(overrides: Partial<Device> = {}): Device {
  return { id: null, advertisingId: null, type: null, model: null, manufacturer: null, ...overrides };
}

export function context(overrides: Partial<Context> = {}): Context {
  return {
    ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null,
    device: null, os: null, app: null, location: null, traits: {}, ...overrides,
  };
}

/** A valid track touchpoint; every field can be overridden. messageIds are m-1, m-2, … unless given. */
export function touchpoint(overrides: Partial<Touchpoint> = {}): Touchpoint {
  seq += 1;
  return {
    messageId: `m-${seq}`,
    type: 'track',
    event: 'Page Viewed',
    name: null,
    userId: null,
    anonymousId: null,
    previousId: null,
    groupId: null,
    timestamp: Date.UTC(2026, 0, 1) + seq * 1000,
    sentAt: null,
    receivedAt: null,
    source: 'web',
    context: null,
    traits: {},
    properties: {},
    externalIds: [],
    ...overrides,
  };
}

// Identity-core fixtures: ident('user_id:u1') and claim('m1', 1000, 'user_id:u1', 'anonymous_id:a1').
export interface IdentFixture { type: string; value: string }

export function ident(spec: string): IdentFixture {
  const i = spec.indexOf(':');
  return { type: spec.slice(0, i), value: spec.slice(i + 1) };
}

export function claim(messageId: string, eventTime: number, ...ids: string[]): { messageId: string; eventTime: number; identifiers: IdentFixture[] } {
  return { messageId, eventTime, identifiers: ids.map(ident) };
}
