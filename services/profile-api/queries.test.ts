import { describe, expect, it } from 'vitest';
import { activityByDay, activityTotals, eventsBy, eventsPage, identityChanges, linkingEvents, refusals, traits, type EventsQuery } from './queries.ts';

const range = { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 10, 2, 0, 0, 0, 500) };
const base: EventsQuery = { profileId: 'p_1', range, sort: 'desc', limit: 10, after: null, include: [], exclude: [] };
const hostile = "x' OR 1=1 --\\";

describe('warehouse queries', () => {
  it('reads a page of events through events_current, bounded by time and one row past the limit', () => {
    const sql = eventsPage('tessera', base);
    expect(sql).toContain('FROM tessera.events_current WHERE current_profile_id = \'p_1\'');
    expect(sql).toContain(`event_time >= toDateTime(${range.start / 1000}) AND event_time <= toDateTime(${Math.floor(range.end / 1000)})`);
    expect(sql).toContain(`event_ms >= ${range.start} AND event_ms < ${range.end}`);
    expect(sql).toMatch(/ORDER BY event_ms DESC, message_id DESC LIMIT 11$/);
  });

  it.each([
    ['desc', '(event_ms < 5 OR (event_ms = 5 AND message_id < \'m9\'))'],
    ['asc', '(event_ms > 5 OR (event_ms = 5 AND message_id > \'m9\'))'],
  ] as const)('resumes a %s page after its cursor', (sort, clause) => {
    expect(eventsPage('tessera', { ...base, sort, after: { ms: 5, messageId: 'm9' } })).toContain(clause);
  });

  it('escapes every value it is given', () => {
    const sqls = [
      eventsPage('db', { ...base, profileId: hostile, include: [hostile], exclude: [hostile], after: { ms: 1, messageId: hostile } }),
      traits('db', [hostile], [hostile], hostile, 5),
      activityTotals('db', [hostile]),
      activityByDay('db', [hostile], range, 10),
      linkingEvents('db', [hostile], range),
    ];
    for (const sql of sqls) {
      expect(sql).not.toContain("x' OR");
      expect(sql).toContain("'x\\' OR 1=1 --\\\\'");
    }
  });

  it('refuses an identifier that is not plain as the database name, and a non-integer bound', () => {
    expect(() => eventsPage('db; DROP TABLE x', base)).toThrow(RangeError);
    expect(() => eventsPage('db', { ...base, limit: 1.5 })).toThrow(RangeError);
  });

  it.each([
    ['traits', traits('db', ['email:a@b.io'], ['plan'], 'a', 50), /FROM db\.profile_traits WHERE claim_key IN \(SELECT claim_key FROM db\.claims FINAL WHERE concat\(primary_type, ':', primary_value\) IN \('email:a@b\.io'\)\) AND trait IN \('plan'\) AND trait > 'a' GROUP BY claim_key, trait\) GROUP BY trait ORDER BY trait LIMIT 51$/],
    ['totals', activityTotals('db', ['user_id:u1', 'email:a@b.io']), /FROM db\.profile_activity WHERE claim_key IN \(SELECT claim_key FROM db\.claims FINAL WHERE .* IN \('user_id:u1', 'email:a@b\.io'\)\)$/],
    ['by day', activityByDay('db', ['user_id:u1'], range, 1000), /FROM db\.profile_activity WHERE claim_key IN \(.*\) AND event_date >= .* GROUP BY day ORDER BY day LIMIT 1000$/],
    ['by channel', eventsBy('db', 'channel', range, 'hour', 20000), /toStartOfHour\(event_time\).* source AS key.*FROM db\.events_current WHERE event_time >= .*LIMIT 20000$/],
    ['by region', eventsBy('db', 'region', range, 'day', 20000), /toStartOfDay.*concat\(country, '-', region\)/],
    ['identity changes', identityChanges('db', range, 'day', 100), /FROM db\.identity_changes FINAL WHERE event_time >= .*LIMIT 100$/],
    ['refusals', refusals('db', range, 'day', 100), /ARRAY JOIN refusal_codes AS code WHERE event_time >= .*LIMIT 100$/],
  ])('%s: a documented view or table, bounded to a time range or a profile\'s claims', (_name, sql, pattern) => {
    expect(sql).toMatch(pattern);
  });
});
