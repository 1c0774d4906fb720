import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig, parseIdentityConfig, ruleFor } from './rules.ts';

describe('parseIdentityConfig', () => {
  it('gives the defaults for an empty input', () => {
    expect(parseIdentityConfig({})).toEqual({ ok: true, config: defaultIdentityConfig });
    expect(parseIdentityConfig(undefined)).toEqual({ ok: true, config: defaultIdentityConfig });
  });

  it('merges partial rules onto the defaults and adds new types', () => {
    const parsed = parseIdentityConfig({ rules: { email: { limit: 2 }, crm_id: { priority: 2, limit: 1 } }, hubBound: 50, defaultRegion: 'GB' });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.config.rules.get('email')).toEqual({ priority: 2, limit: 2 });
    expect(parsed.config.rules.get('crm_id')).toEqual({ priority: 2, limit: 1 });
    expect(parsed.config.rules.get('user_id')).toEqual({ priority: 1, limit: 1 });
    expect(parsed.config.hubBound).toBe(50);
    expect(parsed.config.defaultRegion).toBe('GB');
  });

  it('replaces a type\'s blocked list, lower-cased', () => {
    const parsed = parseIdentityConfig({ blocked: { user_id: ['  Guest-1 '] } });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.config.blocked.get('user_id')).toEqual(new Set(['guest-1']));
    expect(parsed.config.blocked.get('*')).toEqual(defaultIdentityConfig.blocked.get('*'));
  });

  it.each([
    [{ rules: { email: { limit: 0 } } }, 'rules.email.limit'],
    [{ rules: { email: { priority: 'high' } } }, 'rules.email.priority'],
    [{ rules: { 'Bad Type': { limit: 1 } } }, 'rules'],
    [{ defaultRegion: 'XX' }, 'defaultRegion'],
    [{ hubBound: -3 }, 'hubBound'],
    [{ maxValueLength: 2 }, 'maxValueLength'],
    [{ surprise: true }, '(root)'],
    [{ blocked: { email: 'a@b.c' } }, 'blocked.email'],
  ])('rejects %j with an error naming %s', (input, path) => {
    const parsed = parseIdentityConfig(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.some((e) => e.startsWith(path))).toBe(true);
  });

  it('lists every problem at once', () => {
    const parsed = parseIdentityConfig({ hubBound: 0, defaultRegion: 'XX', rules: { email: { limit: -1 } } });
    expect(parsed.ok ? [] : parsed.errors).toHaveLength(3);
  });
});

describe('ruleFor', () => {
  it('falls back to defaultRule for types the config does not list', () => {
    expect(ruleFor(defaultIdentityConfig, 'crm_id')).toEqual(defaultIdentityConfig.defaultRule);
    expect(ruleFor(defaultIdentityConfig, 'anonymous_id').limit).toBe(1000);
  });
});
