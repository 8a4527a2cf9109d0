/* ledger.h — Parley's tamper-evident record: an RFC 9162 transparency log.
 *
 * Pure code: no SQL, no HTTP. The desk appends one leaf per event inside
 * its write transaction; the store persists the ordered leaf hashes; this
 * module hashes, proves, verifies, signs and co-signs. Design note with
 * formats and examples: docs/ledger.md.
 *
 * Conventions
 *   - Hashes are SHA-256, LEDGER_HASH_LEN (32) bytes. A proof is an array
 *     of hashes, `uint8_t proof[][LEDGER_HASH_LEN]`, at most
 *     LEDGER_MAX_PROOF long (enough for 2^63 leaves).
 *   - Fallible functions return 0 or a negative PL_E* code (base/err.h).
 *     Anything that comes from outside (notes, keys, receipts, proofs) is
 *     checked: malformed input gives PL_EPARSE / PL_EINVAL, a failed
 *     signature or proof gives PL_ECRYPTO, never a crash.
 *   - Strings returned through `char **` are new; the caller frees them.
 *     Structs filled by *_parse() are released with their *_clear() or
 *     *_free(). Input pointers are borrowed for the duration of the call.
 */
#ifndef PARLEY_LEDGER_LEDGER_H
#define PARLEY_LEDGER_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "model/model.h"

#define LEDGER_HASH_LEN  32
#define LEDGER_MAX_PROOF 64

/* ==== 1. Merkle tree hashing (RFC 9162 §2.1.1) ========================= */

/* out = SHA-256(0x00 ‖ data[0..len)). */
void ledger_leaf_hash(const void *data, size_t len, uint8_t out[LEDGER_HASH_LEN]);
/* out = SHA-256(0x01 ‖ left ‖ right). out may alias left or right. */
void ledger_node_hash(const uint8_t left[LEDGER_HASH_LEN],
                      const uint8_t right[LEDGER_HASH_LEN],
                      uint8_t out[LEDGER_HASH_LEN]);
/* MTH({}) = SHA-256(""), the root of the empty tree. */
void ledger_empty_root(uint8_t out[LEDGER_HASH_LEN]);
/* Returns true if a and b are equal (constant time). */
bool ledger_hash_equal(const uint8_t a[LEDGER_HASH_LEN], const uint8_t b[LEDGER_HASH_LEN]);
/* Writes h as standard padded base64 (44 characters) and a NUL into out. */
#define LEDGER_HASH_B64_LEN 45
void ledger_hash_to_b64(const uint8_t h[LEDGER_HASH_LEN], char out[LEDGER_HASH_B64_LEN]);
/* Parses exactly one base64 hash from s[0..len). PL_EPARSE otherwise. */
int ledger_hash_from_b64(const char *s, size_t len, uint8_t out[LEDGER_HASH_LEN]);

/* ==== 2. The tree ======================================================= */

/* An append-only Merkle tree held in memory: the hashes of every complete,
 * power-of-two aligned subtree (level 0 = leaf hashes; level k node i
 * covers leaves [i·2^k, (i+1)·2^k)), about 2n hashes = 64 MB per million
 * leaves. The persisted source of truth is only the ordered list of leaf
 * hashes: rebuild at start with ledger_tree_append() in order.
 *
 * Any size ≤ ledger_tree_size() can be asked for a root or proofs, so
 * the tree serves every past checkpoint. Root, inclusion and consistency
 * proofs read O(log n) stored hashes and compute O(log n) more.
 *
 * Threads: one writer (append/truncate) and any number of readers may use
 * one tree concurrently; an internal rwlock serialises them. */
struct ledger_tree;

/* Returns a new empty tree; free with ledger_tree_free(). */
struct ledger_tree *ledger_tree_new(void);
void ledger_tree_free(struct ledger_tree *t);           /* NULL is fine */
/* Pre-allocates room for n leaves (optional; speeds up a rebuild). */
void ledger_tree_reserve(struct ledger_tree *t, uint64_t n);
/* Appends a leaf hash (already ledger_leaf_hash()ed); returns its index. */
uint64_t ledger_tree_append(struct ledger_tree *t, const uint8_t leaf_hash[LEDGER_HASH_LEN]);
/* Drops every leaf at index ≥ size (undo of appends whose transaction
 * rolled back). PL_EINVAL if size > current size. */
int ledger_tree_truncate(struct ledger_tree *t, uint64_t size);
/* Number of leaves. */
uint64_t ledger_tree_size(const struct ledger_tree *t);
/* Copies leaf hash `index`; PL_EINVAL if out of range. */
int ledger_tree_leaf(const struct ledger_tree *t, uint64_t index, uint8_t out[LEDGER_HASH_LEN]);
/* Root hash of the first `size` leaves (MTH(D[0:size])); size 0 gives the
 * empty root. PL_EINVAL if size > ledger_tree_size(). */
