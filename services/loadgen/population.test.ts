import { describe, expect, it } from 'vitest';
import { defaultPopulation, generate } from './population.ts';
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
