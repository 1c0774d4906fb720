import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogEntries, errorSpec, isErrorCode } from './error-catalog.ts';
import { TesseraError } from './errors.ts';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the error catalog', () => {
  it('declares every code the services use', () => {
    const unknown: string[] = [];
    for (const file of sources(join(root, 'services'))) {
      for (const [code] of readFileSync(file, 'utf8').matchAll(/TSR_[A-Z0-9_]*[A-Z0-9]/g)) {
        if (!isErrorCode(code)) unknown.push(`${file.slice(root.length + 1)}: ${code}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('is documented code by code in docs/errors.md, and the page names no code it lacks', () => {
    const page = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const documented = new Set(page.match(/TSR_[A-Z0-9_]*[A-Z0-9]/g));
    expect(catalogEntries().map(([code]) => code).filter((c) => !documented.has(c))).toEqual([]);
    expect([...documented].filter((c) => !isErrorCode(c))).toEqual([]);
  });

  it('gives every HTTP code a 4xx or 5xx status that matches whether a retry can help', () => {
    for (const [code, spec] of catalogEntries()) {
      if (spec.status === undefined) continue;
      expect([code, spec.status >= 500]).toEqual([code, spec.retriable]);
    }
  });

  it('decides whether a TesseraError is retriable', () => {
    expect(new TesseraError('TSR_ERR_REGISTRY_UNAVAILABLE', 'down').retriable).toBe(true);
    expect(new TesseraError('TSR_ERR_MIGRATION_CHANGED', 'edited').retriable).toBe(false);
    expect(isErrorCode('constructor')).toBe(false);
    expect(isErrorCode('__proto__')).toBe(false);
    expect(errorSpec('TSR_DLQ_INVALID').retriable).toBe(false);
  });
});
