// The profile 360: who it is (identifiers as a graph of links), what it told us (traits), what it did (aggregates,
// a timeline, its recent events), and why two of its identifiers are linked (explain).
import { get, profilePath } from './api.js';
import { dailyChart, identifierGraph } from './charts.js';
import { fmtNumber, fmtTime, h, table } from './dom.js';

const card = (title, ...body) => h('section', { class: 'card' }, h('h2', {}, title), ...body);
const failed = (what, err) => h('p', { class: 'warn' }, `${what}: ${err.message}`);

const DAY = 86_400_000;
const MAX_DAYS = 399;

export async function renderProfile(view, input) {
  const p = await get(profilePath(input));
  const id = p.profile.id;
  // The profile's life, within the widest window the API scans (its events are no older than its first claim).
  const end = Date.now() + DAY;
  const window = { start: new Date(Math.max(Date.parse(p.profile.firstSeen), end - MAX_DAYS * DAY)).toISOString(), end: new Date(end).toISOString() };
  const graphEl = h('div', { class: 'chart tall', dataset: { chart: 'identifier-graph' } });
  const timelineEl = h('div', { class: 'chart', dataset: { chart: 'timeline' } });
  const traitsBox = h('div', {}, h('p', { class: 'muted' }, 'loading…'));
  const activityBox = h('div', {}, h('p', { class: 'muted' }, 'loading…'));
  const eventsBox = h('div', {});
  const followed = p.lookup.followed.length ? ` (merged-away ${p.lookup.followed.join(' → ')} followed)` : '';

  view.replaceChildren(
    h('section', { class: 'card headline', dataset: { testid: 'profile' } },
      h('h1', {}, 'Profile ', h('code', {}, id)),
      h('p', { class: 'muted' }, `looked up by ${p.lookup.identifier ?? p.lookup.input}${followed} · first seen ${fmtTime(p.profile.firstSeen)} · last linked ${fmtTime(p.profile.lastSeen)} · ${p.profile.identifierCount} identifiers`)),
    h('div', { class: 'grid two' },
      card('Identifiers and the links between them',
        graphEl,
        p.links.complete ? null : h('p', { class: 'muted' }, 'some links are not drawn (a very large profile, or the explain graph is catching up)'),
        table(['type', 'value', 'linked at', 'by event'], p.identifiers.map((i) => [i.type, h('code', {}, i.value), fmtTime(i.linkedAt), h('code', { class: 'small' }, i.linkedBy)]),
          { 'data-testid': 'identifiers' })),
      h('div', {}, card('Traits', traitsBox), card('Behaviour', activityBox))),
    card('Timeline', timelineEl, eventsBox),
    card('Why are two identifiers linked?', explainForm(p.identifiers)),
  );
  identifierGraph(graphEl, p.identifiers, p.links.edges);

  const [traits, activity] = await Promise.allSettled([
    get(profilePath(id, '/traits'), { limit: 200 }),
    get(profilePath(id, '/activity'), window),
  ]);
  traitsBox.replaceChildren(traits.status === 'fulfilled'
    ? (Object.keys(traits.value.traits).length
      ? table(['trait', 'value'], Object.entries(traits.value.traits).map(([k, v]) => [k, String(v)]), { 'data-testid': 'traits' })
      : h('p', { class: 'muted' }, 'no traits'))
    : failed('traits unavailable', traits.reason));
  if (activity.status === 'fulfilled') {
    const t = activity.value.totals;
    activityBox.replaceChildren(t
      ? h('dl', { class: 'stats', 'data-testid': 'aggregates' },
        ...[['events', fmtNumber(t.events)], ['sessions', fmtNumber(t.sessions)], ['revenue', fmtNumber(t.revenue)], ['first event', fmtTime(t.firstSeen)],
          ['last event', fmtTime(t.lastSeen)], ['last channel', t.lastChannel || '—'], ['countries', t.countries.join(', ') || '—'], ['device types', t.deviceTypes.join(', ') || '—']]
          .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
      : h('p', { class: 'muted' }, 'no events in the warehouse yet'));
    dailyChart(timelineEl, activity.value.byDay, { title: 'events per day' });
  } else {
    activityBox.replaceChildren(failed('aggregates unavailable', activity.reason));
  }
  await loadEvents(eventsBox, id, window, null);
}

async function loadEvents(box, id, window, next) {
  let page;
  try {
    page = await get(profilePath(id, '/events'), { limit: 20, next, ...window });
  } catch (err) {
    box.append(failed('events unavailable', err));
    return;
  }
  const rows = page.data.map((e) => [fmtTime(e.timestamp), e.type, e.event ?? e.name ?? '', e.source_id, e.context?.device?.type ?? '', e.context?.location?.country ?? '', h('code', { class: 'small' }, e.message_id)]);
  const existing = box.querySelector('tbody');
  if (existing) for (const r of rows) existing.append(h('tr', {}, r.map((c) => h('td', {}, c))));
  else box.append(table(['time', 'call', 'name', 'channel', 'device', 'country', 'message id'], rows, { 'data-testid': 'events' }));
  box.querySelector('button.more')?.remove();
  if (page.cursor.has_more) box.append(h('button', { class: 'more', onclick: () => loadEvents(box, id, window, page.cursor.next) }, 'older events'));
}

function explainForm(identifiers) {
  const options = identifiers.map((i) => `${i.type}:${i.value}`);
  const pick = (name, selected) => h('select', { name, 'aria-label': name }, options.map((o) => h('option', { value: o, selected: o === selected }, o)));
  const a = pick('a', options[0]);
  const b = pick('b', options[options.length - 1]);
  const out = h('div', { 'data-testid': 'explain' });
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      out.replaceChildren(h('p', { class: 'muted' }, 'explaining…'));
      try {
        const r = await get('/v1/explain', { a: a.value, b: b.value });
        if (!r.linked) { out.replaceChildren(h('p', {}, `${r.a.identifier} and ${r.b.identifier} are not in one profile.`)); return; }
        const events = new Map(Array.isArray(r.events) ? r.events.map((e) => [e.messageId, e]) : []);
        out.replaceChildren(r.chain.length === 0 ? h('p', {}, 'the same identifier') : h('ol', { class: 'chain' }, r.chain.map((l) => {
          const e = events.get(l.messageId);
          return h('li', {}, h('code', {}, l.from), ' → ', h('code', {}, l.to), h('br'),
            h('span', { class: 'muted' }, `event ${l.messageId} at ${fmtTime(l.eventTime)}${e ? ` · ${e.type}${e.event ? ` ${e.event}` : ''} via ${e.source} carrying ${e.identifiers.join(', ')}` : ''}`));
        })));
      } catch (err) {
        out.replaceChildren(failed('explain failed', err));
      }
    },
  }, a, ' and ', b, h('button', { type: 'submit' }, 'Explain'));
  return h('div', {}, form, out);
}
