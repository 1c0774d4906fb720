import { describe, expect, it } from 'vitest';
import { parseMapping, referencedColumns } from './mapping.ts';

describe('parseMapping', () => {
  it('accepts the documented form and fills defaults', () => {
    const r = parseMapping(JSON.stringify({ type: 'identify', source: 'crm', userId: 'customer_id', traits: { email: 'Email' } }));
    expect(r.ok && r.mapping).toMatchObject({ type: 'identify', source: 'crm', properties: {}, externalIds: [] });
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '{', 'mapping is not valid JSON'],
    ['unknown type', { type: 'alias', source: 'crm', userId: 'x' }, 'type: Invalid option'],
    ['bad source', { type: 'identify', source: 'CRM!', userId: 'x' }, 'source: lower-case letters'],
    ['track without event', { type: 'track', source: 'crm', userId: 'x' }, 'event: a track mapping needs an event name'],
    ['no identifier', { type: 'identify', source: 'crm', traits: { name: 'Name' } }, '(mapping): map at least one identifier'],
    ['unknown key', { type: 'identify', source: 'crm', userId: 'x', userID: 'y' }, 'userID'],
    ['bad typed column', { type: 'identify', source: 'crm', userId: 'x', traits: { age: { column: 'Age', as: 'int' } } }, 'traits.age'],
    ['external id without type', { type: 'identify', source: 'crm', externalIds: [{ column: 'Id' }] }, 'externalIds.0.type'],
  ])('%s', (_n, input, problem) => {
    const r = parseMapping(typeof input === 'string' ? input : JSON.stringify(input));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toContain(problem);
  });

  it('lists every problem at once', () => {
    const r = parseMapping(JSON.stringify({ type: 'track', source: 'X' }));
    expect(!r.ok && r.problems).toHaveLength(3);
  });
});

describe('referencedColumns', () => {
  it('collects plain, typed and template columns, but not literals', () => {
    const r = parseMapping(JSON.stringify({
      type: 'track', source: 'crm', event: { column: 'Event' }, messageId: 'crm-{{Id}}-{{ Row }}', userId: 'customer_id',
      traits: { email: 'Email', age: { column: 'Age', as: 'number' } }, properties: { survey: { value: 'Q2' } },
      externalIds: [{ type: 'crm_id', column: 'Id' }],
    }));
    expect(r.ok && referencedColumns(r.mapping).sort()).toEqual(['Age', 'Email', 'Event', 'Id', 'Row', 'customer_id']);
  });
});
