// status.js — the customer's view of a ticket: status.html?t=<token>.
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { statusName, when } from '../format.js';
import { mountCustomerPage, param } from './shell.js';

const STEPS = ['new', 'open', 'pending', 'resolved', 'closed'];

mountCustomerPage((body) => {
  const token = param('t') || param('token');
  const box = h('section', { class: 'card status-page', 'aria-labelledby': 'status-title' },
    h('h1', { id: 'status-title' }, t('statuspage.title')));
  body.append(box);
  if (!token) { box.append(h('p', { class: 'form-error' }, t('statuspage.invalid'))); return; }
  get(`/status/${encodeURIComponent(token)}`, undefined, { auth: false }).then((s) => {
    const idx = STEPS.indexOf(s.status);
    replace(box, h('h1', { id: 'status-title' }, t('statuspage.title')),
      h('p', { class: 'lead' }, h('strong', {}, `#${s.ticket_id ?? s.id} `), s.subject || ''),
      h('ol', { class: 'progress-steps', 'aria-label': t('statuspage.progress') }, STEPS.slice(0, 4).map((st, i) =>
        h('li', { class: [i < idx && 'done', i === idx && 'current'], 'aria-current': i === idx ? 'step' : null }, statusName(st)))),
      h('p', { id: 'status-now' }, t('statuspage.now', { status: statusName(s.status) }), ' · ', t('statuspage.updated', { time: when(s.updated_at) })),
      (s.messages || []).length ? h('ol', { class: 'chat-log' }, s.messages.map((m) => h('li', { class: ['bubble', m.kind === 'inbound' ? 'mine' : 'theirs'] },
        h('span', { class: 'bubble-who' }, m.kind === 'inbound' ? t('chat.you') : m.author_name || t('chat.agent')),
        h('p', { class: 'bubble-text' }, m.body ?? ''), h('time', { class: 'muted small' }, when(m.created_at))))) : null);
  }).catch((e) => {
    box.append(h('p', { class: 'form-error' }, e.status === 404 ? t('statuspage.invalid') : t('error.generic', { msg: e.message })));
  });
});
