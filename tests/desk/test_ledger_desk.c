/* test_ledger_desk.c — the tamper-evident log over a real SQLite store:
 * receipts verified offline with only the public key, and `verify`
 * catching direct edits of the database (an edited message, an edited,
 * deleted or swapped event, a rewritten leaf). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"

static char dbpath[256], keypath[256], url[300];

static void rm_db(void)
{
    char p[320];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s.data-key", dbpath);
    unlink(p);
    unlink(keypath);
    snprintf(p, sizeof p, "%s.pub", keypath);
    unlink(p);
}

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};

/* A fresh database with three conversations and a signed checkpoint. */
static int setup(void **state)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/parley-ledger-test-%d.db", (int)getpid());
    snprintf(keypath, sizeof keypath, "/tmp/parley-ledger-test-%d.key", (int)getpid());
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    rm_db();
    struct desk *d;
    char *err = NULL;
    if (desk_open(url, &d, &err) || desk_ledger_use_key(d, keypath, "test.parley/log", &err)) {
        fprintf(stderr, "setup: %s\n", err ? err : "?");
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        char who[64], body[64];
        snprintf(who, sizeof who, "c%d@example.com", i);
        snprintf(body, sizeof body, "complaint number %d", i);
        struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                                  .id_value = who, .body = body};
        struct desk_ingest_result r;
        if (desk_ingest(d, &sys, &in, &r))
            return -1;
    }
    char *note = NULL;
    if (desk_ledger_checkpoint(d, &note))
        return -1;
    free(note);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    desk_close(*state);
    rm_db();
    return 0;
}

static char *pubkey(void)
{
    char p[300], line[512];
    snprintf(p, sizeof p, "%s.pub", keypath);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    line[strcspn(line, "\n")] = '\0';
    return xstrdup(line);
}

static void sql(const char *stmt)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, stmt, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "sql: %s\n", err);
    sqlite3_free(err);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

static struct desk_verify_report verify(void)
{
    struct desk_verify_report rep;
    char *vk = pubkey();
    assert_int_equal(desk_ledger_verify(url, vk, &rep), 0);
    free(vk);
    return rep;
}

static void expect_tampered(const char *what)
{
    struct desk_verify_report rep = verify();
    if (rep.ok || !rep.problem || !strstr(rep.problem, what))
        fprintf(stderr, "verify said: %s\n", rep.problem ? rep.problem : "ok");
    assert_false(rep.ok);
    assert_non_null(strstr(rep.problem, what));
    free(rep.problem);
}

static void test_intact(void **state)
{
    (void)state;
    struct desk_verify_report rep = verify();
    assert_true(rep.ok);
    assert_true(rep.events >= 9);
    assert_int_equal(rep.events, rep.leaves);
    assert_int_equal(rep.checkpoint_size, rep.leaves);
    free(rep.problem);
}

static void test_receipt_offline(void **state)
{
    struct desk *d = *state;
    char *json = NULL;
    assert_int_equal(desk_ledger_receipt(d, 2, &json), 0);
    char *vk = pubkey();
    struct ledger_receipt r;
    assert_int_equal(ledger_receipt_verify_text(json, strlen(json), vk, &r), 0);
    ledger_receipt_clear(&r);
    /* one changed character in the proven event and it no longer verifies */
    char *bad = xstrdup(json);
    char *p = strstr(bad, "\"leaf_index\"");
    assert_non_null(p);
    p = strchr(p, ':') + 1;
    while (*p == ' ')
        p++;
    *p = *p == '1' ? '2' : '1';
    assert_int_not_equal(ledger_receipt_verify_text(bad, strlen(bad), vk, &r), 0);
    ledger_receipt_clear(&r);
    free(bad);
    free(vk);
    free(json);
}

static void test_consistency_across_growth(void **state)
{
    struct desk *d = *state;
    uint64_t n1 = desk_ledger_size(d);
    char *note1 = NULL;
    assert_int_equal(desk_ledger_checkpoint(d, &note1), 0);
    struct desk_inbound in = {.channel = CHANNEL_CHAT, .id_kind = IDENTITY_CHAT,
                              .id_value = "later", .body = "one more"};
    struct desk_ingest_result r;
    assert_int_equal(desk_ingest(d, &sys, &in, &r), 0);
    uint64_t n2 = desk_ledger_size(d);
    assert_true(n2 > n1);
    char *note2 = NULL;
    assert_int_equal(desk_ledger_checkpoint(d, &note2), 0);
    struct ledger_checkpoint c1 = {0}, c2 = {0};
    char *vk = pubkey();
    struct ledger_verifier *v = NULL;
    assert_int_equal(ledger_verifier_parse(vk, &v), 0);
    assert_int_equal(ledger_checkpoint_open(note1, strlen(note1), v, "test.parley/log", &c1), 0);
    assert_int_equal(ledger_checkpoint_open(note2, strlen(note2), v, "test.parley/log", &c2), 0);
    assert_int_equal(c1.size, n1);
    assert_int_equal(c2.size, n2);
    ledger_verifier_free(v);
    free(vk);
    uint8_t proof[64][32];
    size_t n;
    assert_int_equal(desk_ledger_consistency(d, n1, n2, proof, &n), 0);
    assert_int_equal(ledger_verify_consistency(n1, c1.root, n2, c2.root, proof, n), 0);
    c1.root[0] ^= 1; /* a forked history does not verify */
    assert_int_not_equal(ledger_verify_consistency(n1, c1.root, n2, c2.root, proof, n), 0);
    ledger_checkpoint_clear(&c1);
    ledger_checkpoint_clear(&c2);
    free(note1);
    free(note2);
}

static void test_edited_message(void **state)
{
    (void)state;
    sql("UPDATE messages SET body = 'I never complained' WHERE id = 2");
    expect_tampered("message 2 was altered");
}

static void test_edited_event(void **state)
{
    (void)state;
    /* the text is sealed (personal.c): change the sealed box */
    sql("UPDATE events SET after_json = replace(after_json, '\"sealed\":\"', '\"sealed\":\"AAAA') "
        "WHERE id = (SELECT min(id) FROM events WHERE type = 'message.inbound')");
    expect_tampered("was altered after it was logged");
}

static void test_deleted_event(void **state)
{
    (void)state;
    sql("DELETE FROM events WHERE id = 4");
    expect_tampered("deleted, inserted or reordered");
}

static void test_swapped_events(void **state)
{
    (void)state;
    sql("UPDATE events SET id = -1 WHERE id = 2; UPDATE events SET id = 2 WHERE id = 3; "
        "UPDATE events SET id = 3 WHERE id = -1");
    expect_tampered("leaf 1");
}

static void test_rewritten_log(void **state)
{
    (void)state;
    /* Edit an event AND recompute nothing else: caught as above. Rewriting
     * the leaf too is caught by the signed checkpoint. */
    sql("UPDATE ledger_leaves SET hash = (SELECT hash FROM ledger_leaves WHERE idx = 0) "
        "WHERE idx = 1");
    struct desk_verify_report rep = verify();
    assert_false(rep.ok);
    free(rep.problem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consistency_across_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_event, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapped_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
