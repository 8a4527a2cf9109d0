// ledger.js — reading the tamper-evident log in the browser: C2SP signed
// notes (checkpoints with their signature lines), and the checks of a
// parley-receipt/v1 done here with WebCrypto — the event's leaf hash, its
// RFC 9162 inclusion proof up to the checkpoint's root, and the log's
// Ed25519 signature on that checkpoint (docs/ledger.md).

const enc = new TextEncoder();

export function b64decode(s) {
  const bin = atob(String(s).trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A signed note: {text (the signed body, ending in a newline), origin, size,
 * root (base64), signatures: [{name, keyId (hex), sig (bytes after the key id)}]},
 * or null when it does not parse.
 */
export function parseNote(note) {
  const cut = String(note || '').indexOf('\n\n');
  if (cut < 0) return null;
  const text = note.slice(0, cut + 1);
  const [origin, size, root] = text.split('\n');
  if (!origin || !/^\d+$/.test(size || '') || !root) return null;
  const signatures = [];
  for (const line of note.slice(cut + 2).split('\n')) {
    const m = line.match(/^\u2014 (\S+) (\S+)$/);
    if (!m) continue;
    let raw;
    try { raw = b64decode(m[2]); } catch { continue; }
    if (raw.length < 5) continue;
    const keyId = [...raw.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    signatures.push({ name: m[1], keyId, sig: raw.slice(4), line });
  }
  return { text, origin, size: Number(size), root, signatures };
}

/** A verifier key string "name+keyid+base64(0x01 ‖ key)" → {name, keyId, key} or null. */
export function parseKey(s) {
  const m = String(s || '').trim().match(/^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/);
  if (!m) return null;
  let raw;
  try { raw = b64decode(m[3]); } catch { return null; }
  if (raw.length !== 33 || raw[0] !== 1) return null;
  return { name: m[1], keyId: m[2], key: raw.slice(1) };
}

/** True / false for the log's signature on the note; null when this browser has no Ed25519. */
export async function verifyNote(note, key) {
  const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId);
  if (!sig || sig.sig.length !== 64) return false;
  let k;
  try {
    k = await crypto.subtle.importKey('raw', key.key, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, k, sig.sig, enc.encode(note.text));
}

/** The root an RFC 9162 (§2.1.3.2) inclusion proof leads to, or null when the proof cannot fit. */
export async function rootFromInclusion(index, size, leaf, proof) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat([1], p, r));
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(concat([1], r, p));
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/**
 * Checks a receipt against the log's key. Returns the list of checks, each
 * {check: 'format'|'signature'|'size'|'leaf'|'inclusion', ok: true|false|null}
 * (null: could not be checked here), stopping at the first failure.
 */
export async function verifyReceipt(receipt, keyString) {
  const out = [];
  const add = (check, ok) => { out.push({ check, ok }); return ok !== false; };
  const note = parseNote(receipt?.checkpoint);
  let leaf, proof;
  try {
    leaf = b64decode(receipt.leaf_hash);
    proof = (receipt.inclusion_proof || []).map(b64decode);
  } catch { leaf = null; }
  if (!add('format', receipt?.format === 'parley-receipt/v1' && note !== null && leaf?.length === 32
    && Number.isInteger(receipt.leaf_index) && Number.isInteger(receipt.tree_size))) return out;
  const key = parseKey(keyString);
  if (!add('signature', key ? await verifyNote(note, key) : false)) return out;
  if (!add('size', receipt.tree_size === note.size)) return out;
  if (receipt.event) {
    let bytes = null;
    try { bytes = b64decode(receipt.event); } catch { /* fails below */ }
    if (!add('leaf', bytes !== null && same(await sha256(concat([0], bytes)), leaf))) return out;
  }
  const root = await rootFromInclusion(receipt.leaf_index, receipt.tree_size, leaf, proof);
  let want = null;
  try { want = b64decode(note.root); } catch { /* fails below */ }
  add('inclusion', root !== null && want !== null && same(root, want));
  return out;
}
