// reports.js — any metric over time or by group (GET /reports), each point
// or bar drilling down to the tickets behind it (GET /reports/tickets),
// with the numbers as a table and the server's CSV.
import { h, replace, announce } from '../dom.js';
import { t, tMaybe } from '../i18n.js';
import { get, fetchBlob } from '../api.js';
import { barChart, lineChart, chartBlock, download } from '../charts.js';
import { categoryName } from '../format.js';

export const name = 'reports';

export const METRICS = ['created', 'resolved', 'reopened', 'escalated', 'repeat_contacts', 'frt_p50_ms', 'frt_p90_ms',
  'ttr_p50_ms', 'ttr_p90_ms', 'aht_mean_ms', 'fcr_rate', 'reopen_rate', 'escalation_rate', 'sla_first_rate',
  'sla_resolve_rate', 'csat_mean', 'csat_satisfied_share', 'nps', 'sentiment_mean', 'negative_share', 'backlog_end'];
const NO_DRILL = new Set(['backlog_end']);
const GROUPS = ['all', 'agent', 'team', 'category', 'channel', 'priority'];
const PERIODS = ['day', 'week', 'month'];
const DAY = 86400000;

export const metricName = (m) => tMaybe(`metric.${m}`) ?? m;

/** A metric's value in words: durations in minutes or hours, rates in percent. */
export function metricValue(metric, v) {
  if (typeof v !== 'number') return '—';
  if (metric.endsWith('_ms')) return v >= 3600000 ? t('dur.hours', { h: Math.round(v / 360000) / 10 }) : t('dur.m', { m: Math.round(v / 60000) });
  if (metric.endsWith('_rate') || metric.endsWith('_share')) return `${Math.round(v * 1000) / 10}%`;
  return String(Math.round(v * 100) / 100);
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The tickets behind one number: ids from GET /reports/tickets. */
export async function ticketsBehind(metric, { group = 'all', key, from, to }) {
  const r = await get('/reports/tickets', { metric, group: group === 'all' ? undefined : group, key, from, to, limit: 500 });
  return r?.tickets || [];
}

/** Downloads a server CSV with the session (cookie, or bearer in token mode). */
export async function serverCsv(path, query, file) {
  download(file, await fetchBlob(path, query));
}

export function render(main, { query, navigate }) {
  const today = Date.now();
  const state = {
    metric: METRICS.includes(query.get('metric')) ? query.get('metric') : 'created',
    group: GROUPS.includes(query.get('group')) ? query.get('group') : 'all',
    period: PERIODS.includes(query.get('period')) ? query.get('period') : 'day',
    from: query.get('from') || isoDay(today - 29 * DAY),
    to: query.get('to') || isoDay(today),
  };
  const select = (id, values, current, label) => h('select', { id }, values.map((v) => h('option', { value: v, selected: v === current }, label(v))));
  const metricSel = select('r-metric', METRICS, state.metric, metricName);
  const groupSel = select('r-group', GROUPS, state.group, (g) => t(`reports.group.${g}`));
  const periodSel = select('r-period', PERIODS, state.period, (p) => t(`reports.period.${p}`));
  const fromIn = h('input', { id: 'r-from', type: 'date', value: state.from, required: true });
  const toIn = h('input', { id: 'r-to', type: 'date', value: state.to, required: true });
  const chartBox = h('div', { id: 'report-chart' });
  const drillBox = h('section', { class: 'panel', id: 'report-drill', 'aria-live': 'polite', hidden: true });
  const msg = h('p', { class: 'small', role: 'status' });
  const field = (id, label, input) => h('div', { class: 'field-inline' }, h('label', { for: id }, label), input);

  const form = h('form', { class: 'toolbar panel', id: 'report-form', onsubmit: (e) => {
    e.preventDefault();
    const q = { metric: metricSel.value, group: groupSel.value, period: periodSel.value, from: fromIn.value, to: toIn.value };
    navigate(`#/reports?${new URLSearchParams(q)}`);
  } },
  field('r-metric', t('reports.metric'), metricSel), field('r-group', t('reports.group'), groupSel),
  field('r-period', t('reports.period'), periodSel), field('r-from', t('reports.from'), fromIn), field('r-to', t('reports.to'), toIn),
  h('button', { type: 'submit', class: 'btn btn-primary' }, t('reports.show')),
  h('button', { type: 'button', class: 'btn', id: 'report-csv', onclick: () => serverCsv('/reports',
    { metric: state.metric, group: state.group, period: state.period, from: state.from, to: range().to, format: 'csv' },
    `parley-report-${state.metric}-${state.from}.csv`).catch((err) => { msg.textContent = t('error.generic', { msg: err.message }); }) },
  '⬇ ', t('reports.csv')));

  main.append(h('div', { class: 'reports' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('reports.title'))),
    form, msg,
    h('section', { class: 'panel', 'aria-labelledby': 'report-title' },
      h('h2', { id: 'report-title' }, metricName(state.metric), ' — ', t(`reports.group.${state.group}`)),
      h('p', { class: 'muted small' }, NO_DRILL.has(state.metric) ? t('reports.nodrill') : t('reports.drillhint')),
      chartBox),
    drillBox));

  // The API's range is [from, to): the "to" day is included.
  const range = () => ({ from: `${state.from}T00:00:00Z`, to: new Date(Date.parse(`${state.to}T00:00:00Z`) + DAY).toISOString() });

  async function drill(label, { key, from, to }) {
    drillBox.hidden = false;
    replace(drillBox, h('h2', {}, t('reports.behind', { what: label })), h('p', { class: 'muted' }, t('reports.loading')));
    try {
      const ids = await ticketsBehind(state.metric, { group: state.group, key, from, to });
      replace(drillBox, h('h2', { id: 'drill-title' }, t('reports.behind', { what: label })),
        ids.length ? [h('p', {}, h('a', { class: 'btn', id: 'drill-inbox', href: `#/inbox?${new URLSearchParams({ status: 'new,open,pending,resolved,closed', ids: ids.join(',') })}` },
          t('alerts.show', { n: ids.length }))),
        h('ul', { class: 'drill-list' }, ids.slice(0, 50).map((id) => h('li', {}, h('a', { href: `#/ticket/${id}` }, `#${id}`))))]
          : h('p', { class: 'muted' }, t('reports.noneBehind')));
      announce(t('reports.behind', { what: label }));
      drillBox.querySelector('a')?.focus();
    } catch (err) {
      replace(drillBox, h('p', { class: 'form-error' }, t('error.generic', { msg: err.message })));
    }
  }

  function keyLabel(row) {
    if (state.group === 'category') return categoryName(row.key);
    if (state.group === 'channel') return tMaybe(`channel.${row.key}`) ?? row.key;
    if (state.group === 'priority') return tMaybe(`priority.${row.key}`) ?? row.key;
    return row.label || row.key || t('reports.group.all');
  }

  async function load() {
    let r;
    try {
      r = await get('/reports', { metric: state.metric, group: state.group, period: state.period, ...range() });
    } catch (err) {
      replace(chartBox, h('p', { class: err.status === 404 ? 'notice' : 'form-error' },
        err.status === 404 ? t('admin.unavailable', { route: '/api/v1/reports' }) : t('error.generic', { msg: err.message })));
      return;
    }
    const m = state.metric;
    const rows = (r?.rows || []).filter((x) => typeof x[m] === 'number');
    if (!rows.length) { replace(chartBox, h('p', { class: 'muted' }, t('sup.nodata'))); return; }
    const fmt = (v) => metricValue(m, v);
    const canDrill = !NO_DRILL.has(m);
    const periodLabel = (row) => (state.period === 'day' ? isoDay(Date.parse(row.period_start)) : `${isoDay(Date.parse(row.period_start))} – ${isoDay(Date.parse(row.period_end) - 1)}`);
    const headers = [t('reports.col.period'), t('reports.col.group'), metricName(m)];
    const tableRows = rows.map((x) => [periodLabel(x), keyLabel(x), fmt(x[m])]);
    const file = `parley-${m}-${state.group}-${state.from}.csv`;
    let chart;
    if (state.group === 'all') {
      const points = rows.map((x) => ({ x: Date.parse(x.period_start), y: x[m], label: periodLabel(x), row: x }));
      chart = lineChart(points, { title: metricName(m), format: fmt, yMin: 0,
        onSelect: canDrill ? (p) => drill(`${metricName(m)}, ${p.label}`, { from: p.row.period_start, to: p.row.period_end }) : null });
    } else {
      // One bar per group for the latest period that has data (the table has every period).
      const last = rows.reduce((a, x) => (Date.parse(x.period_start) > Date.parse(a.period_start) ? x : a), rows[0]);
      const cur = rows.filter((x) => x.period_start === last.period_start).sort((a, b) => b[m] - a[m]);
      chart = h('div', {}, h('p', { class: 'small muted' }, t('reports.latest', { period: periodLabel(last) })),
        barChart(cur.map((x) => ({ key: x.key, label: keyLabel(x), value: x[m], row: x })), { title: metricName(m), format: fmt,
          onSelect: canDrill ? (it) => drill(`${metricName(m)}, ${it.label}, ${periodLabel(it.row)}`,
            { key: it.key, from: it.row.period_start, to: it.row.period_end }) : null }));
    }
    replace(chartBox, chartBlock(chart, { headers, rows: tableRows, file, labels: { show: t('sup.astable'), csv: t('sup.csv') } }));
  }

  load();
  return null;
}
