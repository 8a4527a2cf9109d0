// ledger.js (screen) — the tamper-evident log for the staff: the latest
// signed checkpoint (GET /ledger/checkpoint) with the witnesses' cosignatures,
// the registered witnesses (GET /ledger/witnesses; an admin registers one with
// POST /ledger/witnesses), and receipts: one for any event downloaded
// (GET /ledger/receipts/{id}) and any receipt file checked here in the
// browser against the log's public key (GET /ledger/key).
import { h, replace, announce } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, fetchBlob, getSession, BASE } from '../api.js';
import { download } from '../charts.js';
import { when } from '../format.js';
import { parseNote, verifyReceipt } from '../ledger.js';

export const name = 'ledger';

/** The public routes answer text; fetched without the session. */
async function text(path) {
  const res = await fetch(BASE + path, { credentials: 'omit' });
  return res.ok ? res.text() : null;
}

/** One row per signature line: the log's own, or a witness's (registered or not). */
function signatureList(note, witnesses, id) {
  return h('ul', { class: 'signatures', id }, note.signatures.map((s) => {
    const own = s.name === note.origin;
    const known = witnesses.find((w) => w.name === s.name);
    return h('li', { 'data-signer': s.name, 'data-role': own ? 'log' : 'witness' },
      h('span', { class: `chip ${own ? 'chip-log' : 'chip-witness'}` }, own ? t('ledger.sig.log') : t('ledger.sig.witness')), ' ',
      h('strong', {}, s.name), ' ', h('code', { class: 'small' }, s.keyId),
      !own ? h('span', { class: 'small muted' }, ' · ', known ? t('ledger.sig.registered') : t('ledger.sig.unknown')) : null);
  }));
}

function checkpointFacts(note, id) {
  return h('dl', { class: 'facts', id },
    h('dt', {}, t('ledger.origin')), h('dd', {}, note.origin),
    h('dt', {}, t('ledger.size')), h('dd', { class: 'cp-size' }, String(note.size)),
    h('dt', {}, t('ledger.root')), h('dd', {}, h('code', { class: 'hash cp-root' }, note.root)));
}

