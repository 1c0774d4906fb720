import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { defaultPopulation, generate, type Generated } from './population.ts';
import { progressLine } from './progress.ts';
import { Random } from './random.ts';

const small = { ...defaultPopulation, people: 400, seed: 7 };

describe('generate', () => {
  const g = generate(small);

  it('is a function of its seed', () => {
    expect(generate(small).touchpoints).toEqual(g.touchpoints);
    expect(generate({ ...small, seed: 8 }).touchpoints).not.toEqual(g.touchpoints);
  });

  it('keeps the ground truth apart, for every touchpoint and every person', () => {
    expect(g.truth.size).toBe(g.touchpoints.length);
    expect(new Set(g.truth.values()).size).toBe(small.people);
    for (const t of g.touchpoints) expect(JSON.stringify(t)).not.toContain('person_id');
  });

  it('has unique messageIds', () => {
    expect(new Set(g.touchpoints.map((t) => t.messageId)).size).toBe(g.touchpoints.length);
  });

  it.each([
    ['web', (s: string) => s === 'web'], ['apps', (s: string) => s === 'ios' || s === 'android'],
    ['server', (s: string) => s === 'server'], ['crm', (s: string) => s === 'crm'], ['support', (s: string) => s === 'support'],
  ])('has touchpoints from %s', (_n, is) => expect(g.touchpoints.some((t) => is(t.source))).toBe(true));

  it('has the hard cases: logins after anonymous browsing, shared cookies, placeholders, invalid events', () => {
    const byCookie = new Map<string, Set<number>>();
    for (const t of g.touchpoints) {
      if (t.anonymousId && t.userId) {
        const s = byCookie.get(t.anonymousId) ?? new Set<number>();
        s.add(g.truth.get(t.messageId)!);
        byCookie.set(t.anonymousId, s);
      }
    }
    expect(byCookie.size).toBeGreaterThan(100);
    expect([...byCookie.values()].some((people) => people.size > 1)).toBe(true); // a family computer
    expect(g.touchpoints.some((t) => t.anonymousId === 'null' || t.traits.email === 'undefined' || t.traits.email === 'null')).toBe(true);
    expect(g.touchpoints.some((t) => t.type === 'track' && t.event === '')).toBe(true);
  });

  it.each([[1], [2], [6]])('gives each person at most %i own devices', (maxDevices) => {
    const gen = generate({ ...small, maxDevices, sharedDeviceRate: 0 });
    const perPerson = new Map<number, Set<string>>();
    for (const t of gen.touchpoints) {
      const id = t.context?.device?.id; // apps send their device id
      if (!id || id === 'unknown') continue;
      const p = gen.truth.get(t.messageId)!;
      perPerson.set(p, (perPerson.get(p) ?? new Set()).add(id));
    }
    expect(Math.max(...[...perPerson.values()].map((ids) => ids.size))).toBeLessThanOrEqual(maxDevices);
  });

  it('registers nobody when the registered rate is 0', () => {
    expect(generate({ ...small, registeredRate: 0 }).touchpoints.some((t) => t.userId !== null)).toBe(false);
  });

  it('sends the CRM import last, late relative to event time', () => {
    const firstCrm = g.touchpoints.findIndex((t) => t.source === 'crm');
    expect(g.touchpoints.slice(firstCrm).every((t) => t.source === 'crm')).toBe(true);
  });
});

/** value → the true people whose events carry it. */
function peopleBy(g: Generated, value: (t: Touchpoint) => unknown): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const t of g.touchpoints) {
    const v = value(t);
    if (typeof v !== 'string' || v.trim() === '') continue;
    const k = v.trim().toLowerCase();
    out.set(k, (out.get(k) ?? new Set()).add(g.truth.get(t.messageId)!));
  }
  return out;
}

