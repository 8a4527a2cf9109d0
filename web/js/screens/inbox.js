// inbox.js — the agent's queue, most urgent first, updated live.
import { h, replace, announce, debounce } from '../dom.js';
import { t } from '../i18n.js';
import { get, liveEvents, getSession } from '../api.js';
import {
  emotionOf, emotionBadge, channelLabel, priorityBadge, riskBadge, riskOf, slaCountdown,
  refreshCountdowns, statusName, when, STATUSES, toMs, emotionName, CHANNELS, categoryName, isEscalated,
} from '../format.js';

export const name = 'inbox';

const PRIO_RANK = { urgent: 3, high: 2, normal: 1, low: 0 };

/** Most urgent first: priority, then escalation, then risk, then SLA due, then age. */
export function byUrgency(a, b) {
  const pa = typeof a.priority === 'number' ? a.priority : PRIO_RANK[a.priority] ?? 1;
  const pb = typeof b.priority === 'number' ? b.priority : PRIO_RANK[b.priority] ?? 1;
  if (pa !== pb) return pb - pa;
  if (isEscalated(a) !== isEscalated(b)) return isEscalated(a) ? -1 : 1;
  const ra = riskOf(a) ?? 0, rb = riskOf(b) ?? 0;
  if (ra !== rb) return rb - ra;
  return (toMs(a.created_at) ?? 0) - (toMs(b.created_at) ?? 0);
}

export function ticketRow(tk) {
  const emo = emotionOf(tk);
  const customer = tk.customer_name ?? tk.customer?.name;
  return h('li', { class: ['ticket-row', isEscalated(tk) && 'is-escalated'], 'data-ticket-id': tk.id,
    'data-emotion': emo?.name || '' },
    h('div', { class: 'row-main' },
      h('a', { href: `#/ticket/${tk.id}`, class: 'ticket-link' },
        h('span', { class: 'ticket-id' }, `#${tk.id}`), ' ', tk.subject || t('ticket.nosubject')),
      h('div', { class: 'row-sub muted' },
        customer ? h('span', {}, customer) : null,
        h('span', {}, statusName(tk.status)),
        tk.category ? h('span', {}, categoryName(tk.category)) : null,
        h('span', {}, when(tk.updated_at || tk.created_at)))),
    h('div', { class: 'row-tags' },
      priorityBadge(tk.priority), emotionBadge(emo), riskBadge(tk), slaCountdown(tk), channelLabel(tk.channel)));
}

export function render(main, { query, navigate }) {
  const me = getSession();
  const filters = {
    status: query.get('status') || 'new,open,pending',
    category: query.get('category') || '',
    channel: query.get('channel') || '',
    emotion: query.get('emotion') || '',
    assignee: query.get('assignee') || '',
    ids: query.get('ids') || '',
  };
  let tickets = [];
  let cursor = null;

  const list = h('ul', { class: 'ticket-list', id: 'ticket-list', 'aria-live': 'polite', 'aria-busy': 'true' });
  const status = h('p', { class: 'muted', role: 'status' });
  const more = h('button', { type: 'button', class: 'btn', hidden: true, onclick: () => load(true) }, t('inbox.more'));
  const liveDot = h('span', { class: 'live-state', id: 'live-state' }, t('live.connecting'));

  const setFilter = (k, v) => {
    const q = new URLSearchParams();
    for (const [key, val] of Object.entries({ ...filters, [k]: v })) if (val && !(key === 'status' && val === 'new,open,pending')) q.set(key, val);
    navigate(`#/inbox${q.toString() ? `?${q}` : ''}`);
  };
  const select = (id, label, value, options, onchange) => h('div', { class: 'field-inline' },
    h('label', { for: id }, label),
    h('select', { id, onchange: (e) => onchange(e.target.value) },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));

  const toolbar = h('div', { class: 'toolbar', role: 'search' },
    select('f-status', t('inbox.filter.status'), filters.status, [
      ['new,open,pending', t('inbox.filter.active')], ...STATUSES.map((s) => [s, statusName(s)]),
      ['new,open,pending,resolved,closed', t('inbox.filter.all')]], (v) => setFilter('status', v)),
    select('f-channel', t('inbox.filter.channel'), filters.channel, [['', t('inbox.filter.any')],
      ...CHANNELS.map((c) => [c, t(`channel.${c}`)])], (v) => setFilter('channel', v)),
    select('f-assignee', t('inbox.filter.assignee'), filters.assignee, [['', t('inbox.filter.anyone')],
      ...(me?.id ? [[String(me.id), t('inbox.filter.mine')]] : []), ['0', t('inbox.filter.unassigned')]],
      (v) => setFilter('assignee', v)),
    liveDot);

  const chips = [];
  if (filters.category) chips.push(['category', `${t('inbox.filter.category')}: ${filters.category}`]);
  if (filters.emotion) chips.push(['emotion', `${t('inbox.filter.emotion')}: ${emotionName(filters.emotion)}`]);
  if (filters.ids) chips.push(['ids', t('inbox.filter.ids', { n: filters.ids.split(',').length })]);
  const chipBar = chips.length ? h('div', { class: 'chips' }, chips.map(([k, text]) =>
    h('button', { type: 'button', class: 'chip chip-remove', 'aria-label': t('inbox.filter.remove', { f: text }),
      onclick: () => setFilter(k, '') }, text, ' ×'))) : null;

  main.append(h('section', { class: 'inbox', 'aria-labelledby': 'inbox-title' },
    h('div', { class: 'screen-head' }, h('h1', { id: 'inbox-title' }, t('inbox.title'))),
    toolbar, chipBar, status, list, more));

  function matches(tk) {
    if (filters.emotion && emotionOf(tk)?.name !== filters.emotion) return false;
    if (filters.ids && !filters.ids.split(',').includes(String(tk.id))) return false;
    if (filters.category && tk.category !== filters.category) return false;
    if (filters.channel && tk.channel !== filters.channel) return false;
    return true;
  }

  function paint() {
    const shown = tickets.filter(matches).sort(byUrgency);
    replace(list, shown.map(ticketRow));
    list.setAttribute('aria-busy', 'false');
    status.textContent = shown.length ? t('inbox.count', { n: shown.length }) : t('inbox.empty');
    more.hidden = !cursor;
  }

  async function load(append = false) {
    try {
      const r = await get('/tickets', {
        status: filters.status, sort: 'priority', order: 'desc', limit: 100,
        category: filters.category, channel: filters.channel, assignee: filters.assignee,
        ids: filters.ids, cursor: append ? cursor : undefined,
      });
      const page = r?.tickets || [];
      tickets = append ? tickets.concat(page) : page;
      cursor = r?.next_cursor || null;
      paint();
    } catch (e) {
      status.textContent = t('error.generic', { msg: e.message });
    }
  }

  const reload = debounce(() => load(false), 300);
  const stop = liveEvents((ev) => {
    if (!ev.type || ev.type.startsWith('ticket.') || ev.type.startsWith('message.')) {
      if (ev.type === 'message.inbound' || ev.type === 'ticket.created') {
        announce(t('live.newmessage', { id: ev.ticket_id ?? '' }));
      }
      reload();
    }
  }, { onState: (s) => { liveDot.textContent = t(`live.${s}`); liveDot.dataset.state = s; } });
  const timer = setInterval(() => refreshCountdowns(list), 30000);
  load();
  return () => { stop(); clearInterval(timer); };
}