int ledger_tree_root(const struct ledger_tree *t, uint64_t size, uint8_t out[LEDGER_HASH_LEN]);
/* Inclusion proof PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom-up,
 * into proof[0..*nproof). PL_EINVAL unless index < size ≤ tree size. */
int ledger_tree_inclusion_proof(const struct ledger_tree *t, uint64_t index, uint64_t size,
                                uint8_t proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN],
                                size_t *nproof);
/* Consistency proof PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1) into
 * proof[0..*nproof). Empty when size1 == 0 or size1 == size2. PL_EINVAL
 * unless size1 ≤ size2 ≤ tree size. */
int ledger_tree_consistency_proof(const struct ledger_tree *t, uint64_t size1, uint64_t size2,
                                  uint8_t proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN],
                                  size_t *nproof);

/* Leaves appended inside a write transaction but not yet committed. The
 * desk's writer runs jobs in SAVEPOINTs inside one transaction; the tree
 * must only hold committed leaves (docs/ledger.md, "Appending inside the
 * desk's transactions"):
 *
 *   struct ledger_pending p = LEDGER_PENDING_INIT;
 *   per job:  size_t mark = p.n;
 *             idx = ledger_pending_add(t, &p, leaf_hash);  -- store the row with idx
 *             on savepoint rollback: ledger_pending_rollback(&p, mark);
 *   after COMMIT: ledger_pending_commit(t, &p);  on failure: ledger_pending_rollback(&p, 0);
 *   ledger_pending_release(&p);
 *
 * Only the single writer thread may use a pending list with its tree. */
struct ledger_pending {
    uint8_t (*h)[LEDGER_HASH_LEN];
    size_t n, cap;
};
#define LEDGER_PENDING_INIT { NULL, 0, 0 }
/* Queues a leaf hash; returns the index it will have once committed. */
uint64_t ledger_pending_add(const struct ledger_tree *t, struct ledger_pending *p,
                            const uint8_t leaf_hash[LEDGER_HASH_LEN]);
/* Forgets the leaves queued after the first `mark` ones. */
void ledger_pending_rollback(struct ledger_pending *p, size_t mark);
/* Appends every queued leaf to t in order and empties p. */
void ledger_pending_commit(struct ledger_tree *t, struct ledger_pending *p);
void ledger_pending_release(struct ledger_pending *p);  /* frees; back to INIT */

/* ==== 3. Proof verification (pure, no tree needed) ==================== */

/* RFC 9162 §2.1.3.2. Returns 0 if leaf_hash is leaf `index` of the tree
 * of `size` leaves whose root is `root`; PL_ECRYPTO otherwise (including
 * index ≥ size or a proof of the wrong length). */
int ledger_verify_inclusion(const uint8_t leaf_hash[LEDGER_HASH_LEN], uint64_t index,
                            uint64_t size, const uint8_t proof[][LEDGER_HASH_LEN],
                            size_t nproof, const uint8_t root[LEDGER_HASH_LEN]);
/* RFC 9162 §2.1.4.2. Returns 0 if the tree (size2, root2) is an
 * append-only extension of (size1, root1); PL_ECRYPTO otherwise. As in
 * the reference implementations: size1 == size2 needs an empty proof and
 * equal roots; size1 == 0 needs an empty proof and root1 = empty root;
 * size1 > size2 fails. */
int ledger_verify_consistency(uint64_t size1, const uint8_t root1[LEDGER_HASH_LEN],
                              uint64_t size2, const uint8_t root2[LEDGER_HASH_LEN],
                              const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof);

/* A compact range from leaf 0: O(log n) hashes that give the root of all
 * leaves pushed so far without keeping them. Used by audits that stream
 * millions of stored leaves. Plain value; no clear needed. */
struct ledger_frontier {
    uint64_t size;
    uint8_t  hash[64][LEDGER_HASH_LEN];   /* hash[k]: perfect subtree of 2^k, if bit k of size */
};
void ledger_frontier_init(struct ledger_frontier *f);
void ledger_frontier_push(struct ledger_frontier *f, const uint8_t leaf_hash[LEDGER_HASH_LEN]);
void ledger_frontier_root(const struct ledger_frontier *f, uint8_t out[LEDGER_HASH_LEN]);

/* ==== 4. Canonical encoding of an event =============================== */

