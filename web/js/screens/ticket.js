// ticket.js — one ticket: the whole history with the analysis of each customer
// message, guidance for the detected emotion, reply box with tone check,
// internal notes, status and assignment, live updates, pause after intensity.
import { h, replace, announce, debounce } from '../dom.js';
import { t, getLang } from '../i18n.js';
import { get, post, patch, optional, liveEvents, getSession, fetchBlob } from '../api.js';
import { download } from '../charts.js';
import {
  emotionOf, emotionBadge, channelLabel, priorityBadge, riskBadge, slaCountdown, refreshCountdowns,
  statusName, priorityName, when, STATUSES, PRIORITIES, parseJson, intensityWord, sentimentWord,
  reasonText, categoryName, emotionName, toMs, isEscalated, reasonsOf, pauseOffer as pauseOfferOf,
} from '../format.js';

export const name = 'ticket';

const INTENSE = new Set(['anger', 'frustration']);

/** Byte offset in the UTF-8 encoding of text → index in the JS string. */
function byteToIndex(text, bytes, offset) {
  return new TextDecoder().decode(bytes.slice(0, offset)).length;
}

/** Ranges [start, end) in string indexes for each flag. */
export function flagRanges(text, flags) {
  const bytes = new TextEncoder().encode(text);
  return flags.map((f) => {
    if (Number.isInteger(f.start) && Number.isInteger(f.end) && f.end <= bytes.length) {
      return { ...f, from: byteToIndex(text, bytes, f.start), to: byteToIndex(text, bytes, f.end) };
    }
    const i = f.phrase ? text.toLowerCase().indexOf(String(f.phrase).toLowerCase()) : -1;
    return { ...f, from: i, to: i < 0 ? -1 : i + String(f.phrase).length };
  });
}

function messageKind(m) {
  const k = m.kind || m.direction || m.type;
  if (k === 'outbound') return 'reply';
  return ['inbound', 'reply', 'note', 'bot', 'system'].includes(k) ? k : 'inbound';
}

function analysisChips(m) {
  const a = parseJson(m.analysis);
  if (!a) return null;
  const chips = [];
  const emo = emotionOf(a);
  if (emo) chips.push(emotionBadge(emo));
  if (a.language) chips.push(h('span', { class: 'chip' }, t('analysis.language'), ': ', a.language.toUpperCase()));
  const sent = sentimentWord(a.sentiment);
  if (sent) chips.push(h('span', { class: 'chip' }, t('analysis.sentiment'), ': ', sent));
  const intent = a.intent?.label ?? a.intent?.name ?? a.intent;
  if (intent && typeof intent === 'string') chips.push(h('span', { class: 'chip' }, t('analysis.intent'), ': ', categoryName(intent)));
  for (const c of a.cues || []) {
    const kind = typeof c === 'string' ? c : c.kind ?? c.type ?? c.cue;
    const text = typeof c === 'object' ? c.evidence ?? c.text ?? c.phrase ?? c.match : null;
    chips.push(h('span', { class: 'chip chip-cue', 'data-cue': kind },
      '⚠ ', t(`cue.${kind}`) === `cue.${kind}` ? kind : t(`cue.${kind}`), text ? ` «${text}»` : ''));
  }
  return h('div', { class: 'analysis', 'aria-label': t('analysis.label') }, chips);
}

function messageItem(m, ticket, customer, people) {
  const kind = messageKind(m);
  const uid = m.author_user_id ?? m.author_id;
  const user = uid ? people.find((u) => String(u.id) === String(uid)) : null;
  const author = m.author_name ?? m.author?.name ?? user?.name ?? (kind === 'inbound' ? customer?.name ?? t('msg.customer')
    : kind === 'bot' ? t('msg.bot') : t('msg.agent'));
  return h('li', { class: `msg msg-${kind}`, 'data-message-id': m.id, 'data-kind': kind },
    h('div', { class: 'msg-head' },
      h('span', { class: 'msg-author' }, author),
      h('span', { class: 'msg-kind' }, t(`msg.kind.${kind}`)),
      channelLabel(m.channel || ticket.channel),
      h('time', { class: 'muted', datetime: toMs(m.created_at) ? new Date(toMs(m.created_at)).toISOString() : null }, when(m.created_at))),
    h('p', { class: 'msg-body' }, m.body ?? ''),
    attachmentList(m.attachments),
    m.delivery ? deliveryLine(m) : null,
    kind === 'inbound' ? analysisChips(m) : null);
}

