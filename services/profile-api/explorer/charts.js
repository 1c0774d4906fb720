// Charts with Apache ECharts (served by the API from node_modules): time series stacked by key, and the identifier graph.
import * as echarts from '/vendor/echarts.esm.min.mjs';

const charts = new Set();
window.addEventListener('resize', () => { for (const c of charts) c.resize(); });

/** Disposes the charts of a view being replaced. */
export function disposeAll() {
  for (const c of charts) c.dispose();
  charts.clear();
}

function mount(el) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  charts.add(chart);
  // Tests and screenshots wait for this: the chart has drawn its first frame.
  chart.on('finished', () => { el.dataset.rendered = 'true'; });
  return chart;
}

const TOP = 8;

/**
 * Points {t, key, n} as stacked bars per bucket; keys beyond the TOP largest are summed as "other" so a chart of
 * regions or channels stays readable.
 */
export function seriesChart(el, points, { title, bucketMs, empty = 'nothing in this range' }) {
  const chart = mount(el);
  const totals = new Map();
  for (const p of points) totals.set(p.key || '(none)', (totals.get(p.key || '(none)') ?? 0) + p.n);
  const keys = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
  const shown = new Set(keys.slice(0, TOP));
  const times = [...new Set(points.map((p) => p.t))].sort((a, b) => a - b);
  const byKey = new Map();
  for (const p of points) {
    const k = shown.has(p.key || '(none)') ? (p.key || '(none)') : 'other';
    const row = byKey.get(k) ?? new Map();
    row.set(p.t, (row.get(p.t) ?? 0) + p.n);
    byKey.set(k, row);
  }
  const label = (t) => new Date(t).toISOString().slice(0, bucketMs < 86_400_000 ? 16 : 10).replace('T', ' ');
  chart.setOption({
    title: { text: title, left: 0, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 24 },
    grid: { top: 64, left: 48, right: 16, bottom: 32 },
    xAxis: { type: 'category', data: times.map(label) },
    yAxis: { type: 'value' },
    graphic: points.length === 0 ? [{ type: 'text', left: 'center', top: 'middle', style: { text: empty, fill: '#888' } }] : [],
    series: [...byKey].map(([k, row]) => ({ name: k, type: 'bar', stack: 'all', emphasis: { focus: 'series' }, data: times.map((t) => row.get(t) ?? 0) })),
  });
  return chart;
}

/** Totals per key as a pie (dead letters by reason). */
export function pieChart(el, points, { title, empty = 'none' }) {
  const chart = mount(el);
  const totals = new Map();
  for (const p of points) totals.set(p.key, (totals.get(p.key) ?? 0) + p.n);
  chart.setOption({
    title: { text: title, left: 0, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item' },
    graphic: totals.size === 0 ? [{ type: 'text', left: 'center', top: 'middle', style: { text: empty, fill: '#888' } }] : [],
    series: [{
      type: 'pie', radius: ['30%', '55%'], top: 24, data: [...totals].map(([name, value]) => ({ name, value })),
      label: { formatter: '{b}: {c}', overflow: 'none' },
    }],
  });
  return chart;
}

/** Events per day (the profile's timeline). */
export function dailyChart(el, days, { title }) {
  const chart = mount(el);
  chart.setOption({
    title: { text: title, left: 0, textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    grid: { top: 40, left: 48, right: 16, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => d.day) },
    yAxis: { type: 'value' },
    series: [{ name: 'events', type: 'bar', data: days.map((d) => d.events) }],
  });
  return chart;
}

const TYPE_COLOURS = { user_id: '#5470c6', email: '#91cc75', phone: '#fac858', anonymous_id: '#ee6666', device_id: '#73c0de', advertising_id: '#3ba272' };

/** The profile's identifiers as nodes, its links as edges labelled with the event that made each. */
export function identifierGraph(el, identifiers, edges) {
  const chart = mount(el);
  const key = (i) => `${i.type}:${i.value}`;
  const types = [...new Set(identifiers.map((i) => i.type))];
  chart.setOption({
    tooltip: {
      formatter: (p) => (p.dataType === 'edge'
        ? `${p.data.source} → ${p.data.target}<br>event ${p.data.messageId}<br>${p.data.eventTime}`
        : `${p.data.name}<br>linked ${p.data.linkedAt}<br>by ${p.data.linkedBy}`),
    },
    legend: [{ data: types, top: 0 }],
    series: [{
      type: 'graph', layout: 'force', roam: true, draggable: true, top: 32,
      force: { repulsion: 320, edgeLength: [70, 150] },
      categories: types.map((t) => ({ name: t, itemStyle: { color: TYPE_COLOURS[t] } })),
      label: { show: true, position: 'right', formatter: (p) => p.data.name, fontSize: 11 },
      edgeLabel: { show: edges.length <= 30, formatter: (p) => p.data.messageId.slice(0, 8), fontSize: 9 },
      edgeSymbol: ['none', 'arrow'],
      data: identifiers.map((i) => ({ name: key(i), category: types.indexOf(i.type), symbolSize: i.type === 'user_id' || i.type === 'email' ? 22 : 14, linkedAt: i.linkedAt, linkedBy: i.linkedBy })),
      links: edges.map((e) => ({ source: e.from, target: e.to, messageId: e.messageId, eventTime: e.eventTime })),
      lineStyle: { width: 1.5, curveness: 0.1 },
    }],
  });
  return chart;
}
