// alerts.js — the alerts the server's detectors raised (GET /alerts): complaint
// spikes, missed service standards, goals off track. Open ones first, or all
// of them with who acknowledged each; a supervisor acknowledges one
// (POST /alerts/{id}/ack) and drills into the tickets behind a spike. Live:
// a new or acknowledged alert repaints the list.
import { h, replace, announce, debounce } from '../dom.js';
import { t, tMaybe, getLang } from '../i18n.js';
import { get, post, optional, liveEvents } from '../api.js';
import { categoryName, when } from '../format.js';
import { ticketRow } from './inbox.js';
import { metricName, metricValue } from './reports.js';

export const name = 'alerts';

const ALL = 'new,open,pending,resolved,closed';
const round = (v) => String(Math.round((v || 0) * 10) / 10);
export const alertKind = (a) => tMaybe(`alerts.kind.${a.kind}`) ?? a.kind ?? a.type;

/** One line saying what happened, in the UI language. */
export function alertTitle(a) {
  if (a.title) return a.title;      // computed on the console from the tickets
  const text = a[`message_${getLang()}`] ?? a.message;
  if (text) return text;
  if (a.kind === 'spike') {
    return t('alerts.spike', { category: categoryName(a.category), observed: round(a.observed), expected: round(a.expected) });
  }
  if (a.kind === 'deviation' && a.metric) {
    return t('alerts.deviation', { metric: metricName(a.metric), observed: metricValue(a.metric, a.observed), expected: metricValue(a.metric, a.expected) });
  }
  if (a.kind === 'goal') {
    return t('alerts.goal', { title: a.detail?.title || metricName(a.metric), projected: metricValue(a.metric, a.size), target: metricValue(a.metric, a.expected) });
  }
  return a.kind;
}

/** Where to see the tickets behind an alert: its samples, else its category. */
export function drillHref(a) {
  const ids = a.ticket_ids || [];
  if (ids.length) return `#/inbox?${new URLSearchParams({ status: ALL, ids: ids.join(',') })}`;
  if (a.category) return `#/inbox?${new URLSearchParams({ status: ALL, category: a.category })}`;
  return null;
}

function facts(a) {
  const d = a.detail || {};
  const row = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v)];
  if (a.kind === 'spike') {
    return h('dl', { class: 'facts small' },
      row('alerts.f.category', categoryName(a.category)),
      row('alerts.f.observed', round(a.observed)), row('alerts.f.expected', round(a.expected)),
      row('alerts.f.size', t('alerts.times', { x: round(a.size) })),
      d.started_at ? row('alerts.f.since', when(d.started_at)) : null);
  }
  if (a.kind === 'deviation') {
    return h('dl', { class: 'facts small' },
      row('alerts.f.metric', metricName(a.metric)),
      row('alerts.f.observed', metricValue(a.metric, a.observed)), row('alerts.f.standard', metricValue(a.metric, a.expected)),
      d.since ? row('alerts.f.since', when(d.since)) : null);
  }
  return null;
}

export function render(main) {
  const status = h('select', { id: 'alerts-status' },
    h('option', { value: 'open' }, t('alerts.filter.open')), h('option', { value: 'all' }, t('alerts.filter.all')));
  const list = h('ul', { class: 'alert-cards', id: 'alert-cards', 'aria-live': 'polite' });
  const msg = h('p', { class: 'small', role: 'status', id: 'alerts-msg' });
  let people = [];
  main.append(h('div', { class: 'alerts-screen' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'alerts-title' }, t('alerts.heading')),
      h('div', { class: 'field-inline' }, h('label', { for: 'alerts-status' }, t('alerts.filter')), status)),
    h('p', { class: 'muted' }, t('alerts.lead')), msg, list));

  const who = (id) => { const u = people.find((p) => p.id === id); return u?.name || u?.email || `#${id}`; };

  async function ack(a, button) {
    button.disabled = true;
    try {
      await post(`/alerts/${a.id}/ack`, {});
      announce(t('alerts.acked'));
      msg.textContent = t('alerts.acked');
      await load();
    } catch (err) {
      button.disabled = false;
      msg.textContent = t('error.generic', { msg: err.message });
    }
  }

  /** The sample tickets of a spike, fetched one by one (a detector keeps at most a handful). */
  async function samples(a, box) {
    const ids = a.ticket_ids || [];
    const tickets = (await Promise.all(ids.map((id) => get(`/tickets/${id}`, { lang: getLang() }).catch(() => null)))).filter(Boolean);
    replace(box, h('h3', {}, t('alerts.samples', { n: tickets.length })), h('ul', { class: 'ticket-list' }, tickets.map(ticketRow)));
  }

  function card(a) {
    const title = alertTitle(a);
    const acked = Boolean(a.acknowledged_at);
    const box = h('div', { class: 'alert-samples' });
    const href = drillHref(a);
    const el = h('li', { class: `alert-card alert-${a.kind}`, 'data-alert-id': a.id, 'data-kind': a.kind, 'data-acked': acked ? 'yes' : 'no' },
      h('div', { class: 'alert-head' },
        h('span', { class: 'alert-kind' }, alertKind(a)),
        h('h2', { class: 'alert-title' }, title),
        h('time', { class: 'muted small' }, when(a.created_at))),
      facts(a),
      h('div', { class: 'alert-actions' },
        acked ? h('p', { class: 'small acked' }, t('alerts.ackedby', { name: who(a.acknowledged_by), when: when(a.acknowledged_at) }))
          : h('button', { type: 'button', class: 'btn btn-small ack', 'aria-label': `${t('alerts.ack')}: ${title}`,
            onclick: (e) => ack(a, e.currentTarget) }, t('alerts.ack')),
        a.ticket_ids?.length ? h('button', { type: 'button', class: 'btn btn-small samples', 'aria-expanded': 'false',
          onclick: (e) => { e.currentTarget.setAttribute('aria-expanded', 'true'); e.currentTarget.disabled = true; samples(a, box); } },
          t('alerts.showsamples', { n: a.ticket_ids.length })) : null,
        href ? h('a', { class: 'btn btn-small drill', href }, a.ticket_ids?.length ? t('alerts.show', { n: a.ticket_ids.length }) : t('alerts.showcat')) : null,
        a.category && a.ticket_ids?.length ? h('a', { class: 'btn btn-small drill-category',
          href: `#/inbox?${new URLSearchParams({ status: ALL, category: a.category })}` }, t('alerts.allcat', { category: categoryName(a.category) })) : null),
      box);
    return el;
  }

  async function load() {
    try {
      const r = await get('/alerts', { status: status.value, limit: 200 });
      const alerts = r?.alerts || [];
      replace(list, alerts.length ? alerts.map(card) : h('li', { class: 'muted' }, t('alerts.none')));
    } catch (err) {
      replace(list, h('li', { class: err.status === 404 ? 'notice' : 'form-error' },
        err.status === 404 ? t('admin.unavailable', { route: '/api/v1/alerts' }) : t('error.generic', { msg: err.message })));
    }
  }

  status.addEventListener('change', load);
  optional('/users').then((r) => { people = r?.users || []; }).catch(() => {}).finally(load);
  const reload = debounce(load, 500);
  const stop = liveEvents((ev) => { if (String(ev.type || '').startsWith('alert')) reload(); });
  return () => stop();
}