/* Leaf bytes of an event, "parley/event/v1" (docs/ledger.md):
 *
 *   "PLEV" 0x01                  magic and version (5 bytes)
 *   i64 id                       all integers big-endian, two's complement
 *   str type                     str  = u32 length ‖ bytes
 *   str actor_kind name          ("system", "user", "customer", "apikey")
 *   i64 actor_id, ticket_id, customer_id, message_id
 *   ostr before, ostr after      ostr = u8 0 (NULL) | u8 1 ‖ str
 *   i64 created_at
 *
 * Strings are hashed byte for byte as stored: the store must keep
 * before/after exactly (TEXT / json, never a re-serialising type such as
 * PostgreSQL jsonb). Message bodies are committed through the event that
 * carries them in `after` (message.inbound and friends).
 *
 * Appends the bytes to *out. PL_EINVAL if type is NULL or actor_kind is
 * out of range; PL_ETOOBIG if a string exceeds 2^32-1 bytes. */
int ledger_event_encode(const struct event *ev, struct buf *out);
/* Decodes leaf bytes back into *ev (fields owned by ev; event_clear()).
 * PL_EPARSE if the bytes are not exactly one well-formed v1 encoding. */
int ledger_event_decode(const void *data, size_t len, struct event *ev);
/* out = ledger_leaf_hash(ledger_event_encode(ev)). */
int ledger_event_leaf_hash(const struct event *ev, uint8_t out[LEDGER_HASH_LEN]);

/* ==== 5. Audit: name the first altered event ========================== */

/* `parley verify` streams the stored events (in log order) with the
 * stored leaf hashes, then the checkpoints it trusts. The audit names the
 * first leaf whose recomputed hash differs from the logged one (an event
 * edited, deleted, inserted or reordered), and checks that the logged
 * leaves hash to every checkpoint root (the leaf table itself rewritten).
 * Plain value; no clear needed. */
struct ledger_audit {
    struct ledger_frontier f;      /* over the logged leaf hashes */
    uint64_t first_bad;            /* leaf index of the first mismatch, or UINT64_MAX */
    int64_t  first_bad_event_id;   /* its stored event id (0 if no event) */
    uint64_t checkpoint_bad_size;  /* smallest checkpoint size that failed, or UINT64_MAX */
};
void ledger_audit_init(struct ledger_audit *a);
/* Feeds leaf a->f.size: the stored event (NULL if the log has more
 * leaves than the store has events) and the logged leaf hash (NULL if the
 * store has more events than the log). Returns 0 if they match,
 * PL_ECHECKSUM on the first and any later mismatch (first one recorded). */
int ledger_audit_step(struct ledger_audit *a, const struct event *ev,
                      const uint8_t logged[LEDGER_HASH_LEN]);
/* Checks a checkpoint (size, root) against the logged leaves; call it
 * when exactly `size` leaves have been fed (a->f.size == size). Returns 0,
 * PL_ECHECKSUM on a root mismatch, PL_EINVAL if called at the wrong time. */
int ledger_audit_checkpoint(struct ledger_audit *a, uint64_t size,
                            const uint8_t root[LEDGER_HASH_LEN]);

/* ==== 6. Keys and signed notes (C2SP signed-note) ===================== */

/* Key names: 1..255 bytes of valid UTF-8, no whitespace, no '+'.
 * Verifier key string: "<name>+<8 hex key id>+<base64(0x01 ‖ pubkey)>".
 * Signer key string:   "PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 ‖ seed)>"
 * (the formats of golang.org/x/mod/sumdb/note). Key id = first 4 bytes,
 * big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey). */
struct ledger_signer;
struct ledger_verifier;

/* Generates an Ed25519 key pair; *skey and *vkey are new strings. */
int ledger_key_generate(const char *name, char **skey, char **vkey);
/* Parses a signer key string. *out is new; ledger_signer_free(). */
int ledger_signer_parse(const char *skey, struct ledger_signer **out);
void ledger_signer_free(struct ledger_signer *s);
const char *ledger_signer_name(const struct ledger_signer *s);   /* borrowed */
/* Returns the verifier key string of a signer (new string). */
char *ledger_signer_vkey(const struct ledger_signer *s);
/* Returns the signer's cosignature/v1 verifier key string (algorithm byte
 * 0x04, its own key id), what a witness publishes (new string). */
char *ledger_signer_cosig_vkey(const struct ledger_signer *s);
/* Parses a verifier key string: Ed25519 note keys (0x01) and, for
 * witnesses, cosignature/v1 keys (0x04). *out is new; ledger_verifier_free(). */