/** An inbound mail's attachments, as downloads. */
function attachmentList(list) {
  if (!list?.length) return null;
  const size = (n) => (n >= 1048576 ? `${Math.round(n / 104857.6) / 10} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
  return h('ul', { class: 'attachments', 'aria-label': t('msg.attachments') }, list.map((a) => h('li', {},
    h('a', { href: a.url || `/api/v1/attachments/${a.id}`, download: a.filename || '' }, '📎 ', a.filename || `#${a.id}`),
    h('span', { class: 'muted small' }, ` ${a.content_type || ''}, ${size(a.size || 0)}`))));
}

/** Where an e-mail reply is: queued, sent, retrying or failed — with a retry. */
function deliveryLine(m) {
  const d = m.delivery;
  const line = h('p', { class: `delivery delivery-${d.status}`, 'data-status': d.status, role: 'status' },
    t(`delivery.${d.status}`), d.attempts ? ` · ${t('delivery.attempts', { n: d.attempts })}` : '',
    d.status === 'retrying' && d.next_attempt_at ? ` · ${t('delivery.next', { time: when(d.next_attempt_at) })}` : '',
    d.last_error && d.status !== 'sent' ? h('span', { class: 'delivery-error' }, ` — ${d.last_error}`) : null);
  if (d.status === 'failed' || d.status === 'retrying' || (d.status === 'queued' && d.last_error)) {
    line.append(' ', h('button', { type: 'button', class: 'btn btn-small retry', 'aria-label': `${t('delivery.retry')} (#${m.id})`,
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          const r = await post(`/messages/${m.id}/retry`, {});
          m.delivery = r?.delivery || { ...d, status: 'queued' };
          line.replaceWith(deliveryLine(m));
          announce(t('delivery.queued'));
        } catch (err) { e.target.disabled = false; line.append(h('span', { class: 'form-error' }, ` ${err.message}`)); }
      } }, t('delivery.retry')));
  }
  return line;
}

/** What pushes a risk score up or down: the model's largest contributions. */
export function riskFactors(risk, id) {
  const list = risk?.factors || [];
  if (!list.length) return null;
  return h('div', { class: 'risk-factors', id },
    h('p', { class: 'small muted' }, t('risk.why')),
    h('ul', { class: 'small' }, list.map((f) => h('li', { class: f.weight >= 0 ? 'up' : 'down' },
      h('span', { 'aria-hidden': 'true' }, f.weight >= 0 ? '▲ ' : '▼ '),
      h('span', { class: 'visually-hidden' }, f.weight >= 0 ? t('risk.raises') : t('risk.lowers')),
      f.label || f.name))));
}

function guidancePanel(g) {
  if (!g) return h('p', { class: 'muted' }, t('guidance.none'));
  const list = (title, items, cls) => (items && items.length ? [h('h4', {}, title),
    h('ul', { class: cls }, items.map((s) => h('li', {}, s)))] : []);
  return h('div', { class: 'guidance-body' },
    h('p', { class: 'guidance-title' }, g.title || emotionName(g.emotion)),
    list(t('guidance.steps'), g.steps, 'steps'),
    list(t('guidance.use'), g.use, 'say'),
    list(t('guidance.avoid'), g.avoid, 'avoid'));
}

