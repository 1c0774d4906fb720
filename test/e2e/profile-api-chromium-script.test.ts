// infra/local/chromium.sh (`make chromium-install`, a prerequisite of `make test`) against stand-in browsers in a scratch
// TESSERA_HOME: a browser that renders is checked once per version and then only asked its version; one that renders
// nothing, or is missing, stops the script with a message saying what to do. The real Chromium is never installed here.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Run { code: number; stderr: string }

function chromiumSh(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['infra/local/chromium.sh'], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
  });
}

/** A stand-in browser: answers --version with `version`, prints `dom` for anything else, and logs each call. */
function standIn(dir: string, version: string, dom: string): { bin: string; calls: () => string[] } {
  const bin = join(dir, `chromium-${version}`);
  const log = join(dir, `calls-${version}`);
  writeFileSync(bin, [
    '#!/usr/bin/env bash',
    `echo "$*" >> '${log}'`,
    `if [ "$1" = --version ]; then echo 'Chromium ${version}'; exit 0; fi`,
    `printf '%s' '${dom}'`,
  ].join('\n'));
  chmodSync(bin, 0o755);
  return { bin, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const rendered = '<html><head></head><body><p id="tessera">rendered</p></body></html>';

describe('infra/local/chromium.sh', () => {
  it('checks that a browser renders headless once per version, then only asks its version', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
    const a = standIn(home, '1.0', rendered);
    const first = await chromiumSh({ TESSERA_HOME: home, TESSERA_CHROMIUM: a.bin });
    expect(first).toMatchObject({ code: 0 });
    expect(a.calls()).toHaveLength(2);
    expect(a.calls()[1]).toContain('--headless=new --no-sandbox');
    expect(readFileSync(join(home, 'tools/chromium/.installed'), 'utf8').trim()).toBe(`${a.bin} Chromium 1.0`);

    expect(await chromiumSh({ TESSERA_HOME: home, TESSERA_CHROMIUM: a.bin })).toMatchObject({ code: 0 });
    expect(a.calls()).toEqual([...a.calls().slice(0, 2), '--version']);

    // Another browser (an upgrade, another path) is checked again.
    const b = standIn(home, '2.0', rendered);
    expect(await chromiumSh({ TESSERA_HOME: home, TESSERA_CHROMIUM: b.bin })).toMatchObject({ code: 0 });
    expect(b.calls()).toHaveLength(2);
  });

  it.each([
    ['renders nothing', '', 'did not render a page headless'],
    ['renders another page', '<html><body>about:blank</body></html>', 'rendered an unexpected page'],
  ])('stops when the browser %s, and writes no marker', async (_what, dom, message) => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
    const bad = standIn(home, '3.0', dom);
    if (dom === '') writeFileSync(bad.bin, `#!/usr/bin/env bash\n[ "$1" = --version ] && echo 'Chromium 3.0' && exit 0\nexit 1\n`);
    const r = await chromiumSh({ TESSERA_HOME: home, TESSERA_CHROMIUM: bad.bin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(home, 'tools/chromium/.installed'))).toBe(false);
  });

  it('stops when TESSERA_CHROMIUM names no executable, saying which', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
    const r = await chromiumSh({ TESSERA_HOME: home, TESSERA_CHROMIUM: join(home, 'no-such-browser') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`TESSERA_CHROMIUM=${join(home, 'no-such-browser')} is not an executable`);
  });
});
