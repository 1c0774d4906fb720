import { describe, expect, it } from 'vitest';
import { contests, defaultIdentityConfig, parseIdentityConfig, ruleFor, type ParsedConfig } from './rules.ts';

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

describe('client-chosen type names in the config', () => {
  it.each(['constructor', 'tostring', 'hasownproperty', 'valueof'])('%s is an ordinary type in rules and blocked', (type) => {
    const parsed = parseIdentityConfig({ rules: { [type]: { limit: 2 } }, blocked: { [type]: ['X'] } });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(ruleFor(parsed.config, type)).toEqual({ priority: 4, limit: 2 });
    expect(parsed.config.blocked.get(type)).toEqual(new Set(['x']));
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('a type %j the config does not list uses defaultRule', (type) => {
    expect(ruleFor(defaultIdentityConfig, type)).toEqual(defaultIdentityConfig.defaultRule);
  });

  it('a "__proto__" key in JSON is refused as a type name, not merged into the prototype', () => {
    const parsed = parseIdentityConfig(JSON.parse('{"rules":{"__proto__":{"limit":2}}}'));
    expect(parsed.ok).toBe(false);
    expect(ruleFor(defaultIdentityConfig, 'limit')).toEqual(defaultIdentityConfig.defaultRule);
  });
});

describe('contested shared devices: the types that contest', () => {
  const parse = (contested: unknown): ParsedConfig => parseIdentityConfig({ contested });

  it('by default any strong type contests: user ids, emails, phones and external ids', () => {
    expect(defaultIdentityConfig.contested.by).toEqual(['user_id', 'email', 'phone', '*']);
    expect(['user_id', 'email', 'phone', 'crm_id', 'constructor'].map((t) => contests(defaultIdentityConfig, t))).toEqual([true, true, true, true, true]);
    expect(['anonymous_id', 'device_id', 'advertising_id'].map((t) => contests(defaultIdentityConfig, t))).toEqual([false, false, false]);
  });

  it('still reads the first form, one type: {"by":"user_id"}', () => {
    const parsed = parse({ types: ['anonymous_id'], by: 'user_id' });
    expect(parsed.ok ? parsed.config.contested : null).toEqual({ types: ['anonymous_id'], by: ['user_id'] });
  });

  it.each([
    [{ types: ['anonymous_id'], by: ['anonymous_id', 'email'] }, 'contested.by: "anonymous_id" cannot both be contested and contest'],
    [{ types: ['anonymous_id'], by: [] }, 'contested.by: list the types that contest'],
    [{ types: ['anonymous_id'], by: ['Email'] }, 'contested.by'],
    [{ types: ['anonymous_id'], by: 'user_id', extra: 1 }, 'contested'],
  ])('rejects %j', (contested, message) => {
    const parsed = parse(contested);
    expect(parsed.ok ? [] : parsed.errors.filter((e) => e.startsWith(message))).toHaveLength(1);
  });

  it('switches off with no contested types', () => {
    const parsed = parse({ types: [], by: [] });
    expect(parsed.ok ? parsed.config.contested : null).toEqual({ types: [], by: [] });
  });
});

describe('lists given in a partial config replace the defaults', () => {
  it('a blocked list replaces that type\'s default list only; other types keep theirs', () => {
    const parsed = parseIdentityConfig({ blocked: { email: [], '*': ['unknown'] } });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.config.blocked.get('email')).toEqual(new Set());
    expect(parsed.config.blocked.get('*')).toEqual(new Set(['unknown']));
    expect(parsed.config.blocked.get('phone')).toEqual(defaultIdentityConfig.blocked.get('phone'));
  });

  it('blockedEmailDomains replaces the default domains, stored in the canonical (Unicode) form', () => {
    const parsed = parseIdentityConfig({ blockedEmailDomains: ['Bücher.DE', 'xn--fa-hia.de'] });
    expect(parsed.ok ? [...parsed.config.blockedEmailDomains] : parsed.errors).toEqual(['bücher.de', 'faß.de']);
    expect(parseIdentityConfig({ blockedEmailDomains: ['not a domain'] }).ok).toBe(false);
  });
});

describe('blocked values are written as values are stored', () => {
  it('emails in either domain form, phones in any format, invisible characters', () => {
    const parsed = parseIdentityConfig({ blocked: { email: ['Info@XN--BCHER-KVA.de'], phone: ['+44 7911 123456'], user_id: ['Guest\u200b-1'] } });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.config.blocked.get('email')).toEqual(new Set(['info@bücher.de']));
    expect(parsed.config.blocked.get('phone')).toEqual(new Set(['+447911123456']));
    expect(parsed.config.blocked.get('user_id')).toEqual(new Set(['guest-1']));
  });
});