export function render(main, { params }) {
  const id = params[0];
  const me = getSession();
  let ticket = null;
  let users = null;
  let lastCheck = { text: null, flags: [] };
  let intenseReplySent = false;

  const head = h('div', { class: 'screen-head ticket-head' });
  const messages = h('ol', { class: 'messages', id: 'messages', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const events = h('ol', { class: 'events small muted' });
  const eventsMsg = h('p', { class: 'form-error', role: 'alert' });
  const guidance = h('section', { class: 'panel guidance', id: 'guidance', 'aria-labelledby': 'guidance-title' });
  const props = h('section', { class: 'panel props', 'aria-labelledby': 'props-title' });
  const triage = h('section', { class: 'panel triage', id: 'triage', 'aria-labelledby': 'triage-title' });
  const customerPanel = h('section', { class: 'panel customer', 'aria-labelledby': 'customer-title' });
  const suggestions = h('section', { class: 'panel suggestions', id: 'suggestions', 'aria-labelledby': 'suggest-title' });
  const articles = h('section', { class: 'panel articles', id: 'articles', 'aria-labelledby': 'articles-title', hidden: true });
  const pauseOffer = h('div', { class: 'pause-offer', id: 'pause-offer', hidden: true });

  // ---- composer --------------------------------------------------------
  const draft = h('textarea', { id: 'draft', rows: 5, 'aria-describedby': 'tone-result' });
  const modeReply = h('input', { type: 'radio', name: 'mode', id: 'mode-reply', value: 'reply', checked: true });
  const modeNote = h('input', { type: 'radio', name: 'mode', id: 'mode-note', value: 'note' });
  const draftLabel = h('label', { for: 'draft', id: 'draft-label' }, t('composer.reply'));
  const toneResult = h('div', { id: 'tone-result', class: 'tone-result', 'aria-live': 'polite' });
  const canned = h('select', { id: 'canned', 'aria-label': t('composer.canned') });
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'send' }, t('composer.send'));
  const composerMsg = h('p', { class: 'form-error', role: 'alert' });
  const isNote = () => modeNote.checked;
  const syncMode = () => {
    draftLabel.textContent = isNote() ? t('composer.note') : t('composer.reply');
    sendBtn.textContent = isNote() ? t('composer.addnote') : t('composer.send');
    composer.classList.toggle('is-note', isNote());
    replace(toneResult);
  };
  modeReply.addEventListener('change', syncMode);
  modeNote.addEventListener('change', syncMode);
  canned.addEventListener('change', () => {
    if (!canned.value) return;
    insertText(canned.value);
    canned.value = '';
  });

  /** The customer's language (what the reply is written in), else the UI's. */
  function replyLanguage() {
    const inbound = (ticket?.messages || []).filter((m) => messageKind(m) === 'inbound');
    const a = inbound.length ? parseJson(inbound[inbound.length - 1].analysis) : null;
    return ['ru', 'en'].includes(ticket?.language) ? ticket.language : ['ru', 'en'].includes(a?.language) ? a.language : getLang();
  }

  /** Puts a ready text into the reply box and runs the tone check on it. */
  function insertText(text) {
    draft.value = draft.value ? `${draft.value}\n${text}` : text;
    if (isNote()) { modeReply.checked = true; syncMode(); }
    sendBtn.dataset.confirm = '';
    draft.focus();
    draft.setSelectionRange(draft.value.length, draft.value.length);
    announce(t('suggest.inserted'));
    toneCheck().catch(() => {});
  }

  async function toneCheck() {
    const text = draft.value;
    if (!text.trim() || isNote()) { replace(toneResult); lastCheck = { text, flags: [] }; return lastCheck; }
    try {
      const r = await post('/tone-check', { text, language: replyLanguage(), emotion: emotionOf(ticket)?.name });
      lastCheck = { text, flags: r?.flags || [] };
    } catch (e) {
      if (e.status === 404 || e.status === 405 || e.status === 501) {
        lastCheck = { text, flags: [], unavailable: true };
      } else throw e;
    }
    paintTone();
    return lastCheck;
  }
  const autoCheck = debounce(() => toneCheck().catch(() => {}), 700);
  draft.addEventListener('input', () => { sendBtn.dataset.confirm = ''; sendBtn.textContent = isNote() ? t('composer.addnote') : t('composer.send'); autoCheck(); });

  function paintTone() {
    const { text, flags, unavailable } = lastCheck;
    if (unavailable) { replace(toneResult, h('p', { class: 'muted small' }, t('tone.unavailable'))); return; }
    if (!flags.length) { replace(toneResult, text && text.trim() ? h('p', { class: 'tone-ok' }, '✓ ', t('tone.ok')) : null); return; }
    const ranges = flagRanges(text, flags).filter((f) => f.from >= 0).sort((a, b) => a.from - b.from);
    const preview = h('p', { class: 'tone-preview' });
    let pos = 0;
    for (const f of ranges) {
      if (f.from < pos) continue;
      preview.append(text.slice(pos, f.from));
      preview.append(h('mark', { class: `flag flag-${f.category}`, title: t(`tone.${f.category}`) }, text.slice(f.from, f.to)));
      pos = f.to;
    }
    preview.append(text.slice(pos));
    replace(toneResult,
      h('p', { class: 'tone-warn', role: 'alert' }, '⚠ ', t('tone.flagged', { n: flags.length })),
      preview,
      h('ul', { class: 'tone-flags', id: 'tone-flags' }, flags.map((f) => h('li', { 'data-category': f.category },
        h('strong', {}, t(`tone.${f.category}`) === `tone.${f.category}` ? f.category : t(`tone.${f.category}`)),
        f.phrase ? [': «', h('span', { class: 'phrase' }, f.phrase), '»'] : null,
        f.suggestion ? h('div', { class: 'suggestion' }, '→ ', f.suggestion) : null))));
  }

  const composer = h('form', { class: 'composer panel', id: 'composer', 'aria-labelledby': 'composer-title',
    onsubmit: async (e) => {
      e.preventDefault();
      composerMsg.textContent = '';
      const body = draft.value.trim();
      if (!body) { composerMsg.textContent = t('composer.empty'); draft.focus(); return; }
      sendBtn.disabled = true;
      try {
        if (!isNote() && sendBtn.dataset.confirm !== 'yes') {
          const check = lastCheck.text === draft.value ? lastCheck : await toneCheck();
          if (check.flags.length) {
            sendBtn.dataset.confirm = 'yes';
            sendBtn.textContent = t('composer.sendanyway');
            toneResult.querySelector('.tone-warn')?.focus?.();
            return;
          }
        }
        const wasIntense = INTENSE.has(emotionOf(ticket)?.name);
        await post(`/tickets/${id}/${isNote() ? 'notes' : 'replies'}`, { body });
        announce(isNote() ? t('composer.notesaved') : t('composer.sent'));
        if (!isNote() && wasIntense) intenseReplySent = true;
        draft.value = '';
        sendBtn.dataset.confirm = '';
        lastCheck = { text: null, flags: [] };
        syncMode();
        await load();
      } catch (err) {
        composerMsg.textContent = t('error.generic', { msg: err.message });
      } finally {
        sendBtn.disabled = false;
      }
    } },
    h('h2', { id: 'composer-title', class: 'visually-hidden' }, t('composer.title')),
    h('fieldset', { class: 'mode' }, h('legend', { class: 'visually-hidden' }, t('composer.mode')),
      modeReply, h('label', { for: 'mode-reply' }, t('composer.mode.reply')),
      modeNote, h('label', { for: 'mode-note' }, t('composer.mode.note'))),
    draftLabel, draft, toneResult, composerMsg,
    h('div', { class: 'composer-actions' }, canned,
      h('button', { type: 'button', class: 'btn', id: 'check-tone', onclick: () => toneCheck().catch((e) => { composerMsg.textContent = e.message; }) }, t('composer.check')),
      sendBtn));

  main.append(h('article', { class: 'ticket-view', 'aria-labelledby': 'ticket-title' },
    h('a', { href: '#/inbox', class: 'back' }, '← ', t('ticket.back')),
    head,
    h('div', { class: 'ticket-layout' },
      h('div', { class: 'conversation' },
        h('h2', { class: 'visually-hidden' }, t('ticket.history')),
        messages, pauseOffer, composer, h('div', { class: 'suggest-row' }, suggestions, articles),
        h('details', { class: 'panel' }, h('summary', {}, t('ticket.events')), events, eventsMsg,
          h('p', { class: 'small' }, h('a', { href: '#/ledger' }, t('ledger.receipt.check'))))),
      h('aside', { class: 'sidebar', 'aria-label': t('ticket.sidebar') },
        guidance, triage, props, customerPanel))));

  // ---- painting ------------------------------------------------------------
  function paintHead() {
    replace(head,
      h('h1', { id: 'ticket-title' }, h('span', { class: 'ticket-id' }, `#${ticket.id}`), ' ', ticket.subject || t('ticket.nosubject')),
      h('div', { class: 'row-tags' }, priorityBadge(ticket.priority), emotionBadge(emotionOf(ticket)), riskBadge(ticket),
        slaCountdown(ticket), channelLabel(ticket.channel), h('span', { class: 'chip' }, statusName(ticket.status))));
  }

  function paintTriage() {
    const reasons = reasonsOf(ticket);
    const cues = ticket.cues ?? [];
    replace(triage,
      h('h3', { id: 'triage-title' }, t('triage.title')),
      h('p', {}, riskBadge(ticket), isEscalated(ticket) ? [' ', h('strong', { class: 'escalated' }, t('triage.escalated'))] : null),
      riskFactors(ticket.risk, 'risk-factors'),
      typeof ticket.risk?.low_csat === 'number' ? h('p', { class: 'small', id: 'risk-low-csat' }, t('risk.lowcsat', { p: Math.round(ticket.risk.low_csat * 100) })) : null,
      reasons.length ? h('ul', { class: 'reasons', id: 'reasons' }, reasons.map((r) => h('li', {}, reasonText(r))))
        : h('p', { class: 'muted small' }, t('triage.noreasons')),
      cues.length ? h('p', {}, cues.map((c) => h('span', { class: 'chip chip-cue' }, '⚠ ', reasonText(c)))) : null);
  }

  const propsKey = () => JSON.stringify([ticket.status, ticket.priority, ticket.assignee_id ?? null, ticket.category ?? null]);

  function paintProps() {
    props.dataset.painted = propsKey();
    const statusSel = h('select', { id: 'p-status' }, STATUSES.map((s) => h('option', { value: s, selected: s === ticket.status }, statusName(s))));
    const prioSel = h('select', { id: 'p-priority' }, PRIORITIES.map((p) => h('option', { value: p, selected: p === ticket.priority }, priorityName(p))));
    const assignee = ticket.assignee_id ?? ticket.assignee?.id ?? null;
    const people = users || [];
    const opts = [['', t('props.unassigned')]];
    if (me?.id && !people.some((u) => u.id === me.id)) opts.push([String(me.id), t('props.me')]);
    for (const u of people) opts.push([String(u.id), `${u.name || u.email}${u.id === me?.id ? ` (${t('props.me')})` : ''}`]);
    if (assignee && !opts.some(([v]) => v === String(assignee))) opts.push([String(assignee), ticket.assignee?.name || `#${assignee}`]);
    const assigneeSel = h('select', { id: 'p-assignee' }, opts.map(([v, text]) => h('option', { value: v, selected: v === String(assignee ?? '') }, text)));
    const category = h('input', { id: 'p-category', value: ticket.category || '', list: 'categories' });
    const msg = h('p', { class: 'small', role: 'status' });
    replace(props,
      h('h3', { id: 'props-title' }, t('props.title')),
      h('form', { class: 'props-form', onsubmit: async (e) => {
        e.preventDefault();
        const body = {};
        if (statusSel.value !== ticket.status) body.status = statusSel.value;
        if (prioSel.value !== ticket.priority) body.priority = prioSel.value;
        if (assigneeSel.value !== String(assignee ?? '')) body.assignee = assigneeSel.value ? Number(assigneeSel.value) : null;
        if (category.value.trim() !== (ticket.category || '')) body.category = category.value.trim();
        if (!Object.keys(body).length) { msg.textContent = t('props.nochange'); return; }
        try {
          await patch(`/tickets/${id}`, body);
          await load();
          paintProps();
          announce(t('props.saved'));
          props.querySelector('#save-props')?.focus();
        } catch (err) { msg.textContent = t('error.generic', { msg: err.message }); }
      } },
      h('label', { for: 'p-status' }, t('props.status')), statusSel,
      h('label', { for: 'p-priority' }, t('props.priority')), prioSel,
      h('label', { for: 'p-assignee' }, t('props.assignee')), assigneeSel,
      h('label', { for: 'p-category' }, t('props.category')), category,
      h('datalist', { id: 'categories' }, ['billing', 'delivery', 'returns', 'technical', 'account', 'other'].map((c) => h('option', { value: c }))),
      h('div', { class: 'row-actions' },
        me?.id && String(assignee) !== String(me.id) ? h('button', { type: 'button', class: 'btn', id: 'take',
          onclick: () => { assigneeSel.value = String(me.id); } }, t('props.take')) : null,
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'save-props' }, t('props.save'))), msg));
  }

  async function paintGuidance() {
    const emo = emotionOf(ticket);
    // One call for the guidance in the agent's language and the canned
    // responses and articles that fit the ticket (GET /tickets/{id}/guidance).
    const bundle = await optional(`/tickets/${id}/guidance`, { language: getLang() }).catch(() => null);
    let g = bundle?.guidance ?? (ticket.guidance ? parseJson(ticket.guidance) : null);
    if (g && g.language && g.language !== getLang()) g = null;
    if (!g && emo) g = await optional('/guidance', { emotion: emo.name, language: getLang() }).catch(() => null);
    replace(guidance,
      h('h3', { id: 'guidance-title' }, t('guidance.title'), ' ', emo ? emotionBadge(emo) : null),
      guidancePanel(g));
    // The guidance's openers fill the quick-phrase picker.
    replace(canned, h('option', { value: '' }, t('composer.canned')),
      (g?.openers || []).map((o) => h('option', { value: o }, o.length > 60 ? `${o.slice(0, 57)}…` : o)));
    paintSuggestions(bundle?.canned || []);
    let list = bundle?.articles;
    if (!bundle) list = (await optional('/kb/suggest', { ticket_id: id }).catch(() => null))?.articles;
    paintArticles(list || []);
  }

  function paintSuggestions(list) {
    replace(suggestions, h('h3', { id: 'suggest-title' }, t('suggest.title')),
      list.length ? h('ul', { class: 'suggest-list', id: 'canned-list' }, list.map((c) => h('li', { 'data-canned-id': c.id, 'data-emotion': c.emotion || '' },
        h('strong', {}, c.title),
        h('span', { class: 'tags' },
          c.emotion ? h('span', { class: 'chip' }, emotionName(c.emotion)) : null,
          c.category ? h('span', { class: 'chip' }, categoryName(c.category)) : null,
          h('span', { class: 'chip' }, String(c.language || '').toUpperCase())),
        h('p', { class: 'small muted preview' }, c.body.length > 140 ? `${c.body.slice(0, 137)}…` : c.body),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('suggest.insert')}: ${c.title}`,
          onclick: () => insertText(c.body) }, t('suggest.insert')))))
        : h('p', { class: 'muted small' }, t('suggest.none')));
  }

  function paintArticles(list) {
    articles.hidden = !list.length;
    replace(articles, h('h3', { id: 'articles-title' }, t('articles.title')),
      h('ul', { class: 'suggest-list' }, list.map((a) => h('li', { 'data-article-id': a.id },
        h('strong', {}, a.title),
        a.body || a.snippet ? h('p', { class: 'small muted preview' }, (a.snippet || a.body).slice(0, 140)) : null,
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${t('articles.insert')}: ${a.title}`,
          onclick: () => insertText(`${a.title}\n${a.body || a.snippet || ''}`.trim()) }, t('articles.insert'))))));
  }

  async function paintCustomer() {
    const cid = ticket.customer_id ?? ticket.customer?.id;
    let c = ticket.customer && typeof ticket.customer === 'object' ? ticket.customer : null;
    if (cid) c = (await optional(`/customers/${cid}`, { lang: getLang() }).catch(() => null)) || c;
    const other = (c?.tickets || []).filter((x) => String(x.id) !== String(id));
    replace(customerPanel,
      h('h3', { id: 'customer-title' }, t('customer.title')),
      h('p', {}, cid ? h('a', { href: `#/customer/${cid}`, id: 'customer-link' }, h('strong', {}, c?.name || t('msg.customer')))
        : h('strong', {}, c?.name || t('msg.customer')), c?.tier ? h('span', { class: 'chip' }, c.tier) : null,
        c?.language ? h('span', { class: 'chip' }, c.language.toUpperCase()) : null,
        c?.erased ? h('span', { class: 'chip chip-erased', id: 'customer-erased' }, t('cust.erased.chip')) : null),
      typeof c?.churn_risk === 'number' ? h('p', { id: 'churn-risk', class: c.churn_risk >= 0.5 ? 'churn-high' : '' },
        h('strong', {}, t('risk.churn', { p: Math.round(c.churn_risk * 100) }))) : null,
      typeof c?.churn_risk === 'number' ? riskFactors({ factors: c.churn_factors }, 'churn-factors') : null,
      c?.identities?.length ? h('ul', { class: 'identities small' }, c.identities.map((i) => h('li', {}, `${t(`identity.${i.kind}`) === `identity.${i.kind}` ? i.kind : t(`identity.${i.kind}`)}: ${i.value}`))) : null,
      h('h4', {}, t('customer.other')),
      other.length ? h('ul', { class: 'other-tickets' }, other.map((x) => h('li', {},
        channelLabel(x.channel), ' ', h('a', { href: `#/ticket/${x.id}` }, `#${x.id} ${x.subject || ''}`), ' ',
        h('span', { class: 'muted small' }, statusName(x.status)))))
        : h('p', { class: 'muted small' }, t('customer.noother')));
    return c;
  }

  function paintPause() {
    const emo = emotionOf(ticket);
    const offer = pauseOfferOf(ticket);
    const intense = intenseReplySent || (offer && ticket.assignee_id && String(ticket.assignee_id) === String(me?.id))
      || (['resolved', 'closed'].includes(ticket.status) && INTENSE.has(emo?.name));
    pauseOffer.hidden = !intense;
    if (!intense) return;
    replace(pauseOffer, h('p', {}, t('pause.offer')),
      h('button', { type: 'button', class: 'btn btn-calm', id: 'take-pause', onclick: takePause }, '☕ ', t('pause.take')));
  }

  /** Each event with its receipt from the log (a download the customer can check offline). */
  function paintEvents(list) {
    replace(events, (list || []).map((ev) => {
      const what = t(`event.${ev.type}`) === `event.${ev.type}` ? ev.type : t(`event.${ev.type}`);
      return h('li', { 'data-event-id': ev.id }, h('time', {}, when(ev.created_at)), ' ', what,
        ev.after ? ` → ${typeof ev.after === 'string' ? ev.after : JSON.stringify(ev.after)}` : '', ' ',
        ev.id ? h('button', { type: 'button', class: 'btn btn-small receipt', 'aria-label': t('ledger.receipt.for', { id: ev.id, what }),
          onclick: () => fetchBlob(`/ledger/receipts/${ev.id}`)
            .then((blob) => download(`parley-receipt-${ev.id}.json`, blob, 'application/json'))
            .catch((err) => { eventsMsg.textContent = t('error.generic', { msg: err.message }); }) }, t('ledger.receipt.short')) : null);
    }));
  }

  async function load() {
    const prevCount = messages.children.length;
    try {
      ticket = await get(`/tickets/${id}`, { lang: getLang() });
    } catch (e) {
      replace(head, h('h1', { id: 'ticket-title' }, t('ticket.notfound')), h('p', { class: 'form-error' }, e.message));
      return;
    }
    if (ticket.ticket) ticket = { ...ticket.ticket, messages: ticket.messages, events: ticket.events, ...ticket };
    paintHead();
    paintTriage();
    // A live update repaints the form only when the ticket's values changed,
    // and never under the user's hands (a half-made change of status or assignee).
    if (!props.dataset.painted || (!props.contains(document.activeElement) && props.dataset.painted !== propsKey())) paintProps();
    paintEvents(ticket.events);
    paintPause();
    const customer = await paintCustomer();
    const list = ticket.messages || [];
    const people = [...(users || [])];
    if (me?.id) people.push({ id: me.id, name: me.name });
    replace(messages, list.map((m) => messageItem(m, ticket, customer, people)));
    if (prevCount && list.length > prevCount) announce(t('live.newmessage', { id }));
    paintGuidance();
  }

  if (users === null && ['admin', 'supervisor'].includes(me?.role)) {
    optional('/users').then((r) => { users = r?.users || (Array.isArray(r) ? r : []); if (ticket) paintProps(); }).catch(() => { users = []; });
  } else {
    optional('/agents').then((r) => { users = r?.agents || r?.users || []; if (ticket) paintProps(); }).catch(() => { users = []; });
  }

  const reload = debounce(load, 250);
  const stop = liveEvents((ev) => {
    if (!ev.ticket_id || String(ev.ticket_id) === String(id)) reload();
  });
  const timer = setInterval(() => refreshCountdowns(head), 30000);
  load();
  return () => { stop(); clearInterval(timer); };
}

/** The pause: a calm modal with a two-minute breathing timer. */
function takePause() {
  post('/me/pause', { minutes: 2 }).catch(() => {});
  let left = 120;
  const clock = h('p', { class: 'pause-clock', 'aria-live': 'off' }, '2:00');
  const back = h('button', { type: 'button', class: 'btn btn-primary', id: 'pause-done' }, t('pause.back'));
  const dialog = h('dialog', { class: 'pause-dialog', id: 'pause-dialog', 'aria-labelledby': 'pause-title' },
    h('h2', { id: 'pause-title' }, t('pause.title')),
    h('div', { class: 'breath', 'aria-hidden': 'true' }),
    h('p', {}, t('pause.text')), clock, back);
  const timer = setInterval(() => {
    left -= 1;
    clock.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    if (left <= 0) { clearInterval(timer); clock.textContent = t('pause.over'); }
  }, 1000);
  const close = () => { clearInterval(timer); dialog.close(); dialog.remove(); };
  back.addEventListener('click', close);
  dialog.addEventListener('cancel', close);
  document.body.append(dialog);
  dialog.showModal();
  back.focus();
}
