// Services starting together on a fresh topic prefix register the same new subjects at the same moment (the
// collector and the extract stage both register the touchpoint schema): every one of them must get the schema id, and
// the subject must end with the BACKWARD compatibility rule, however the requests interleave on the real Apicurio.
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { readSchema } from '../../services/kit/avro.ts';
import { AvroCodec } from '../../services/kit/registry.ts';

const ROUNDS = 40;
const SERVICES = 4;

async function compatibility(url: string, subject: string): Promise<string> {
  const res = await fetch(`${url}/config/${encodeURIComponent(subject)}`);
  return `${res.status} ${((await res.json()) as { compatibilityLevel?: string }).compatibilityLevel ?? ''}`;
}

describe('schema registration on a fresh subject', () => {
  it(`${SERVICES} services registering one new subject at once, ${ROUNDS} times: all get its id, the rule ends BACKWARD`, async () => {
    const url = inject('stack').registryUrl;
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const subject = `t.regrace${randomBytes(4).toString('hex')}.touchpoints-value`;
      // Fresh codecs: each is a service process that has never seen the subject. Their starts are staggered by a
      // step that changes every round, so one service's requests land at every point of another's registration.
      const step = (round % 10) * 2;
      const results = await Promise.allSettled(Array.from({ length: SERVICES }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * step));
        return new AvroCodec(url).register('touchpoint', subject);
      }));
      const ids = new Set<number>();
      for (const r of results) {
        if (r.status === 'fulfilled') ids.add(r.value);
        else failures.push(`round ${round}: ${(r.reason as Error).message}`);
      }
      if (ids.size > 1) failures.push(`round ${round}: different ids ${[...ids].join(', ')}`);
      const rule = await compatibility(url, subject);
      if (rule !== '200 BACKWARD') failures.push(`round ${round}: compatibility of ${subject} is ${rule}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('schema registration on a subject left without a rule', () => {
  it.each([
    ['a subject whose registrant died before setting the rule (NONE) gets BACKWARD', null, '200 BACKWARD'],
    ['a rule an operator made stricter (FULL) is kept', 'FULL', '200 FULL'],
  ])('%s', async (_name, operatorLevel, expected) => {
    const url = inject('stack').registryUrl;
    const subject = `t.regrule${randomBytes(4).toString('hex')}.touchpoints-value`;
    const post = (path: string, method: string, body: unknown) => fetch(`${url}${path}`, {
      method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body),
    });
    // What another client leaves behind: the schema in, no rule of the subject's own (Apicurio then answers NONE).
    expect((await post(`/subjects/${encodeURIComponent(subject)}/versions`, 'POST', { schema: readSchema('touchpoint') })).status).toBe(200);
    if (operatorLevel) expect((await post(`/config/${encodeURIComponent(subject)}`, 'PUT', { compatibility: operatorLevel })).status).toBe(200);
    else expect(await compatibility(url, subject)).toBe('200 NONE');

    const ids = await Promise.all([new AvroCodec(url).register('touchpoint', subject), new AvroCodec(url).register('touchpoint', subject)]);
    expect(ids[0]).toBe(ids[1]);
    expect(await compatibility(url, subject)).toBe(expected);
  });
});
