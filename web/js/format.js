// format.js — turning API values into words, badges and countdowns.
import { h } from './dom.js';
import { t, tMaybe, getLang } from './i18n.js';

export const EMOTIONS = ['anger', 'frustration', 'anxiety', 'sadness', 'confusion', 'joy', 'neutral'];
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const CHANNELS = ['email', 'chat', 'web', 'phone', 'social', 'api'];
const CHANNEL_ICON = { email: '✉', chat: '❝', web: '⌂', phone: '☎', social: '@', api: '⚙' };

/** Milliseconds since the epoch from a number (ms or s) or an ISO string. */
export function toMs(v) {
  if (v === undefined || v === null || v === '' || v === 0) return null;
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  const n = Date.parse(v);
  return Number.isNaN(n) ? null : n;
}

export function when(v) {
  const ms = toMs(v);
  if (ms === null) return '';
  return new Date(ms).toLocaleString(getLang() === 'ru' ? 'ru-RU' : 'en-GB',
    { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function duration(ms) {
  const m = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
  if (d) return t('dur.dh', { d, h: hh });
  if (hh) return t('dur.hm', { h: hh, m: mm });
  return t('dur.m', { m: mm });
}

/** Parses an analysis that may arrive as JSON text. */
export function parseJson(v) {
  if (typeof v !== 'string') return v || null;
  try { return JSON.parse(v); } catch { return null; }
}

/** {name, intensity} from any of the shapes the server may use. */
export function emotionOf(x) {
  if (!x) return null;
  let e = x.emotion ?? x.dominant_emotion ?? x.triage?.emotion;
  if (e === undefined && x.emotions && typeof x.emotions === 'object') {
    let best = null;
    for (const [name, v] of Object.entries(x.emotions)) {
      const score = typeof v === 'number' ? v : v?.score ?? v?.intensity ?? 0;
      if (!best || score > best.intensity) best = { name, intensity: score };
    }
    return best;
  }
  if (typeof e === 'string') {
    let intensity = x.emotion_intensity ?? x.intensity ?? null;
    // Tickets carry hostility (0..1000 per mille) for anger and frustration.
    if (intensity === null && typeof x.hostility === 'number' && (e === 'anger' || e === 'frustration')) {
      intensity = x.hostility > 1 ? x.hostility / 1000 : x.hostility;
    }
    return { name: e, intensity };
  }
  if (e && typeof e === 'object') {
    return { name: e.name ?? e.label ?? e.emotion, intensity: e.intensity ?? e.score ?? null };
  }
  return null;
}

export function intensityWord(v) {
  if (typeof v !== 'number') return '';
  if (v >= 0.7) return t('intensity.strong');
  if (v >= 0.4) return t('intensity.moderate');
  return t('intensity.mild');
}

export function emotionName(name) {
  const canonical = name === 'satisfaction' ? 'joy' : name;
  return tMaybe(`emotion.${canonical}`) ?? canonical;
}

/** A coloured badge with a clear word ("Anger · strong"), never a bare number. */
export function emotionBadge(emo) {
  if (!emo || !emo.name) return h('span', { class: 'badge emo-unknown' }, t('emotion.unknown'));
  const name = emo.name === 'satisfaction' ? 'joy' : emo.name;
  const word = name === 'neutral' ? '' : intensityWord(emo.intensity);
  return h('span', { class: `badge emo-${EMOTIONS.includes(name) ? name : 'unknown'}`, 'data-emotion': name },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), emotionName(name), word ? ` · ${word}` : '');
}

export function channelLabel(ch) {
  return h('span', { class: 'channel', 'data-channel': ch || '' },
    h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, CHANNEL_ICON[ch] || '•'),
    tMaybe(`channel.${ch}`) ?? (ch || '—'));
}

export const statusName = (s) => tMaybe(`status.${s}`) ?? s ?? '—';
export const priorityName = (p) => tMaybe(`priority.${p}`) ?? p ?? '—';

export function priorityBadge(p) {
  return h('span', { class: `prio prio-${p || 'normal'}` }, priorityName(p));
}

/** Risk of escalation as a number 0..1 from any shape. */
export function riskOf(tk) {
  const r = tk.risk ?? tk.escalation_risk ?? tk.risk_score;
  if (typeof r === 'number') return r > 1 ? r / 100 : r;
  if (r && typeof r === 'object') {
    const v = r.escalation ?? r.p_escalation ?? r.score ?? r.probability;
    if (typeof v === 'number') return v;
  }
  return null;
}

export function riskBadge(tk) {
  const r = riskOf(tk);
  if (isEscalated(tk)) return h('span', { class: 'risk risk-escalated' }, t('risk.escalated'));
  if (r === null) return h('span', { class: 'risk risk-none' }, t('risk.unknown'));
  const level = r >= 0.6 ? 'high' : r >= 0.3 ? 'medium' : 'low';
  return h('span', { class: `risk risk-${level}`, title: `${Math.round(r * 100)}%` },
    t(`risk.${level}`), ` ${Math.round(r * 100)}%`);
}

/** The deadline that matters now for a ticket, and what it is for. */
export function slaDue(tk) {
  if (!['new', 'open', 'pending', undefined].includes(tk.status)) return null;
  if (!toMs(tk.first_response_at) && toMs(tk.sla_first_due)) return { due: toMs(tk.sla_first_due), kind: 'first' };
  if (toMs(tk.sla_next_due)) return { due: toMs(tk.sla_next_due), kind: 'next' };
  if (toMs(tk.sla_resolve_due)) return { due: toMs(tk.sla_resolve_due), kind: 'resolve' };
  return null;
}

/** A countdown element; refreshed by refreshCountdowns(). */
export function slaCountdown(tk) {
  const due = slaDue(tk);
  const el = h('span', { class: 'sla' });
  if (!due) { el.textContent = t('sla.none'); el.classList.add('sla-none'); return el; }
  el.dataset.due = String(due.due);
  el.dataset.kind = due.kind;
  paintCountdown(el);
  return el;
}

function paintCountdown(el) {
  const left = Number(el.dataset.due) - Date.now();
  el.classList.remove('sla-ok', 'sla-soon', 'sla-late');
  if (left < 0) {
    el.textContent = t('sla.overdue', { time: duration(left) });
    el.classList.add('sla-late');
  } else {
    el.textContent = t('sla.left', { time: duration(left) });
    el.classList.add(left < 30 * 60000 ? 'sla-soon' : 'sla-ok');
  }
  el.title = t(`sla.kind.${el.dataset.kind}`);
}

export function refreshCountdowns(root = document) {
  for (const el of root.querySelectorAll('.sla[data-due]')) paintCountdown(el);
}

export function sentimentWord(s) {
  const v = typeof s === 'number' ? s : s?.polarity ?? s?.score;
  if (typeof s === 'string') return tMaybe(`sentiment.${s}`) ?? s;
  if (typeof v !== 'number') return null;
  if (v <= -0.2) return t('sentiment.negative');
  if (v >= 0.2) return t('sentiment.positive');
  return t('sentiment.neutral');
}

/** Text of a reason that may be a string or {code, text/message, ...}. */
export function reasonText(r) {
  if (typeof r === 'string') return r;
  if (!r || typeof r !== 'object') return String(r);
  const lang = getLang();
  return r[`text_${lang}`] ?? r[lang] ?? r.text ?? r.message ?? r.reason ?? r.code ?? JSON.stringify(r);
}

/** A category in words: translated when known, else the label made readable ("get_refund" → "Get refund"). */
export const categoryName = (c) => (c ? tMaybe(`category.${c}`) ?? (c.charAt(0).toUpperCase() + c.slice(1)).replace(/_/g, ' ') : t('category.none'));

/** Escalated flag from the ticket or its embedded triage decision. */
export function isEscalated(tk) {
  if (typeof tk.escalated === 'boolean') return tk.escalated;
  const e = triageOf(tk)?.escalate;
  if (typeof e === 'boolean') return e;
  return !!(e && e.escalate);
}

/** Triage reasons [{stage, code, en, ru}] from wherever the server puts them. */
export function reasonsOf(tk) {
  return tk.reasons ?? triageOf(tk)?.reasons ?? tk.triage_reasons ?? [];
}

/** Whether triage offered the agent a pause (wellbeing), and for how long. */
export function pauseOffer(tk) {
  const r = triageOf(tk)?.route;
  if (tk.pause_offered || r?.offer_pause) return { minutes: r?.pause_minutes || tk.pause_minutes || 2 };
  return null;
}

/** The ticket's latest triage decision (object, or JSON text from the store). */
export function triageOf(tk) {
  return tk.triage ? parseJson(tk.triage) : null;
}
