import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorSpec, isErrorCode } from '../kit/error-catalog.ts';
import { ROUTES } from './route-table.ts';

const doc = JSON.parse(readFileSync(join(import.meta.dirname, 'openapi.json'), 'utf8')) as {
  openapi: string; paths: Record<string, Record<string, { security?: { [k: string]: string[] }[]; responses: Record<string, unknown> }>>;
  components: { responses: Record<string, { description: string }> };
};
const openapiPath = (template: string) => template.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document', () => {
  it('describes exactly the routes the API serves, with their scope', () => {
    const served = ROUTES.map((r) => openapiPath(r.template));
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/'));
    expect(documented.sort()).toEqual(served.sort());
    for (const r of ROUTES) {
      const op = doc.paths[openapiPath(r.template)]![(r.method ?? 'GET').toLowerCase()];
      expect(op?.security?.[0]?.bearer, `${r.method ?? 'GET'} ${r.template}`).toEqual([r.scope]);
    }
    // Every documented operation is served: a method the API would answer 405 is not in the document.
    const operations = Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/'))
      .flatMap(([p, ops]) => Object.keys(ops).filter((m) => m !== 'parameters').map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.sort()).toEqual(ROUTES.map((r) => `${r.method ?? 'GET'} ${openapiPath(r.template)}`).sort());
  });

  it('names only catalog codes, each under its HTTP status', () => {
    for (const [status, r] of Object.entries(doc.components.responses)) {
      for (const code of r.description.match(/TSR_[A-Z_]+/g) ?? []) {
        expect(isErrorCode(code), code).toBe(true);
        if (isErrorCode(code)) expect(`E${errorSpec(code).status}`, code).toBe(status);
      }
    }
  });
});