int ledger_verifier_parse(const char *vkey, struct ledger_verifier **out);
void ledger_verifier_free(struct ledger_verifier *v);
/* The cosignature/v1 verifier key string (algorithm byte 0x04) for the
 * same name and Ed25519 public key as v, whichever form v has: what a
 * log registers for a witness whose ordinary .pub it was given (new string). */
char *ledger_verifier_cosig_vkey(const struct ledger_verifier *v);
const char *ledger_verifier_name(const struct ledger_verifier *v); /* borrowed */
uint32_t ledger_verifier_id(const struct ledger_verifier *v);

/* A parsed signed note: text (ends with '\n') and its signature lines. */
struct ledger_note_sig {
    char    *name;
    uint32_t id;
    uint8_t *sig;          /* signature bytes after the key id */
    size_t   siglen;
};
struct ledger_note {
    char   *text;          /* NUL-terminated; includes the final '\n' */
    size_t  text_len;
    struct ledger_note_sig *sigs;
    size_t  nsigs;
};
#define LEDGER_NOTE_MAX      (1u << 20)   /* bytes in a whole note */
#define LEDGER_NOTE_MAX_SIGS 100

/* Signs text (UTF-8, ends with '\n', no other control characters, no
 * blank line at the end) with one signer; *note is the new signed note. */
int ledger_note_sign(const char *text, size_t len, const struct ledger_signer *s, char **note);
/* Returns this signer's signature line for text ("— name base64\n", new
 * string): what a witness sends back as its cosignature. */
int ledger_note_signature_line(const char *text, size_t len, const struct ledger_signer *s,
                               char **line);
/* Returns a C2SP tlog-cosignature/v1 line for a checkpoint text: the
 * Ed25519 signature of "cosignature/v1\ntime <timestamp>\n" ‖ text, sent
 * as key id (0x04 key) ‖ timestamp (u64 big-endian, POSIX seconds) ‖ sig.
 * Verified by ledger_note_verify() with the ledger_signer_cosig_vkey() key. */
int ledger_cosig_v1_line(const char *text, size_t len, const struct ledger_signer *s,
                         uint64_t timestamp, char **line);
/* The timestamp of a cosignature/v1 signature (PL_EINVAL if g is not one). */
int ledger_note_sig_timestamp(const struct ledger_note_sig *g, uint64_t *ts);
/* The signature line of g as it appears in a note, "— name base64\n"
 * (new string). */
char *ledger_note_sig_line(const struct ledger_note_sig *g);
/* Parses a signed note (PL_EPARSE if malformed, PL_ETOOBIG past limits). */
int ledger_note_parse(const char *note, size_t len, struct ledger_note *out);
void ledger_note_clear(struct ledger_note *n);
/* Returns 0 if n carries a valid signature by v; PL_ENOTFOUND if no line
 * is by v (name and key id); PL_ECRYPTO if v's line does not verify. */
int ledger_note_verify(const struct ledger_note *n, const struct ledger_verifier *v);
/* Appends signature lines (e.g. witness cosignatures, each "— name b64\n")
 * to a signed note: *out is the new note. Lines whose key (name, id) is
 * already present are dropped. PL_EPARSE if note or lines are malformed. */
int ledger_note_add_signatures(const char *note, size_t len, const char *lines, size_t lines_len,
                               char **out);

/* ==== 7. Checkpoints (C2SP tlog-checkpoint) =========================== */

/* Checkpoint body: "<origin>\n<size decimal>\n<base64 root>\n" followed
 * by optional extension lines (kept verbatim in `extra`). */
struct ledger_checkpoint {
    char    *origin;
    uint64_t size;
    uint8_t  root[LEDGER_HASH_LEN];
    char    *extra;        /* extension lines, each ending in '\n'; NULL if none */
};
void ledger_checkpoint_clear(struct ledger_checkpoint *c);
/* Appends the checkpoint body text to *out. PL_EINVAL on a bad origin. */
int ledger_checkpoint_format(const struct ledger_checkpoint *c, struct buf *out);
/* Parses a checkpoint body (the note text). PL_EPARSE if malformed. */
int ledger_checkpoint_parse(const char *text, size_t len, struct ledger_checkpoint *out);
/* Formats and signs (origin, size, root): *note is the signed checkpoint. */
int ledger_checkpoint_sign(const char *origin, uint64_t size, const uint8_t root[LEDGER_HASH_LEN],
                           const struct ledger_signer *s, char **note);
/* Parses a signed checkpoint, verifies its signature by v, and fills
 * *out. If origin is not NULL, the checkpoint's origin must equal it.
 * PL_EPARSE, PL_ENOTFOUND (not signed by v), PL_ECRYPTO (bad signature),
 * PL_ECONFLICT (other origin). */
