// supervisor.js — live queue and agent load, alerts, charts with drill-down, CSV export.
import { h, replace, debounce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, post, optional, liveEvents, fetchBlob } from '../api.js';
import { barChart, lineChart, mixBar, chartBlock, csvText, download } from '../charts.js';
import {
  emotionOf, isEscalated, EMOTIONS, CHANNELS, emotionName, categoryName, toMs, slaDue, when,
} from '../format.js';
import { ticketRow, byUrgency } from './inbox.js';
import { ticketsBehind } from './reports.js';
import { alertTitle, alertKind, drillHref } from './alerts.js';

export const name = 'supervisor';
const DAY = 86400000;
const HOSTILE = new Set(['anger', 'frustration']);
const OPEN = new Set(['new', 'open', 'pending']);

function countBy(list, keyFn) {
  const m = new Map();
  for (const x of list) { const k = keyFn(x); if (k !== undefined && k !== null) m.set(k, (m.get(k) || 0) + 1); }
  return m;
}

/** Alerts computed from tickets: escalations and SLA breaches (the server adds spikes). */
export function localAlerts(tickets, now = Date.now()) {
  const out = [];
  const esc = tickets.filter((x) => isEscalated(x) && OPEN.has(x.status));
  if (esc.length) out.push({ kind: 'escalation', title: t('alerts.escalations', { n: esc.length }), ticket_ids: esc.map((x) => x.id) });
  const late = tickets.filter((x) => { const d = slaDue(x); return d && d.due < now; });
  if (late.length) out.push({ kind: 'sla_breach', title: t('alerts.breaches', { n: late.length }), ticket_ids: late.map((x) => x.id) });
  return out;
}


function csvOf(tickets) {
  const cols = ['id', 'subject', 'status', 'priority', 'category', 'channel', 'emotion', 'risk', 'escalated', 'assignee_id', 'created_at', 'resolved_at'];
  return csvText([cols, ...tickets.map((x) => [x.id, x.subject, x.status, x.priority, x.category, x.channel, emotionOf(x)?.name,
    typeof x.risk === 'number' ? x.risk : x.risk?.escalation ?? '', isEscalated(x) ? 1 : 0, x.assignee_id ?? '', x.created_at, x.resolved_at ?? ''])]);
}

/** The chart with a table of its numbers and a CSV of them. */
function block(chart, name, headers, rows) {
  return chartBlock(chart, { headers, rows, file: `parley-${name}-${new Date().toISOString().slice(0, 10)}.csv`,
    labels: { show: t('sup.astable'), csv: t('sup.csv') } });
}
const nodata = (key = 'sup.nodata') => h('p', { class: 'muted' }, t(key));

