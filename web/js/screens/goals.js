// goals.js — SMART goals on a metric of the reports (GET/POST /goals,
// DELETE /goals/{id}): each goal's progress from its baseline towards its
// target, the time gone, and where the trend lands by the deadline.
import { h, replace, announce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, post, request } from '../api.js';
import { METRICS, metricName, metricValue } from './reports.js';

export const name = 'goals';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const pct = (v) => `${Math.round(Math.max(0, Math.min(1, v || 0)) * 100)}%`;
const day = (iso) => String(iso || '').slice(0, 10);

/** Two bars: progress to the target and time gone; the text says the same. */
function progressChart(st) {
  const w = 360, bar = (y, v, cls) => [s('rect', { x: 0, y, width: w, height: 12, rx: 6, class: 'track' }),
    s('rect', { x: 0, y, width: Math.max(2, w * Math.max(0, Math.min(1, v || 0))), height: 12, rx: 6, class: cls })];
  const desc = t('goals.alt', { progress: pct(st.progress), time: pct(st.time_elapsed) });
  return s('svg', { viewBox: `0 0 ${w} 34`, class: 'goal-chart', role: 'img', 'aria-label': desc },
    s('title', {}, desc), ...bar(0, st.progress, st.achieved || st.on_track ? 'fill-good' : 'fill-bad'), ...bar(20, st.time_elapsed, 'fill-time'));
}

function goalCard(g, onDelete) {
  const st = g.status || {};
  const m = g.goal.metric;
  const fmt = (v) => metricValue(m, v);
  const state = st.achieved ? 'achieved' : !st.judged ? 'early' : st.on_track ? 'ontrack' : 'offtrack';
  const del = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `${t('admin.delete')}: ${g.goal.title || metricName(m)}` }, t('admin.delete'));
  del.addEventListener('click', async () => {
    if (del.dataset.confirm !== 'yes') { del.dataset.confirm = 'yes'; del.textContent = t('admin.confirmdelete'); return; }
    await request('DELETE', `/goals/${g.id}`);
    announce(t('admin.deleted'));
    onDelete();
  });
  return h('li', { class: `goal goal-${state}`, 'data-goal-id': g.id, 'data-state': state },
    h('div', { class: 'goal-head' }, h('h3', {}, g.goal.title || metricName(m)), h('span', { class: `chip goal-state` }, t(`goals.state.${state}`))),
    h('p', { class: 'small muted' }, metricName(m), g.goal.group && g.goal.group !== 'all' ? ` · ${t(`reports.group.${g.goal.group}`)}: ${g.goal.key}` : '',
      ` · ${day(g.goal.start)} → ${day(g.goal.deadline)}`),
    progressChart(st),
    h('p', { class: 'small muted', 'aria-hidden': 'true' }, t('goals.alt', { progress: pct(st.progress), time: pct(st.time_elapsed) })),
    h('dl', { class: 'goal-numbers' },
      h('dt', {}, t('goals.baseline')), h('dd', {}, fmt(st.baseline)),
      h('dt', {}, t('goals.current')), h('dd', {}, fmt(st.current)),
      h('dt', {}, t('goals.target')), h('dd', {}, fmt(st.target)),
      h('dt', {}, t('goals.projected')), h('dd', {}, fmt(st.projected))),
    st.message ? h('p', { class: 'small' }, st[`message_${getLang()}`] ?? st.message) : null,
    del);
}

export function render(main) {
  const list = h('ul', { class: 'goals-list', id: 'goals-list' });
  const msg = h('p', { role: 'status', class: 'small', id: 'goal-msg' });
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  const metric = h('select', { id: 'g-metric' }, METRICS.map((x) => h('option', { value: x, selected: x === 'ttr_p50_ms' }, metricName(x))));
  const title = h('input', { id: 'g-title', maxlength: 200 });
  const change = h('input', { id: 'g-change', type: 'number', value: '-20', step: 'any', required: true, 'aria-describedby': 'g-change-hint' });
  const baseFrom = h('input', { id: 'g-bfrom', type: 'date', value: iso(new Date(today - 30 * 86400000)), required: true });
  const baseTo = h('input', { id: 'g-bto', type: 'date', value: iso(today), required: true });
  const start = h('input', { id: 'g-start', type: 'date', value: iso(today), required: true });
  const deadline = h('input', { id: 'g-deadline', type: 'date', value: iso(new Date(+today + 90 * 86400000)), required: true });
  const field = (input, label, hint) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input,
    hint ? h('p', { class: 'small muted', id: `${input.id}-hint` }, hint) : null);

  const refresh = async () => {
    try {
      const r = await get('/goals');
      const goals = r?.goals || [];
      replace(list, goals.length ? goals.map((g) => goalCard(g, refresh)) : h('li', { class: 'muted' }, t('goals.none')));
    } catch (err) {
      replace(list, h('li', { class: err.status === 404 ? 'notice' : 'form-error' },
        err.status === 404 ? t('admin.unavailable', { route: '/api/v1/goals' }) : t('error.generic', { msg: err.message })));
    }
  };

  const form = h('form', { class: 'admin-form', id: 'goal-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = { metric: metric.value, baseline: { from: `${baseFrom.value}T00:00:00Z`, to: `${baseTo.value}T00:00:00Z` },
      target: { relative: Number(change.value) / 100 }, start: `${start.value}T00:00:00Z`, deadline: `${deadline.value}T00:00:00Z` };
    if (title.value.trim()) body.title = title.value.trim();
    try {
      await post('/goals', body);
      msg.textContent = t('admin.created');
      title.value = '';
      await refresh();
    } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
  } },
  h('h2', {}, t('goals.add')),
  field(title, t('goals.title.field')), field(metric, t('reports.metric')),
  field(change, t('goals.change'), t('goals.changehint')),
  h('fieldset', {}, h('legend', {}, t('goals.baselinewindow')), field(baseFrom, t('reports.from')), field(baseTo, t('reports.to'))),
  field(start, t('goals.start')), field(deadline, t('goals.deadline')),
  h('button', { type: 'submit', class: 'btn btn-primary', id: 'goal-submit' }, t('admin.create')), msg);

  main.append(h('div', { class: 'goals' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('goals.heading'))),
    h('p', { class: 'muted' }, t('goals.lead')),
    h('section', { class: 'panel', 'aria-label': t('goals.heading') }, list),
    h('section', { class: 'panel' }, form)));
  refresh();
  return null;
}