describe('generate: optional scenarios', () => {
  const g = generate(small);

  it('leaves them off by default', () => {
    expect(defaultPopulation).toMatchObject({ sharedInboxRate: 0, supportDeskRate: 0, appResetRate: 0, crmPhoneRate: 0 });
    expect(g.touchpoints.some((t) => t.externalIds.some((x) => x.type === 'callcentre_id') || t.event === 'Ticket Created' && t.anonymousId !== null)).toBe(false);
  });

  it.each([
    ['sharedInboxRate', 0.3], ['supportDeskRate', 0.8], ['appResetRate', 0.3], ['crmPhoneRate', 0.5],
  ] as const)('%s is deterministic and changes the population', (option, rate) => {
    const on = generate({ ...small, [option]: rate });
    expect(generate({ ...small, [option]: rate }).touchpoints).toEqual(on.touchpoints);
    expect(on.touchpoints).not.toEqual(g.touchpoints);
    expect(new Set(on.truth.values()).size).toBe(small.people);
  });

  it('B2B shared inboxes: a team inbox at a company domain is used by 2 to 6 people, at sign-up, in tickets and in the CRM', () => {
    const on = generate({ ...small, sharedInboxRate: 0.3 });
    const inboxes = [...peopleBy(on, (t) => t.traits.email)].filter(([e]) => /^(sales|info|team|hello|office|orders)@[a-z]+-[0-9a-f]{4}\.com$/.test(e));
    expect(inboxes.length).toBeGreaterThan(5);
    expect(inboxes.every(([, people]) => people.size <= 6)).toBe(true);
    expect(inboxes.some(([, people]) => people.size >= 2)).toBe(true);
    const sources = new Set(on.touchpoints.filter((t) => inboxes.some(([e]) => String(t.traits.email).trim().toLowerCase() === e)).map((t) => t.source));
    expect(sources).toEqual(new Set(['web', 'ios', 'android', 'support', 'crm']));
  });

  it('support desk: agents log many customers\' tickets on their own computer, which they also browse on', () => {
    const on = generate({ ...small, supportDeskRate: 0.8 });
    const desks = peopleBy({ ...on, touchpoints: on.touchpoints.filter((t) => t.source === 'support') }, (t) => t.anonymousId);
    expect(desks.size).toBeGreaterThanOrEqual(2);
    expect([...desks.values()].every((customers) => customers.size > 5)).toBe(true);
    const deskUse = on.touchpoints.filter((t) => t.anonymousId !== null && desks.has(t.anonymousId) && t.source === 'web');
    expect(deskUse.length).toBeGreaterThan(0); // the agents' own browsing
    // Each ticket belongs to the customer whose email it carries, never to the agent.
    const emailOwner = peopleBy({ ...on, touchpoints: on.touchpoints.filter((t) => t.source === 'support') }, (t) => t.traits.email);
    expect([...emailOwner.values()].every((people) => people.size === 1)).toBe(true);
  });

  it('app reinstalls: the advertising id survives new anonymous ids, and logged-in users log in again on the new one', () => {
    const on = generate({ ...small, appResetRate: 0.3 });
    const zero = '00000000-0000-0000-0000-000000000000';
    const anonsByAd = new Map<string, Set<string>>();
    for (const t of on.touchpoints) {
      const ad = t.context?.device?.advertisingId;
      if (ad && ad !== zero && t.anonymousId) anonsByAd.set(ad, (anonsByAd.get(ad) ?? new Set()).add(t.anonymousId));
    }
    expect([...anonsByAd.values()].filter((anons) => anons.size > 1).length).toBeGreaterThan(20);
    const logins = peopleBy({ ...on, touchpoints: on.touchpoints.filter((t) => t.type === 'identify' && t.source !== 'crm') }, (t) => t.anonymousId);
    const perUser = new Map<string, number>();
    for (const t of on.touchpoints) if (t.type === 'identify' && t.source !== 'crm' && t.userId && t.anonymousId && logins.has(t.anonymousId)) perUser.set(t.userId, (perUser.get(t.userId) ?? 0) + 1);
    expect([...perUser.values()].some((n) => n > 1)).toBe(true);
    const adOwners = peopleBy(on, (t) => (t.context?.device?.advertisingId === zero ? null : t.context?.device?.advertisingId));
    expect([...adOwners.values()].every((people) => people.size === 1)).toBe(true); // an advertising id is one person's
  });

  it('call-centre rows: national format with the country, no user id or email, the same number the person gave in international format', () => {
    const on = generate({ ...small, crmPhoneRate: 0.5 });
    const rows = on.touchpoints.filter((t) => t.externalIds.some((x) => x.type === 'callcentre_id'));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((t) => t.userId === null && t.anonymousId === null && t.traits.email === undefined && !String(t.traits.phone).startsWith('+'))).toBe(true);
    const e164 = (raw: unknown, country?: string | null) => parsePhoneNumberFromString(String(raw), { defaultCountry: (country ?? undefined) as CountryCode | undefined })?.number;
    const given = new Map<number, string>();
    for (const t of on.touchpoints) if (t.type === 'identify' && t.source !== 'crm' && typeof t.traits.phone === 'string') given.set(on.truth.get(t.messageId)!, e164(t.traits.phone)!);
    const matched = rows.filter((t) => given.get(on.truth.get(t.messageId)!) === e164(t.traits.phone, t.context?.location?.country));
    expect(matched.length).toBe(rows.filter((t) => given.has(on.truth.get(t.messageId)!)).length);
    expect(matched.length).toBeGreaterThan(50);
    const firstCallCentre = on.touchpoints.indexOf(rows[0]!);
    expect(on.touchpoints.slice(firstCallCentre).every((t) => t.source === 'crm')).toBe(true);
  });
});

describe('Random', () => {
  it('repeats for a seed and stays in range', () => {
    const a = new Random(1);
    const b = new Random(1);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Random(2).next()).not.toBe(xs[0]);
  });
});

describe('progressLine', () => {
  it('shows the bar, counts and rate', () => {
    expect(progressLine('producing', 500, 1000, 1000, 10)).toBe('producing [#####.....] 500/1,000 500/s ~1s left');
  });
});