export function render(main, { navigate }) {
  const drill = (q) => navigate(`#/inbox?${new URLSearchParams({ status: 'new,open,pending,resolved,closed', ...q })}`);
  const section = (id, title, ...body) => h('section', { class: 'panel', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), ...body);

  const alertsBox = h('div', { id: 'alerts-list' });
  const queueBox = h('div');
  const loadBox = h('div');
  const csatBox = h('div'), ttrBox = h('div'), emoBox = h('div'), catBox = h('div'), chanBox = h('div'), exposureBox = h('div');
  let people = [];
  const exportBtn = h('button', { type: 'button', class: 'btn', id: 'export-csv' }, '⬇ ', t('sup.export'));
  const stamp = h('p', { class: 'muted small', role: 'status' });
  let tickets = [];

  main.append(h('div', { class: 'supervisor' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('sup.title')), exportBtn),
    stamp,
    h('div', { class: 'grid-2' },
      section('alerts', t('sup.alerts'), alertsBox, h('a', { href: '#/alerts', id: 'all-alerts' }, t('sup.allalerts'))),
      section('load', t('sup.load'), loadBox)),
    section('queue', t('sup.queue'), queueBox),
    h('div', { class: 'grid-2' },
      section('chart-csat', t('sup.csat'), csatBox),
      section('chart-ttr', t('sup.ttr'), ttrBox),
      section('chart-emotions', t('sup.emotions'), emoBox),
      section('chart-category', t('sup.bycategory'), catBox),
      section('chart-channel', t('sup.bychannel'), chanBox),
      section('chart-exposure', t('sup.exposure'), h('p', { class: 'muted small' }, t('sup.exposurelead')), exposureBox))));

  exportBtn.addEventListener('click', async () => {
    // The server's report when it has one (cookie or bearer), else the loaded tickets.
    const blob = await fetchBlob('/reports/tickets.csv').catch(() => null);
    const name = `parley-tickets-${new Date().toISOString().slice(0, 10)}.csv`;
    if (blob) download(name, blob); else download(name, csvOf(tickets));
  });

  function paintAlerts(server) {
    const list = [...(server || []), ...localAlerts(tickets)];
    if (!list.length) { replace(alertsBox, h('p', { class: 'muted' }, t('alerts.none'))); return; }
    replace(alertsBox, h('ul', { class: 'alerts' }, list.map((a) => {
      const kind = a.kind || 'alert';
      const ids = a.ticket_ids || [];
      const href = drillHref(a);
      return h('li', { class: `alert alert-${kind}`, 'data-kind': kind },
        h('span', { class: 'alert-kind' }, alertKind(a)),
        h('span', { class: 'alert-title' }, alertTitle(a)),
        a.created_at ? h('time', { class: 'muted small' }, when(a.created_at)) : null,
        a.id && !a.acknowledged_at ? h('button', { type: 'button', class: 'btn btn-small ack', 'aria-label': `${t('alerts.ack')}: ${alertTitle(a)}`,
          onclick: async (e) => {
            e.target.disabled = true;
            try { await post(`/alerts/${a.id}/ack`, {}); reload(); } catch (err) { e.target.disabled = false; stamp.textContent = t('error.generic', { msg: err.message }); }
          } }, t('alerts.ack')) : null,
        href ? h('a', { class: 'btn btn-small drill', href }, ids.length ? t('alerts.show', { n: ids.length }) : t('alerts.showcat')) : null);
    })));
  }

  function paintLoad(users) {
    const open = tickets.filter((x) => OPEN.has(x.status));
    const load = countBy(open, (x) => x.assignee_id ?? x.assignee?.id ?? 0);
    const hostile = countBy(tickets.filter((x) => HOSTILE.has(emotionOf(x)?.name)), (x) => x.assignee_id ?? 0);
    const agents = (users || []).filter((u) => u.role !== 'integration');
    const ids = new Set([...agents.map((u) => u.id), ...load.keys()]);
    ids.delete(0);
    const rows = [...ids].map((uid) => {
      const u = agents.find((x) => x.id === uid);
      return { uid, name: u?.name || u?.email || `#${uid}`, open: load.get(uid) || 0, hostile: hostile.get(uid) || 0,
        wellbeing: u?.wellbeing };
    }).sort((a, b) => b.open - a.open);
    replace(loadBox, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('sup.agent')), h('th', { scope: 'col' }, t('sup.open')), h('th', { scope: 'col' }, t('sup.hostile')))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('th', { scope: 'row' }, r.name),
        h('td', {}, h('a', { href: `#/inbox?assignee=${r.uid}` }, String(r.open))),
        h('td', { class: r.hostile >= 3 ? 'warn' : '' }, String(r.hostile)))),
      h('tr', {}, h('th', { scope: 'row' }, t('props.unassigned')), h('td', {}, h('a', { href: '#/inbox?assignee=0' }, String(load.get(0) || 0))), h('td', {}, '')))));
  }

  function paintCharts(metrics) {
    // Emotions
    const emo = countBy(tickets, (x) => emotionOf(x)?.name);
    const emoItems = EMOTIONS.map((e) => ({ key: e, label: emotionName(e), value: emo.get(e) || 0 }));
    replace(emoBox, emo.size ? block(mixBar(emoItems, { title: t('sup.emotions'), onSelect: (it) => drill({ emotion: it.key }) }),
      'emotions', [t('sup.col.emotion'), t('sup.col.tickets')], emoItems.map((i) => [i.label, i.value])) : nodata());
    // Categories and channels
    const cats = [...countBy(tickets, (x) => x.category || '').entries()].sort((a, b) => b[1] - a[1])
      .map(([k, v]) => ({ key: k, label: categoryName(k), value: v }));
    replace(catBox, cats.length ? block(barChart(cats, { title: t('sup.bycategory'), onSelect: (it) => drill({ category: it.key }) }),
      'categories', [t('sup.col.category'), t('sup.col.tickets')], cats.map((i) => [i.label, i.value])) : nodata());
    const ch = countBy(tickets, (x) => x.channel);
    const chans = CHANNELS.filter((c) => ch.get(c)).map((c) => ({ key: c, label: t(`channel.${c}`), value: ch.get(c) }));
    replace(chanBox, chans.length ? block(barChart(chans, { title: t('sup.bychannel'), onSelect: (it) => drill({ channel: it.key }) }),
      'channels', [t('sup.col.channel'), t('sup.col.tickets')], chans.map((i) => [i.label, i.value])) : nodata());
    paintExposure();
    // Time to resolution by day (median), from the server's series or the tickets.
    const series = metrics?.series || metrics?.days || null;
    let ttr = [];
    if (series && series.some((d) => d.ttr_p50_ms ?? d.ttr_median_ms)) {
      ttr = series.filter((d) => d.ttr_p50_ms ?? d.ttr_median_ms).map((d) => ({ x: toMs(d.from ?? d.day ?? d.date), y: (d.ttr_p50_ms ?? d.ttr_median_ms) / 3600000 }));
    } else {
      const byDay = new Map();
      for (const x of tickets) {
        const r = toMs(x.resolved_at), c = toMs(x.created_at);
        if (!r || !c) continue;
        const day = Math.floor(r / DAY) * DAY;
        if (!byDay.has(day)) byDay.set(day, []);
        byDay.get(day).push(r - c);
      }
      ttr = [...byDay.entries()].sort((a, b) => a[0] - b[0]).map(([day, v]) => {
        v.sort((a, b) => a - b);
        return { x: day, y: v[Math.floor(v.length / 2)] / 3600000 };
      });
    }
    const hours = (v) => (v < 1 ? t('dur.m', { m: Math.round(v * 60) }) : t('dur.hours', { h: Math.round(v * 10) / 10 }));
    // A day's point drills to the tickets behind its number (GET /reports/tickets),
    // else to the tickets resolved that day among those loaded.
    const dayDrill = (metric) => async (p) => {
      const day = Math.floor(p.x / DAY) * DAY;
      let ids = await ticketsBehind(metric, { from: new Date(day).toISOString(), to: new Date(day + DAY).toISOString() }).catch(() => null);
      if (!ids) ids = tickets.filter((x) => { const r = toMs(x.resolved_at); return r && Math.floor(r / DAY) * DAY === day; }).map((x) => x.id);
      drill(ids.length ? { ids: ids.join(',') } : { status: 'resolved,closed' });
    };
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    replace(ttrBox, ttr.length ? block(lineChart(ttr, { title: t('sup.ttr'), format: hours, onSelect: dayDrill('ttr_p50_ms'), yMin: 0 }),
      'time-to-resolution', [t('sup.col.day'), t('sup.col.hours')], ttr.map((p) => [day(p.x), Math.round(p.y * 100) / 100])) : nodata());
    const csat = (series || []).filter((d) => typeof (d.csat_mean ?? d.csat) === 'number' && (d.csat_mean ?? d.csat) > 0).map((d) => ({ x: toMs(d.from ?? d.day ?? d.date), y: d.csat_mean ?? d.csat }));
    replace(csatBox, csat.length ? block(lineChart(csat, { title: t('sup.csat'), format: (v) => v.toFixed(1), yMin: 1, onSelect: dayDrill('csat_mean') }),
      'csat', [t('sup.col.day'), t('sup.col.csat')], csat.map((p) => [day(p.x), Math.round(p.y * 100) / 100])) : nodata('sup.nocsat'));
  }

  /** Hostile conversations (anger, frustration) each agent has handled in the window. */
  function paintExposure() {
    const hostile = countBy(tickets.filter((x) => HOSTILE.has(emotionOf(x)?.name) && x.assignee_id), (x) => x.assignee_id);
    const items = [...hostile.entries()].sort((a, b) => b[1] - a[1]).map(([uid, n]) => {
      const u = people.find((p) => p.id === uid);
      return { key: uid, label: u?.name || u?.email || `#${uid}`, value: n, cls: n >= 3 ? 'bar-warn' : '' };
    });
    replace(exposureBox, items.length ? block(barChart(items, { title: t('sup.exposure'), onSelect: (it) => drill({ assignee: it.key }) }),
      'hostile-exposure', [t('sup.agent'), t('sup.hostile')], items.map((i) => [i.label, i.value])) : nodata());
  }

  async function load() {
    try {
      const [r, users, alerts, metrics] = await Promise.all([
        get('/tickets', { status: 'new,open,pending,resolved,closed', sort: 'created', order: 'desc', limit: 500 }),
        optional('/users').catch(() => null),
        optional('/alerts').catch(() => null),
        optional('/metrics', { granularity: 'day', periods: 30, from: new Date(Date.now() - 30 * DAY).toISOString(), to: new Date().toISOString() }).catch(() => null),
      ]);
      tickets = r?.tickets || [];
      const queue = tickets.filter((x) => OPEN.has(x.status)).sort(byUrgency).slice(0, 10);
      replace(queueBox, queue.length ? h('ul', { class: 'ticket-list' }, queue.map(ticketRow)) : h('p', { class: 'muted' }, t('inbox.empty')),
        h('a', { href: '#/inbox' }, t('sup.fullqueue')));
      paintAlerts(alerts?.alerts || (Array.isArray(alerts) ? alerts : null));
      people = users?.users || (Array.isArray(users) ? users : []);
      paintLoad(people);
      paintCharts(metrics);
      stamp.textContent = t('sup.updated', { time: new Date().toLocaleTimeString(getLang() === 'ru' ? 'ru-RU' : 'en-GB') });
    } catch (e) {
      stamp.textContent = t('error.generic', { msg: e.message });
    }
  }

  const reload = debounce(load, 1000);
  const stop = liveEvents(() => reload());
  load();
  return () => stop();
}
