// The overview: the whole pipeline at a glance, per hour or day — events by channel, device type and region, merges
// and moves, refusals, dead letters by reason.
import { get } from './api.js';
import { pieChart, seriesChart } from './charts.js';
import { fmtNumber, h } from './dom.js';

const day = (ms) => new Date(ms).toISOString().slice(0, 10);

export async function renderOverview(view, params) {
  const end = params.get('end') ?? day(Date.now() + 86_400_000);
  const start = params.get('start') ?? day(Date.parse(end) - 30 * 86_400_000);
  const o = await get('/v1/overview', { start, end });
  const s = o.series;
  const chart = (name) => h('div', { class: 'chart', dataset: { chart: name } });
  const els = { channel: chart('channel'), deviceType: chart('device-type'), region: chart('region'), identity: chart('identity-changes'), refusals: chart('refusals'), dlq: chart('dead-letters'), dlqPie: chart('dead-letter-reasons') };
  const range = h('form', {
    class: 'inline',
    onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      location.hash = `#/overview?start=${f.get('start')}&end=${f.get('end')}`;
    },
  }, h('label', {}, 'from ', h('input', { type: 'date', name: 'start', value: start })), ' ',
  h('label', {}, 'to ', h('input', { type: 'date', name: 'end', value: end })), ' ', h('button', { type: 'submit' }, 'Show'));
  const stat = (k, v) => [h('dt', {}, k), h('dd', {}, fmtNumber(v))];
  view.replaceChildren(
    h('section', { class: 'card headline', dataset: { testid: 'overview' } },
      h('h1', {}, 'Overview'), range,
      h('dl', { class: 'stats wide' }, ...stat('profiles', o.state.profiles), ...stat('identifiers', o.state.identifiers), ...stat('merged-away ids', o.state.mergedProfiles),
        ...stat('claims', o.state.graphClaims))),
    h('div', { class: 'grid two' }, els.channel, els.deviceType, els.region, els.identity, els.refusals, els.dlq, els.dlqPie),
  );
  const opts = (title) => ({ title, bucketMs: o.range.bucketMs });
  seriesChart(els.channel, s.channel, opts(`events by channel, per ${o.range.bucket}`));
  seriesChart(els.deviceType, s.deviceType, opts('events by device type'));
  seriesChart(els.region, s.region, opts('events by region'));
  seriesChart(els.identity, s.identityChanges, opts('merges and identifier moves'));
  seriesChart(els.refusals, s.refusals, { ...opts('refused links'), empty: 'no refusal recorded in the warehouse in this range' });
  seriesChart(els.dlq, s.deadLetters, opts('dead letters'));
  pieChart(els.dlqPie, s.deadLetters, { title: 'dead letters by reason' });
}
