import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { defaultPopulation, generate, PLANTED_THEME, tasteCatalogue, type Generated } from './population.ts';
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

describe('generate: planted tastes', () => {
  const digest = (g: Generated) => createHash('sha256').update(JSON.stringify(g.touchpoints)).update(JSON.stringify([...g.truth])).digest('hex');
  const planted = (t: Touchpoint) => t.properties.product_id !== undefined || t.event === 'Product Added' || t.properties.products !== undefined;
  const on = generate({ ...small, tasteGroups: 4, catalogue: 40 });

  it('are off by default, and the default populations are byte for byte those generated before tastes existed', () => {
    expect(defaultPopulation.tasteGroups).toBe(0);
    // Digests taken from the generator as it was before planted tastes were added (same seed, same options).
    // (The 5,000-person default gave c9016aa1…8700d before and after too; checked once, too slow for a unit test.)
    expect(digest(generate(small))).toBe('0b215286df92abdb795cce98ea9adb268cc780176b9c674acc36df485c330dac');
  });

  it('add only shopping touchpoints: everything else is the population without tastes, and the same seed gives the same shopping', () => {
    expect(on.touchpoints.filter((t) => !planted(t))).toEqual(generate(small).touchpoints);
    expect(generate({ ...small, tasteGroups: 4, catalogue: 40 }).touchpoints).toEqual(on.touchpoints);
    expect(on.touchpoints.filter(planted).length).toBeGreaterThan(small.people * 5);
    expect(new Set(on.touchpoints.map((t) => t.messageId)).size).toBe(on.touchpoints.length);
  });

  it('make each person prefer one group of products', () => {
    const groupOf = new Map(tasteCatalogue(new Random((small.seed ^ 0x7a57e5) >>> 0), 40, 4).flatMap((g, i) => g.map((p) => [p, i] as const)));
    const byPerson = new Map<number, number[]>();
    for (const t of on.touchpoints) {
      if (t.event !== 'Product Viewed' || typeof t.properties.product_id !== 'string') continue;
      const p = on.truth.get(t.messageId)!;
      byPerson.set(p, [...(byPerson.get(p) ?? []), groupOf.get(t.properties.product_id)!]);
    }
    const shares = [...byPerson.values()].filter((gs) => gs.length >= 10).map((gs) => Math.max(...[0, 1, 2, 3].map((g) => gs.filter((x) => x === g).length)) / gs.length);
    expect(shares.length).toBeGreaterThan(50);
    // tasteStrength 0.8 plus a quarter of the random picks: about 85% of a person's views fall in their group.
    expect(shares.reduce((a, b) => a + b, 0) / shares.length).toBeGreaterThan(0.75);
  });

  it('order what was added to the cart, by user id on the server when logged in', () => {
    const orders = on.touchpoints.filter((t) => t.event === 'Order Completed' && typeof t.properties.products === 'string');
    expect(orders.length).toBeGreaterThan(50);
    const added = new Map<number, Set<string>>();
    for (const t of on.touchpoints) if (t.event === 'Product Added') { const p = on.truth.get(t.messageId)!; added.set(p, (added.get(p) ?? new Set()).add(String(t.properties.product_id))); }
    for (const o of orders) {
      const items = JSON.parse(String(o.properties.products)) as { product_id: string; price: number }[];
      expect(items.every((i) => added.get(on.truth.get(o.messageId)!)!.has(i.product_id))).toBe(true);
      expect(o.properties.revenue).toBe(items.reduce((a, i) => a + i.price, 0));
      expect(o.source === 'server' ? o.userId !== null && o.anonymousId === null : o.anonymousId !== null).toBe(true);
    }
    expect(new Set(orders.map((o) => o.source))).toContain('server');
  });
});

describe('generate: regional patterns', () => {
  const on = generate({ ...small, people: 800, regionalPatterns: true });
  const textOf = (t: Touchpoint) => String(t.properties.text ?? t.properties.answer ?? '');
  const texts = on.touchpoints.filter((t) => textOf(t) !== '');

  it('are off by default', () => {
    expect(defaultPopulation.regionalPatterns).toBe(false);
    expect(generate(small).touchpoints.some((t) => t.properties.text !== undefined || t.event === 'Survey Answered' || t.event === 'Social Mention')).toBe(false);
  });

  it('give tickets, surveys and social mentions free text, located in the writer\'s region and matched by email', () => {
    expect(new Set(texts.map((t) => t.event))).toEqual(new Set(['Ticket Created', 'Survey Answered', 'Social Mention']));
    expect(texts.length).toBeGreaterThan(600);
    expect(texts.filter((t) => t.event !== 'Ticket Created').every((t) => t.context?.location?.country && typeof t.traits.email === 'string')).toBe(true);
  });

  it('plant battery drain in Berlin, from the middle of the period on, and nowhere else', () => {
    const middle = small.start + (small.days * 86_400_000) / 2;
    const planted = texts.filter((t) => textOf(t).toLowerCase().includes(PLANTED_THEME.phrase));
    expect(planted.length).toBeGreaterThan(20);
    const regionOf = (t: Touchpoint) => {
      const person = on.truth.get(t.messageId)!;
      return on.touchpoints.find((u) => on.truth.get(u.messageId) === person && u.context?.location?.region)?.context?.location;
    };
    expect(planted.every((t) => t.timestamp > middle && regionOf(t)?.country === 'DE' && regionOf(t)?.region === 'BE')).toBe(true);
  });

  it('make Europeans use a phone first and Indians a computer', () => {
    const kinds = (country: string) => {
      const first = new Map<number, string>();
      for (const t of on.touchpoints) {
        const p = on.truth.get(t.messageId)!;
        if (t.context?.location?.country === country && t.context.device?.type && t.source !== 'support' && !first.has(p)) first.set(p, t.context.device.type);
      }
      return [...first.values()];
    };
    const share = (xs: string[], kind: string) => xs.filter((k) => k === kind).length / xs.length;
    expect(share(kinds('DE'), 'mobile')).toBeGreaterThan(share(kinds('IN'), 'mobile') + 0.25);
    expect(share(kinds('IN'), 'desktop')).toBeGreaterThan(0.5);
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
