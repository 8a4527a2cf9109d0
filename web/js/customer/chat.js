// chat.js — the customer's chat widget: the bot says it is a bot, a human is
// one click away, and agents' replies arrive live over SSE.
import { h, replace, announce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, post, liveEvents } from '../api.js';
import { when } from '../format.js';
import { mountCustomerPage } from './shell.js';

const KEY = 'parley.chat';
const load = () => { try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; } };
const save = (c) => { try { sessionStorage.setItem(KEY, JSON.stringify(c)); } catch { /* ignore */ } };

let chat = load();                // {id, token, handoff}
const seen = new Map();           // message id → message

mountCustomerPage((body) => {
  if (!chat) { renderStart(body); return null; }
  return renderChat(body);
});

function renderStart(body) {
  const name = h('input', { id: 'c-name', autocomplete: 'name' });
  const email = h('input', { id: 'c-email', type: 'email', autocomplete: 'email' });
  const first = h('textarea', { id: 'c-first', rows: 3, required: true });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'card chat-start', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const r = await post('/chat', { name: name.value.trim() || undefined, email: email.value.trim() || undefined,
        language: getLang(), body: first.value.trim() || undefined }, { auth: false });
      chat = { id: r.chat_id ?? r.id, token: r.token, handoff: !!r.handoff };
      save(chat);
      for (const m of r.messages || []) seen.set(m.id ?? `${seen.size}`, m);
      const box = body;
      replace(box);
      renderChat(box);
    } catch (ex) {
      err.textContent = ex.status === 404 ? t('chat.unavailable') : t('error.generic', { msg: ex.message });
    }
  } },
  h('h1', {}, t('chat.title')), h('p', { class: 'muted' }, t('chat.lead')),
  h('label', { for: 'c-name' }, t('chat.name')), name,
  h('label', { for: 'c-email' }, t('chat.email')), email,
  h('label', { for: 'c-first' }, t('chat.first')), first,
  err, h('button', { type: 'submit', class: 'btn btn-primary', id: 'chat-start' }, t('chat.start')));
  body.append(form);
}

function messageNode(m) {
  const kind = m.kind || m.author_kind || 'reply';
  const mine = kind === 'inbound' || kind === 'customer';
  const who = mine ? t('chat.you') : kind === 'bot' ? t('chat.bot') : kind === 'system' ? t('chat.system')
    : m.author_name || t('chat.agent');
  return h('li', { class: ['bubble', mine ? 'mine' : 'theirs', `from-${kind}`], 'data-kind': kind },
    h('span', { class: 'bubble-who' }, kind === 'bot' ? '🤖 ' : '', who),
    h('p', { class: 'bubble-text' }, m.body ?? ''),
    m.created_at ? h('time', { class: 'muted small' }, when(m.created_at)) : null);
}

function renderChat(body) {
  const list = h('ol', { class: 'chat-log', id: 'chat-log', 'aria-live': 'polite', 'aria-label': t('chat.log') });
  const input = h('textarea', { id: 'chat-input', rows: 2, 'aria-label': t('chat.input') });
  const human = h('button', { type: 'button', class: 'btn', id: 'talk-human', onclick: handoff }, '🙋 ', t('chat.human'));
  const state = h('p', { class: 'chat-state small', id: 'chat-state', role: 'status' });
  const err = h('p', { class: 'form-error', role: 'alert' });

  const add = (m) => {
    const key = m.id ?? `${m.kind}:${m.body}:${m.created_at}`;
    if (seen.has(key) && list.querySelector(`[data-key="${CSS.escape(String(key))}"]`)) return;
    seen.set(key, m);
    const node = messageNode(m);
    node.dataset.key = String(key);
    list.append(node);
    node.scrollIntoView?.({ block: 'end' });
    if (m.kind !== 'inbound') announce(`${node.querySelector('.bubble-who').textContent}: ${m.body}`);
    if (m.handoff || m.kind === 'handoff') setHandoff();
  };
  const setHandoff = () => {
    chat.handoff = true; save(chat);
    human.hidden = true;
    state.textContent = t('chat.withhuman');
  };

  async function handoff() {
    try {
      const r = await post(`/chat/${chat.id}/handoff`, {}, { auth: false, token: chat.token });
      for (const m of r?.messages || []) add(m);
      setHandoff();
    } catch (e) { err.textContent = t('error.generic', { msg: e.message }); }
  }

  const form = h('form', { class: 'chat-form', onsubmit: async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    err.textContent = '';
    input.value = '';
    try {
      const r = await post(`/chat/${chat.id}/messages`, { body: text }, { auth: false, token: chat.token });
      const msgs = r?.messages || (r?.message ? [r.message] : []);
      if (!msgs.some((m) => m.kind === 'inbound')) add({ id: r?.message_id, kind: 'inbound', body: text, created_at: Date.now() });
      for (const m of msgs) add(m);
      if (r?.handoff) setHandoff();
    } catch (ex) { err.textContent = t('error.generic', { msg: ex.message }); input.value = text; }
  } },
  input, h('button', { type: 'submit', class: 'btn btn-primary', id: 'chat-send' }, t('chat.send')));
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

  body.append(h('section', { class: 'chat', 'aria-labelledby': 'chat-title' },
    h('div', { class: 'chat-top' }, h('h1', { id: 'chat-title' }, t('chat.title')), human),
    h('p', { class: 'bot-notice small' }, t('chat.botnotice')), state, list, err, form,
    h('button', { type: 'button', class: 'btn btn-ghost small', id: 'chat-end', onclick: () => {
      sessionStorage.removeItem(KEY); chat = null; seen.clear(); location.reload();
    } }, t('chat.new'))));

  for (const m of seen.values()) add(m);
  if (chat.handoff) setHandoff();
  // The transcript (after a reload) and the live stream of new messages.
  get(`/chat/${chat.id}`, undefined, { auth: false, token: chat.token }).then((r) => {
    for (const m of r?.messages || []) add(m);
    if (r?.handoff) setHandoff();
  }).catch(() => {});
  const stop = liveEvents((ev) => {
    const m = ev.message || ev;
    if (m.body !== undefined && m.kind !== 'note') add(m);
    if (ev.type === 'chat.handoff' || ev.handoff) setHandoff();
  }, { path: `/chat/${chat.id}/events`, token: chat.token,
    onState: (s) => { list.dataset.live = s; } });
  input.focus();
  return stop;
}
