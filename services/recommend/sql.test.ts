import { describe, expect, it } from 'vitest';
import { activeProfiles, defaultRecommendOptions, eventsSource, runSql } from './sql.ts';

const o = defaultRecommendOptions;

describe('eventsSource', () => {
  const sql = eventsSource('db', 1781136000, o);
  it.each([
    ['reads the documented current-profile view', 'FROM db.events_current'],
    ['weighs purchases, cart adds and views', "multiIf(event IN ('Order Completed'), 5, event IN ('Product Added'), 3, 1) AS w"],
    ['takes the first item property present', "multiIf(property_values[indexOf(property_keys, 'product_id')] != '', [property_values[indexOf(property_keys, 'product_id')]], property_values[indexOf(property_keys, 'sku')] != '', [property_values[indexOf(property_keys, 'sku')]], emptyArrayString())"],
    ['and every product of an order (the regex escaped as a literal)', `extractAll(property_values[indexOf(property_keys, 'products')], '"product_id":\\\\s*"([^"]+)"')`],
    ['up to the run\'s instant', 'event_time <= toDateTime(1781136000)'],
  ])('%s', (_t, part) => expect(sql).toContain(part));

  it('escapes configured names', () => {
    expect(eventsSource('db', 0, { ...o, events: { ...o.events, view: ["it's"] } })).toContain("'it\\'s'");
    expect(() => eventsSource('db', 0, { ...o, weights: { ...o.weights, view: Number.NaN } })).toThrow(/finite/);
  });
});

describe('runSql', () => {
  const sql = runSql('db', 42, 'SELECT 1', activeProfiles('db'), o);
  it('writes the run\'s own partition at every step', () => {
    expect(sql.interactions).toMatch(/^INSERT INTO db\.rec_interactions .*SELECT 42,/s);
    expect(sql.similarity).toMatch(/^INSERT INTO db\.item_similarity .*SELECT 42,/s);
    expect(sql.recommendations).toMatch(/^INSERT INTO db\.recommendations .*SELECT 42,/s);
    expect(sql.similarity).not.toMatch(/run = (?!42\b)\d+/);
  });
  it('keeps the configured neighbours, history and list length', () => {
    const s = runSql('db', 1, 'SELECT 1', 'SELECT 1', { ...o, neighbours: 7, historyCap: 9, topN: 3 });
    expect(s.similarity).toContain('LIMIT 7 BY item');
    expect(s.similarity).toContain('LIMIT 9 BY profile_id');
    expect(s.recommendations).toContain('LIMIT 3 BY profile_id');
  });
  it('values cells as log(1 + weight) or 1', () => {
    expect(runSql('db', 1, 'SELECT 1', 'SELECT 1', o).similarity).toContain('log(1 + weight) AS v');
    const binary = runSql('db', 1, 'SELECT 1', 'SELECT 1', { ...o, value: 'binary' });
    expect(binary.similarity).toContain('toFloat64(1) AS v');
    expect(binary.similarity).not.toContain('log(');
  });
  it('leaves seen items in when asked to', () => {
    expect(runSql('db', 1, 'SELECT 1', 'SELECT 1', o).recommendations).toContain('NOT IN (SELECT profile_id, item FROM db.rec_interactions WHERE run = 1)');
    expect(runSql('db', 1, 'SELECT 1', 'SELECT 1', { ...o, excludeSeen: false }).recommendations).not.toContain('NOT IN');
  });
});
