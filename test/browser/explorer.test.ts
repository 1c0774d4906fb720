// The explorer in a real browser (Debian's headless Chromium driven by playwright-core) against the real pipeline:
// the overview draws its charts, a search for an email from the test data shows the person's identifiers, the link
// graph, traits, timeline and events, and explain answers; a tab without a token asks for one. Screenshots of each page
// (overview, profile 360, token prompt) go to TESSERA_SCREENSHOT_DIR
// (`TESSERA_SCREENSHOT_DIR=docs` refreshes docs/profile-api-*.png), else next to the test's service logs.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileSnapshot } from '../../services/identity/index.ts';
import { apiPipeline, READ_TOKEN, type ApiPipeline } from '../support/profile-api.ts';

const executablePath = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
let p: ApiPipeline;
let browser: Browser;
let page: Page;
let person: ProfileSnapshot;
let shots: string;

beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run 'make chromium-install' (infra/local/chromium.sh) or set TESSERA_CHROMIUM`);
  p = await apiPipeline('explorer', 80, 31);
  person = [...p.expected.snapshots]
    .filter((s) => s.identifiers.some((l) => l.identifier.type === 'email'))
    .sort((a, b) => b.identifiers.length - a.identifiers.length || (a.profileId < b.profileId ? -1 : 1))[0]!;
  shots = process.env.TESSERA_SCREENSHOT_DIR ?? join(`${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}`, 'stack', 'logs', `test-${p.s.id}`);
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--headless=new'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 400_000);
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

/** Pixels of a chart's canvas that are not background: a chart that drew nothing has none. */
async function drawnPixels(chart: string): Promise<number> {
  const el = page.locator(`[data-chart="${chart}"][data-rendered="true"] canvas`).first();
  await el.waitFor({ state: 'visible', timeout: 30_000 });
  return el.evaluate((node) => {
    // Runs in the page: the node is the chart's <canvas> (the test's TypeScript has no DOM types).
    const c = node as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240)) n += 1;
    return n;
  });
}

describe('explorer page in Chromium', () => {
  it('shows the overview with its charts drawn', async () => {
    await page.goto(`${p.base}/explorer/#token=${READ_TOKEN}`);
    await page.locator('[data-testid="overview"]').waitFor({ timeout: 30_000 });
    // The token left the address bar for the tab's session storage.
    expect(page.url()).not.toContain(READ_TOKEN);
    for (const chart of ['channel', 'device-type', 'region', 'identity-changes', 'dead-letters']) {
      expect(await drawnPixels(chart), chart).toBeGreaterThan(500);
    }
    await expect.poll(() => page.locator('[data-testid="overview"] dd').first().textContent()).toBe(String(Object.keys(p.expected.profiles).length));
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'profile-api-overview.png'), fullPage: true });
  });

  it('finds a person by an email from the test data and shows identifiers, link graph, traits and timeline', async () => {
    const email = person.identifiers.find((l) => l.identifier.type === 'email')!.identifier.value;
    await page.locator('#search-input').fill(` ${email.toUpperCase()} `.replace(/^ /, 'email: '));
    await page.locator('#search button').click();
    const ids = page.locator('[data-testid="identifiers"]');
    await ids.waitFor({ timeout: 30_000 });
    const shown = await ids.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(shown.sort()).toEqual(person.identifiers.map((l) => l.identifier.value).sort());
    await expect.poll(() => page.locator('[data-testid="profile"] h1').textContent()).toContain(person.profileId);
    expect(await drawnPixels('identifier-graph')).toBeGreaterThan(500);
    expect(await drawnPixels('timeline')).toBeGreaterThan(500);
    await page.locator('[data-testid="aggregates"]').waitFor();
    await page.locator('[data-testid="events"] tbody tr').first().waitFor();

    await page.locator('[data-testid="explain"]').locator('xpath=..').locator('button[type="submit"]').click();
    await page.locator('[data-testid="explain"] ol.chain li').first().waitFor({ timeout: 30_000 });
    // The force layout settles before the picture is taken, from the top (the header is sticky).
    await page.waitForTimeout(1500);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'profile-api-profile.png'), fullPage: true });
  });

  it('asks for a token in a new tab without one, refuses an unknown token, and opens with a good one', async () => {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    try {
      await tab.goto(`${p.base}/explorer/`);
      const form = tab.locator('#token-form');
      await form.waitFor({ state: 'visible', timeout: 30_000 });
      await tab.screenshot({ path: join(shots, 'profile-api-token.png') });
      await tab.locator('#token-input').fill('not-a-token-of-this-api-0000');
      await tab.locator('#token button').click();
      await expect.poll(() => tab.locator('#message').textContent()).toContain('unknown access token');
      await form.waitFor({ state: 'visible' });
      await tab.locator('#token-input').fill(READ_TOKEN);
      await tab.locator('#token button').click();
      await tab.locator('[data-testid="overview"]').waitFor({ timeout: 30_000 });
      expect(await form.isHidden()).toBe(true);
    } finally {
      await tab.close();
    }
  });

  it('says so when an identifier is unknown', async () => {
    await page.locator('#search-input').fill('email:nobody.at.all@acme.io');
    await page.locator('#search button').click();
    await expect.poll(() => page.locator('#message').textContent()).toContain('no event carried email:nobody.at.all@acme.io');
  });
});
