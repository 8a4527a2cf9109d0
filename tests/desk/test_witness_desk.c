/* test_witness_desk.c — the desk's side of witnessing over a real SQLite
 * store: registering witnesses, accepting only their verifying
 * cosignatures of checkpoints this log signed, and serving them; and the
 * witness's decision against the desk's own proofs across growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"
#include "tmpdb.h"

static char dbpath[256], keypath[256];

struct fixture {
    struct desk *d;
    struct ledger_signer *w;       /* a registered witness */
    char *wvkey;                   /* its ordinary public key */
    struct ledger_verifier *log;
};

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

static void ingest(struct desk *d, int i)
{
    char who[64], body[64];
    snprintf(who, sizeof who, "c%d@example.com", i);
    snprintf(body, sizeof body, "complaint number %d", i);
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = who, .body = body};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *err = NULL, *skey = NULL, *lvkey;
    if (tmpdb_open("witness", dbpath, sizeof dbpath, &f->d))
        return -1;
    snprintf(keypath, sizeof keypath, "/tmp/parley-witness-%d.key", (int)getpid());
    unlink(keypath);
    if (desk_ledger_use_key(f->d, keypath, "test.parley/log", &err)) {
        fprintf(stderr, "setup: %s\n", err ? err : "?");
        return -1;
    }
    ingest(f->d, 0);
    if (ledger_key_generate("w.example.org", &skey, &f->wvkey) ||
        ledger_signer_parse(skey, &f->w))
        return -1;
    free(skey);
    lvkey = desk_ledger_vkey(f->d);
    if (ledger_verifier_parse(lvkey, &f->log))
        return -1;
    free(lvkey);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char p[300];
    desk_close(f->d);
    tmpdb_remove(dbpath);
    unlink(keypath);
    snprintf(p, sizeof p, "%s.pub", keypath);
    unlink(p);
    ledger_signer_free(f->w);
    ledger_verifier_free(f->log);
    free(f->wvkey);
    free(f);
    return 0;
}

/* The witness's decision on the desk's current checkpoint, from `last`,
 * with the desk's consistency proof; returns the cosigned note or NULL
 * (rc in *rc). */
static char *cosign(struct fixture *f, const struct ledger_signer *w,
                    struct ledger_witness_state *last, int *rc)
{
    char *note = NULL, *line = NULL, *out = NULL;
    assert_int_equal(desk_ledger_checkpoint(f->d, &note), 0);
    uint8_t proof[LEDGER_MAX_PROOF][LEDGER_HASH_LEN];
    size_t n = 0;
    uint64_t size = desk_ledger_size(f->d);
    if (last->size && last->size < size)
        assert_int_equal(desk_ledger_consistency(f->d, last->size, size, proof, &n), 0);
    struct ledger_witness_state next;
    *rc = ledger_witness_cosign_v1(last, note, strlen(note), f->log, "test.parley/log",
                                   (const uint8_t(*)[LEDGER_HASH_LEN])proof, n, w,
                                   (uint64_t)time(NULL), &line, &next);
    if (*rc == 0) {
        *last = next;
        assert_int_equal(ledger_note_add_signatures(note, strlen(note), line, strlen(line), &out),
                         0);
    }
    free(line);
    free(note);
    return out;
}