export function render(main) {
  const isAdmin = getSession()?.role === 'admin';
  const cpBox = h('div', { id: 'checkpoint' });
  const cosBox = h('div', { id: 'cosigned' });
  const witBox = h('div', { id: 'witnesses' });
  const keyBox = h('p', { class: 'small' });
  const receiptMsg = h('p', { class: 'small', role: 'status', id: 'receipt-msg' });
  const checks = h('ul', { class: 'checks', id: 'receipt-checks', 'aria-live': 'polite' });
  let key = '';

  const eventId = h('input', { id: 'receipt-event', type: 'number', min: 1, step: 1, required: true, inputmode: 'numeric' });
  const cosigned = h('input', { id: 'receipt-cosigned', type: 'checkbox' });
  const file = h('input', { id: 'receipt-file', type: 'file', accept: 'application/json,.json' });
  const witKey = h('input', { id: 'witness-key', required: true, autocomplete: 'off', spellcheck: 'false' });
  const witMsg = h('p', { class: 'small', role: 'status', id: 'witness-msg' });
  const field = (input, label) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input);

  /** Shows each check of a receipt, in words. */
  async function check(receipt, source) {
    const list = await verifyReceipt(receipt, key);
    // The checks stop at the first failure: all passed when the last, the inclusion, did.
    const allOk = list.at(-1).check === 'inclusion' && list.every((c) => c.ok === true);
    replace(checks, list.map((c) => h('li', { class: c.ok === true ? 'ok' : c.ok === false ? 'bad' : 'unknown', 'data-check': c.check },
      h('span', { 'aria-hidden': 'true' }, c.ok === true ? '✓ ' : c.ok === false ? '✗ ' : '? '),
      t(`ledger.check.${c.check}`), ': ', c.ok === true ? t('ledger.check.ok') : c.ok === false ? t('ledger.check.bad') : t('ledger.check.unknown'))));
    checks.dataset.result = allOk ? 'verified' : list.some((c) => c.ok === false) ? 'failed' : 'unchecked';
    const verdict = allOk ? t('ledger.receipt.verified', { source, index: receipt.leaf_index, size: receipt.tree_size })
      : list.some((c) => c.ok === false) ? t('ledger.receipt.failed', { source }) : t('ledger.receipt.partial', { source });
    receiptMsg.textContent = verdict;
    announce(verdict);
  }

  const receiptForm = h('form', { class: 'admin-form', id: 'receipt-form', onsubmit: async (e) => {
    e.preventDefault();
    const id = eventId.value.trim();
    try {
      const blob = await fetchBlob(`/ledger/receipts/${id}`, cosigned.checked ? { cosigned: 1 } : undefined);
      download(`parley-receipt-${id}.json`, blob, 'application/json');
      await check(JSON.parse(await blob.text()), t('ledger.receipt.event', { id }));
    } catch (err) {
      replace(checks);
      receiptMsg.textContent = t('error.generic', { msg: err.message });
    }
  } },
  h('h2', { id: 'receipt-title' }, t('ledger.receipt')),
  h('p', { class: 'small muted' }, t('ledger.receipt.lead')),
  field(eventId, t('ledger.receipt.eventid')),
  h('div', { class: 'field check' }, cosigned, h('label', { for: 'receipt-cosigned' }, t('ledger.receipt.cosigned'))),
  h('button', { type: 'submit', class: 'btn btn-primary', id: 'receipt-download' }, '⬇ ', t('ledger.receipt.download')),
  field(file, t('ledger.receipt.file')), keyBox, receiptMsg, checks);

  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    let receipt = null;
    try { receipt = JSON.parse(await f.text()); } catch { /* not JSON: every check fails */ }
    await check(receipt || {}, f.name);
  });

  const witForm = isAdmin ? h('form', { class: 'admin-form', id: 'witness-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const w = await post('/ledger/witnesses', { key: witKey.value.trim() });
      witMsg.textContent = t('ledger.witness.added', { name: w.name });
      witKey.value = '';
      await load();
    } catch (err) {
      witMsg.textContent = t('error.generic', { msg: err.message });
    }
  } },
  h('h3', {}, t('ledger.witness.add')),
  field(witKey, t('ledger.witness.key')),
  h('button', { type: 'submit', class: 'btn', id: 'witness-submit' }, t('ledger.witness.register')), witMsg) : null;

  main.append(h('div', { class: 'ledger-screen' },
    h('div', { class: 'screen-head' }, h('h1', {}, t('ledger.heading'))),
    h('p', { class: 'muted' }, t('ledger.lead')),
    h('div', { class: 'grid-2' },
      h('section', { class: 'panel', 'aria-labelledby': 'cp-title' }, h('h2', { id: 'cp-title' }, t('ledger.checkpoint')), cpBox, cosBox),
      h('section', { class: 'panel', 'aria-labelledby': 'wit-title' }, h('h2', { id: 'wit-title' }, t('ledger.witnesses')), witBox, witForm)),
    h('section', { class: 'panel' }, receiptForm)));

  async function load() {
    const [note, keyText, wit] = await Promise.all([text('/ledger/checkpoint'), text('/ledger/key'),
      get('/ledger/witnesses').catch(() => null)]);
    key = (keyText || '').trim();
    replace(keyBox, t('ledger.key'), ' ', h('code', { class: 'hash', id: 'log-key' }, key || '—'));
    const witnesses = wit?.witnesses || [];
    const cp = parseNote(note);
    if (!cp) {
      replace(cpBox, h('p', { class: 'notice' }, t('ledger.nocheckpoint')));
      replace(cosBox);
    } else {
      replace(cpBox, checkpointFacts(cp, 'cp-facts'), h('h3', {}, t('ledger.signatures')), signatureList(cp, witnesses, 'cp-signatures'),
        h('details', {}, h('summary', {}, t('ledger.raw')), h('pre', { class: 'note' }, note)));
      // No cosignature on the latest yet: the latest one the witnesses did cosign.
      const hasWitness = cp.signatures.some((s) => s.name !== cp.origin);
      const older = hasWitness ? null : parseNote(await text('/ledger/checkpoint?cosigned=1'));
      replace(cosBox, hasWitness ? null : older
        ? [h('h3', {}, t('ledger.cosigned', { size: older.size })), signatureList(older, witnesses, 'cosigned-signatures')]
        : h('p', { class: 'small muted', id: 'no-cosigned' }, t('ledger.nocosigned')));
    }
    replace(witBox, witnesses.length ? h('table', { class: 'table', id: 'witness-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('ledger.witness.name')), h('th', { scope: 'col' }, t('ledger.witness.since')))),
      h('tbody', {}, witnesses.map((w) => h('tr', { 'data-witness': w.name },
        h('th', { scope: 'row' }, w.name, h('br'), h('code', { class: 'hash small' }, w.key)), h('td', {}, when(w.created_at))))))
      : h('p', { class: 'muted' }, t('ledger.nowitnesses')));
  }
  load();
  return null;
}
