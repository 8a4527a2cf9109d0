// survey.js — CSAT survey reached by the single-use link sent on resolution:
// survey.html?t=<token>. A score 1–5 shown as faces with words, and a comment.
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { get, post } from '../api.js';
import { mountCustomerPage, param } from './shell.js';

const FACES = ['😠', '🙁', '😐', '🙂', '😄'];

mountCustomerPage((body) => {
  const token = param('t') || param('token');
  const err = h('p', { class: 'form-error', role: 'alert' });
  const intro = h('p', { class: 'muted' });
  const comment = h('textarea', { id: 's-comment', rows: 4 });
  const scale = h('fieldset', { class: 'csat-scale' }, h('legend', {}, t('survey.question')),
    FACES.map((face, i) => {
      const id = `score-${i + 1}`;
      return h('span', { class: 'csat-option' },
        h('input', { type: 'radio', name: 'score', id, value: String(i + 1), required: true }),
        h('label', { for: id }, h('span', { class: 'face', 'aria-hidden': 'true' }, face), h('span', { class: 'face-word' }, `${i + 1} — ${t(`survey.score.${i + 1}`)}`)));
    }));
  const form = h('form', { class: 'card survey', id: 'survey-form', onsubmit: async (e) => {
    e.preventDefault();
    const score = Number(form.querySelector('input[name=score]:checked')?.value);
    if (!score) { err.textContent = t('survey.pick'); return; }
    try {
      await post(`/surveys/${encodeURIComponent(token)}`, { score, comment: comment.value.trim() || undefined }, { auth: false });
      replace(form, h('h1', {}, t('survey.thanks')), h('p', { id: 'survey-done' }, t('survey.thanks.text')));
    } catch (ex) {
      err.textContent = ex.status === 404 || ex.status === 410 ? t('survey.invalid') : t('error.generic', { msg: ex.message });
    }
  } },
  h('h1', {}, t('survey.title')), intro, scale,
  h('label', { for: 's-comment' }, t('survey.comment')), comment, err,
  h('button', { type: 'submit', class: 'btn btn-primary', id: 'survey-submit' }, t('survey.submit')));
  body.append(form);
  if (!token) { err.textContent = t('survey.invalid'); return; }
  get(`/surveys/${encodeURIComponent(token)}`, undefined, { auth: false }).then((s) => {
    if (s?.subject) intro.textContent = t('survey.about', { subject: s.subject });
    if (s?.answered) replace(form, h('h1', {}, t('survey.thanks')), h('p', {}, t('survey.already')));
  }).catch(() => {});
});
