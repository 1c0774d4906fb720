// Regional patterns on the real servers: a population with a theme planted in Berlin's texts and a device preference
// per region, through the pipeline; `themes refresh` analyses the text; the views find both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { defaultPopulation, generate, PLANTED_THEME } from '../../services/loadgen/population.ts';
import { refreshThemes } from '../../services/themes/refresh.ts';
import { touchpoint } from '../support/builders.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

let s: IsolatedStack;
let pipeline: Pipeline;
const log = createLogger('themes-test', 'warn');

beforeAll(async () => {
  s = await isolatedStack('themes');
  pipeline = await startPipeline(s);
  await pipeline.feedAll(generate({ ...defaultPopulation, people: 700, seed: 11, regionalPatterns: true }).touchpoints);
}, 300_000);
afterAll(async () => { await pipeline?.stop(); await s?.close(); });

describe('regional themes', () => {
  it('analyses every text once: a second refresh reads nothing new', async () => {
    const first = await refreshThemes(s.ch, s.database, log, Date.now);
    expect(first.analysed).toBeGreaterThan(500);
    const [row] = await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.text_analyses FINAL WHERE country = '' OR empty(phrases)`);
    expect(Number(row!.n)).toBeLessThan(first.analysed / 20); // (nearly) every text is located and has a theme
    expect((await refreshThemes(s.ch, s.database, log, Date.now)).analysed).toBe(0);
  });

  it('lists the planted theme as the top rising theme of the planted region, and not as rising elsewhere', async () => {
    const rows = await select<{ country: string; region: string; phrase: string; rising: number; growth: number; lift: number }>(s.ch,
      `SELECT country, region, phrase, rising, growth, lift FROM ${s.database}.region_themes_rising ORDER BY country, region, rising DESC, recent_mentions DESC, phrase`);
    const berlin = rows.filter((r) => r.country === PLANTED_THEME.country && r.region === PLANTED_THEME.region);
    expect(berlin[0]).toMatchObject({ phrase: PLANTED_THEME.phrase, rising: 1 });
    expect(berlin[0]!.growth).toBeGreaterThan(2);
    expect(berlin[0]!.lift).toBeGreaterThan(2);
    expect(rows.filter((r) => r.phrase === PLANTED_THEME.phrase && r.region !== PLANTED_THEME.region)).toEqual([]);
    // No other region's theme stands out from the rest of the world as much as the planted one, and the usual texts,
    // spread evenly over the period, are not rising anywhere.
    expect(Math.max(...rows.filter((r) => r.region !== PLANTED_THEME.region).map((r) => r.lift))).toBeLessThan(berlin[0]!.lift);
    expect(rows.filter((r) => r.region !== PLANTED_THEME.region && r.rising === 1).length).toBeLessThan(rows.filter((r) => r.region !== PLANTED_THEME.region).length / 10);
  });

  it('shows the device preference by region in the channel and device mix', async () => {
    const share = async (country: string, device: string) => {
      const rows = await select<{ events: string; device_type: string }>(s.ch,
        `SELECT device_type, sum(events) AS events FROM ${s.database}.region_channel_device_mix WHERE country = '${country}' AND device_type != '' GROUP BY device_type`);
      const total = rows.reduce((a, r) => a + Number(r.events), 0);
      return Number(rows.find((r) => r.device_type === device)?.events ?? 0) / total;
    };
    for (const europe of ['DE', 'FR', 'GB']) expect(await share(europe, 'mobile')).toBeGreaterThan(await share('IN', 'mobile'));
    expect(await share('IN', 'desktop')).toBeGreaterThan(await share('DE', 'desktop'));
    const [orders] = await select<{ n: string }>(s.ch, `SELECT sum(orders) AS n FROM ${s.database}.region_channel_device_mix WHERE channel = 'server'`);
    expect(Number(orders!.n)).toBeGreaterThan(0); // server-side orders are placed in their profile's region
  });

  it('analyses a text again once its profile has a location, when it had none at the first analysis', async () => {
    const context = (country: string, region: string) => ({
      ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null, device: null, os: null, app: null,
      location: { country, region, city: null }, traits: {},
    });
    const ticket = touchpoint({ userId: 'late-located', event: 'Ticket Created', source: 'support', properties: { text: 'The hinge squeaks terribly' } });
    const locationOf = async () => select<{ country: string; region: string }>(s.ch,
      `SELECT country, region FROM ${s.database}.text_analyses FINAL WHERE message_id = '${ticket.messageId}'`);
    await pipeline.feedAll([ticket]);
    expect((await refreshThemes(s.ch, s.database, log, Date.now)).analysed).toBe(1);
    expect(await locationOf()).toEqual([{ country: '', region: '' }]);
    expect((await refreshThemes(s.ch, s.database, log, Date.now)).analysed).toBe(0); // still nowhere: not read again

    await pipeline.feedAll([touchpoint({ userId: 'late-located', type: 'page', event: null, name: 'Home', context: context('DE', 'Hamburg') })]);
    expect((await refreshThemes(s.ch, s.database, log, Date.now)).analysed).toBe(1);
    expect(await locationOf()).toEqual([{ country: 'DE', region: 'Hamburg' }]);
    expect((await refreshThemes(s.ch, s.database, log, Date.now)).analysed).toBe(0);
  });
});