static void test_register(void **state)
{
    struct fixture *f = *state;
    struct desk_actor agent = {ACTOR_USER, 5, ROLE_AGENT};
    struct witness w = {0}, *v = NULL;
    size_t n = 0;
    assert_int_equal(desk_witness_add(f->d, &agent, f->wvkey, NULL), PL_EFORBIDDEN);
    assert_int_equal(desk_witness_add(f->d, &sys, "not a key", NULL), PL_EPARSE);
    uint64_t before = desk_ledger_size(f->d);
    assert_int_equal(desk_witness_add(f->d, &sys, f->wvkey, &w), 0);
    assert_string_equal(w.name, "w.example.org");
    char *cosig = ledger_signer_cosig_vkey(f->w);
    assert_string_equal(w.vkey, cosig);           /* stored as its cosignature/v1 key */
    free(cosig);
    assert_int_equal(desk_ledger_size(f->d), before + 1); /* registering is an event */
    assert_int_equal(desk_witness_add(f->d, &sys, w.vkey, NULL), PL_EEXISTS);
    assert_int_equal(desk_witness_list(f->d, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, "w.example.org");
    store_free_witnesses(v, n);
    witness_clear(&w);
}

static void test_cosign_across_growth(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(desk_witness_add(f->d, &sys, f->wvkey, NULL), 0);
    struct ledger_witness_state last = {0};
    char *why = NULL, *served = NULL;
    int rc, stored = 0;
    assert_int_equal(desk_ledger_cosigned(f->d, -1, &served), PL_ENOTFOUND);
    for (int round = 0; round < 3; round++) {
        char *note = cosign(f, f->w, &last, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(desk_ledger_cosign(f->d, note, strlen(note), &stored, &why), 0);
        assert_int_equal(stored, 1);
        /* Served with the cosignature, which verifies with the witness key. */
        assert_int_equal(desk_ledger_cosigned(f->d, -1, &served), 0);
        struct ledger_note n;
        struct ledger_verifier *wv = NULL;
        char *cv = ledger_signer_cosig_vkey(f->w);
        assert_int_equal(ledger_verifier_parse(cv, &wv), 0);
        assert_int_equal(ledger_note_parse(served, strlen(served), &n), 0);
        assert_int_equal(ledger_note_verify(&n, wv), 0);
        assert_int_equal(ledger_note_verify(&n, f->log), 0);
        ledger_note_clear(&n);
        ledger_verifier_free(wv);
        free(cv);
        free(served);
        free(note);
        ingest(f->d, round + 1);
        ingest(f->d, round + 10);
    }
    assert_true(last.size > 3);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(desk_witness_add(f->d, &sys, f->wvkey, NULL), 0);
    struct ledger_witness_state last = {0};
    char *why = NULL, *skey = NULL, *vkey = NULL;
    int rc, stored = 0;

    /* An unregistered key, even one of a registered name. */
    struct ledger_signer *other = NULL;
    assert_int_equal(ledger_key_generate("w.example.org", &skey, &vkey), 0);
    assert_int_equal(ledger_signer_parse(skey, &other), 0);
    char *note = cosign(f, other, &last, &rc);
    assert_int_equal(desk_ledger_cosign(f->d, note, strlen(note), &stored, &why), PL_EFORBIDDEN);
    assert_non_null(strstr(why, "not a registered witness"));
    free(why);
    free(note);
    ledger_signer_free(other);
    free(skey);
    free(vkey);

    /* Malformed, no cosignature, a checkpoint this log never signed. */
    assert_int_equal(desk_ledger_cosign(f->d, "nonsense", 8, &stored, &why), PL_EPARSE);
    free(why);
    char *plain = NULL;
    assert_int_equal(desk_ledger_checkpoint(f->d, &plain), 0);
    assert_int_equal(desk_ledger_cosign(f->d, plain, strlen(plain), &stored, &why), PL_EINVAL);
    free(why);
    last = (struct ledger_witness_state){0};
    note = cosign(f, f->w, &last, &rc);
    char *nl = strchr(note, '\n');
    nl[1] = nl[1] == '9' ? '8' : nl[1] + 1;        /* another size: not ours */
    assert_int_equal(desk_ledger_cosign(f->d, note, strlen(note), &stored, &why), PL_ECONFLICT);
    free(why);
    nl[1] = plain[nl - note + 1];
    /* A forged signature: flip a byte of the witness's line. */
    char *last_line = strrchr(note, ' ');
    last_line[10] = last_line[10] == 'A' ? 'B' : 'A';
    assert_int_equal(desk_ledger_cosign(f->d, note, strlen(note), &stored, &why), PL_ECRYPTO);
    free(why);
    free(note);
    free(plain);
    assert_int_equal(desk_ledger_cosigned(f->d, -1, &plain), PL_ENOTFOUND);
}

/* The witness refuses a log whose history at the size it co-signed is
 * not the one it saw: same size with another root, and a consistency
 * proof that does not lead from its root. */
static void test_fork_refused(void **state)
{
    struct fixture *f = *state;
    struct ledger_witness_state last = {0};
    int rc;
    char *note = cosign(f, f->w, &last, &rc);
    assert_int_equal(rc, 0);
    free(note);
    struct ledger_witness_state forged = last;
    forged.root[0] ^= 1;                           /* it remembers another history */
    struct ledger_witness_state keep = forged;
    assert_null(cosign(f, f->w, &forged, &rc));
    assert_int_equal(rc, PL_ECONFLICT);
    assert_memory_equal(&forged, &keep, sizeof keep);
    ingest(f->d, 7);
    assert_null(cosign(f, f->w, &forged, &rc));
    assert_int_equal(rc, PL_ECONFLICT);
    forged.size = desk_ledger_size(f->d) + 5;      /* the log went back */
    assert_null(cosign(f, f->w, &forged, &rc));
    assert_int_equal(rc, PL_ESTATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cosign_across_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