int ledger_checkpoint_open(const char *note, size_t len, const struct ledger_verifier *v,
                           const char *origin, struct ledger_checkpoint *out);

/* ==== 8. Receipts ===================================================== */

/* A self-contained, offline-verifiable proof that an event is in the log:
 * JSON "parley-receipt/v1" (docs/ledger.md). */
struct ledger_receipt {
    uint64_t leaf_index;
    uint8_t  leaf_hash[LEDGER_HASH_LEN];
    uint8_t *event;        /* canonical event bytes, or NULL (then only the hash is proven) */
    size_t   event_len;
    uint64_t tree_size;
    size_t   nproof;
    uint8_t  proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN];
    char    *checkpoint;   /* the signed checkpoint note */
};
void ledger_receipt_clear(struct ledger_receipt *r);
/* Builds a receipt for leaf `index` against a signed checkpoint note that
 * t can prove (its size ≤ tree size). event bytes are optional (NULL, 0).
 * PL_EPARSE if the note is not a checkpoint; PL_EINVAL if index is not
 * below its size or its size is beyond the tree; PL_ECHECKSUM if t's root for that size differs from the
 * checkpoint's, or the event bytes do not hash to the leaf. */
int ledger_receipt_build(const struct ledger_tree *t, uint64_t index, const char *checkpoint,
                         const void *event, size_t event_len, struct ledger_receipt *out);
/* Encodes as JSON (*json is new). */
int ledger_receipt_encode(const struct ledger_receipt *r, char **json);
/* Parses JSON. PL_EPARSE if malformed. *out must be zeroed or cleared. */
int ledger_receipt_parse(const char *json, size_t len, struct ledger_receipt *out);
/* Verifies offline with only the log's verifier key: checkpoint signature,
 * sizes, event bytes → leaf hash, inclusion proof → checkpoint root.
 * Returns 0, or PL_ENOTFOUND / PL_ECRYPTO / PL_ECHECKSUM / PL_EPARSE. */
int ledger_receipt_verify(const struct ledger_receipt *r, const struct ledger_verifier *v);
/* Convenience: parse json and verify with a verifier key string. If out
 * is not NULL it is zeroed, then the parsed receipt (if it parsed) is left
 * there whatever the verdict: the caller always ledger_receipt_clear()s. */
int ledger_receipt_verify_text(const char *json, size_t len, const char *vkey,
                               struct ledger_receipt *out);

/* Appends a human-readable account of a receipt to *out (for `parley
 * verify-receipt`): origin, leaf index, tree size, root, signers named in
 * the checkpoint, and the decoded event if present. Describes, does not
 * verify: call ledger_receipt_verify() first. PL_EPARSE if the checkpoint
 * or event bytes are malformed (what could be described is still there). */
int ledger_receipt_describe(const struct ledger_receipt *r, struct buf *out);

/* ==== 9. Witness ====================================================== */

/* What a witness remembers per log: the last checkpoint it co-signed. */
struct ledger_witness_state {
    uint64_t size;
    uint8_t  root[LEDGER_HASH_LEN];
};

/* Decides whether to co-sign a new signed checkpoint of the log whose
 * verifier key is log_key (and origin, if not NULL): the log's signature
 * must verify, the size must not go back, and `proof` must prove the new
 * tree consistent with `last` (empty for the same size, which then needs
 * the same root; a `last` with size 0 accepts any first checkpoint).
 * On success: *cosig is the witness's signature line (new string) and
 * *next the state to persist. Refusals: PL_ENOTFOUND/PL_ECRYPTO/PL_EPARSE
 * (bad or missing log signature), PL_ECONFLICT (other origin, or fork:
 * same size different root, or a failing consistency proof), PL_ESTATE
 * (rollback: smaller size). */
int ledger_witness_cosign(const struct ledger_witness_state *last, const char *note, size_t len,
                          const struct ledger_verifier *log_key, const char *origin,
                          const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof,
                          const struct ledger_signer *witness, char **cosig,
                          struct ledger_witness_state *next);
/* The same decision; the line is a C2SP tlog-cosignature/v1 cosignature
 * carrying `timestamp` (POSIX seconds, supplied by the caller: the module
 * has no clock). */
int ledger_witness_cosign_v1(const struct ledger_witness_state *last, const char *note, size_t len,
                             const struct ledger_verifier *log_key, const char *origin,
                             const uint8_t proof[][LEDGER_HASH_LEN], size_t nproof,
                             const struct ledger_signer *witness, uint64_t timestamp,
                             char **cosig, struct ledger_witness_state *next);

#endif
