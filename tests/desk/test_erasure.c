/* test_erasure.c — personal data sealed in events, erasure that keeps the
 * tamper-evident log verifiable, and export, over a real SQLite store:
 * the log never holds plaintext, an erased customer's text is gone from
 * the database file and its WAL, `verify` still passes and another
 * customer's receipt still verifies offline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"
#include "ledger/ledger.h"
#include "tmpdb.h"

#define ALICE_MAIL "alice.zebracorn@example.com"
#define ALICE_NAME "Alice Quetzalbrook"
#define ALICE_BODY "My parcel xylophonic-4471 never came"
#define ALICE_SUBJECT "Parcel xylophonic-4471"
#define REPLY_BODY "Sorry Alice, parcel xylophonic-4471 is found"
#define BOB_BODY "Bob's invoice is wrong"

static const struct desk_actor sys = {ACTOR_SYSTEM, 0, ROLE_ADMIN};
static const struct desk_actor supervisor = {ACTOR_USER, 1, ROLE_SUPERVISOR};
static const struct desk_actor agent = {ACTOR_USER, 1, ROLE_AGENT};

struct fixture {
    struct desk *d;
    char path[256], key[300], url[300];
    int64_t alice, bob, alice_ticket, bob_ticket;
};

static int64_t ingest(struct desk *d, const char *mail, const char *name, const char *subject,
                      const char *body, int64_t *ticket)
{
    struct desk_inbound in = {.channel = CHANNEL_EMAIL, .id_kind = IDENTITY_EMAIL,
                              .id_value = mail, .customer_name = name, .subject = subject,
                              .body = body};
    struct desk_ingest_result r;
    if (desk_ingest(d, &sys, &in, &r))
        return 0;
    if (ticket)
        *ticket = r.ticket_id;
    return r.customer_id;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    if (tmpdb_open("erasure", f->path, sizeof f->path, &f->d))
        return -1;
    snprintf(f->key, sizeof f->key, "%s.ledger-key", f->path);
    snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    char *err = NULL;
    if (desk_ledger_use_key(f->d, f->key, "test.parley/log", &err))
        return -1;
    f->alice = ingest(f->d, ALICE_MAIL, ALICE_NAME, ALICE_SUBJECT, ALICE_BODY, &f->alice_ticket);
    f->bob = ingest(f->d, "bob@example.com", "Bob", NULL, BOB_BODY, &f->bob_ticket);
    if (!f->alice || !f->bob || desk_reply(f->d, &sys, f->alice_ticket, REPLY_BODY, NULL))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    desk_close(f->d);
    tmpdb_remove(f->path);
    char p[320];
    unlink(f->key);
    snprintf(p, sizeof p, "%s.pub", f->key);
    unlink(p);
    free(f);
    return 0;
}

/* Number of rows the query (one integer column) returns as its value. */
static long count(const char *path, const char *query)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, query, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* Whether needle occurs anywhere in the file's bytes. */
static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t cap = 1 << 20, len = 0, n;
    char *b = xmalloc(cap);
    while ((n = fread(b + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap)
            b = xrealloc(b, cap *= 2);
    }
    fclose(fp);
    int found = memmem(b, len, needle, strlen(needle)) != NULL;
    free(b);
    return found;
}

static int db_has(const struct fixture *f, const char *needle)
{
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    return file_has(f->path, needle) || file_has(wal, needle);
}

static char *pubkey(const struct fixture *f)
{
    char p[330], line[512];
    snprintf(p, sizeof p, "%s.pub", f->key);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    line[strcspn(line, "\n")] = '\0';
    return xstrdup(line);
}

static json_t *export_doc(struct fixture *f, int64_t id)
{
    char *text = NULL;
    assert_int_equal(desk_customer_export(f->d, &supervisor, id, &text), 0);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(doc);
    return doc;
}

/* The first message body of the export's first ticket. */
static const char *first_body(json_t *doc)
{
    json_t *t = json_array_get(json_object_get(doc, "tickets"), 0);
    return json_string_value(json_object_get(json_array_get(json_object_get(t, "messages"), 0),
                                             "body"));
}

static void test_events_hold_no_plaintext(void **state)
{
    struct fixture *f = *state;
    /* the messages table keeps the text (search, display); the events and
     * so the log only ciphertext */
    assert_int_equal(count(f->path, "SELECT count(*) FROM messages WHERE body LIKE '%xylophonic%'"),
                     2);
    assert_int_equal(count(f->path, "SELECT count(*) FROM events WHERE after_json LIKE "
                                    "'%xylophonic%' OR after_json LIKE '%zebracorn%' OR "
                                    "after_json LIKE '%Quetzalbrook%' OR "
                                    "after_json LIKE '%invoice is wrong%'"),
                     0);
    assert_true(count(f->path, "SELECT count(*) FROM events WHERE after_json LIKE '%sealed%'") >= 6);
    assert_int_equal(count(f->path, "SELECT count(*) FROM customer_keys WHERE wrapped IS NOT NULL"),
                     2);
    /* the data key was made next to the database, readable by its owner only */
    char p[320];
    struct stat sb;
    snprintf(p, sizeof p, "%s.data-key", f->path);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    struct desk_verify_report rep;
    char *vk = pubkey(f);
    assert_int_equal(desk_ledger_verify(f->url, vk, &rep), 0);
    free(vk);
    assert_true(rep.ok);
    assert_int_equal(rep.erased, 0);
    assert_int_equal(rep.unopened, 0);
    free(rep.problem);
}

static void test_export(void **state)
{
    struct fixture *f = *state;
    json_t *doc = export_doc(f, f->alice);
    assert_string_equal(json_string_value(json_object_get(doc, "format")), "parley-export/v1");
    json_t *c = json_object_get(doc, "customer");
    assert_string_equal(json_string_value(json_object_get(c, "name")), ALICE_NAME);
    assert_false(json_is_true(json_object_get(c, "erased")));
    json_t *id = json_array_get(json_object_get(doc, "identities"), 0);
    assert_string_equal(json_string_value(json_object_get(id, "value")), ALICE_MAIL);
    assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 1);
    assert_string_equal(first_body(doc), ALICE_BODY);
    /* events come opened: the inbound message's body is readable */
    json_t *events = json_object_get(doc, "events");
    int bodies = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *after = json_object_get(json_array_get(events, i), "after");
        const char *b = json_string_value(json_object_get(after, "body"));
        bodies += b && (!strcmp(b, ALICE_BODY) || !strcmp(b, REPLY_BODY));
        assert_null(json_object_get(after, "sealed"));
    }
    assert_int_equal(bodies, 2);
    /* one receipt per event, each verifying offline */
    json_t *receipts = json_object_get(doc, "receipts");
    assert_int_equal(json_array_size(receipts), json_array_size(events));
    char *vk = pubkey(f), *r0 = json_dumps(json_array_get(receipts, 0), 0);
    struct ledger_receipt r;
    assert_int_equal(ledger_receipt_verify_text(r0, strlen(r0), vk, &r), 0);
    ledger_receipt_clear(&r);
    free(r0);
    free(vk);
    json_decref(doc);
    /* agents may not export; unknown customers are not found */
    char *text = NULL;
    assert_int_equal(desk_customer_export(f->d, &agent, f->alice, &text), PL_EFORBIDDEN);
    assert_int_equal(desk_customer_export(f->d, &supervisor, 999999, &text), PL_ENOTFOUND);
}

static void test_erase(void **state)
{
    struct fixture *f = *state;
    char *bob_receipt = NULL;
    struct event_filter ef = {.customer_id = f->bob, .limit = 1};
    struct event *ev = NULL;
    size_t n = 0;
    struct store *st = desk_reader(f->d);
    assert_int_equal(st->ops->event_list(st, &ef, &ev, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(desk_ledger_receipt(f->d, ev[0].id, &bob_receipt), 0);
    store_free_events(ev, n);
    assert_true(db_has(f, "xylophonic-4471"));

    struct desk_erase_result res;
    assert_int_equal(desk_customer_erase(f->d, &supervisor, f->alice, &res), PL_EFORBIDDEN);
    assert_int_equal(desk_customer_erase(f->d, &sys, 999999, &res), PL_ENOTFOUND);
    assert_int_equal(desk_customer_erase(f->d, &sys, f->alice, &res), 0);
    assert_int_equal(res.customer_id, f->alice);
    assert_int_equal(res.tickets, 1);
    assert_int_equal(res.messages, 2);
    assert_true(res.scrubbed);
    /* a second erasure changes nothing and says so */
    assert_int_equal(desk_customer_erase(f->d, &sys, f->alice, &res), PL_EEXISTS);

    /* nothing of Alice is left in the file or its WAL: not in the rows,
     * not in the full-text index, not in free pages */
    assert_false(db_has(f, "xylophonic"));
    assert_false(db_has(f, ALICE_MAIL));
    assert_false(db_has(f, "Quetzalbrook"));
    assert_true(db_has(f, BOB_BODY));

    /* the log still verifies, her events by leaf hash alone */
    struct desk_verify_report rep;
    char *vk = pubkey(f);
    assert_int_equal(desk_ledger_verify(f->url, vk, &rep), 0);
    if (!rep.ok)
        fprintf(stderr, "verify: %s\n", rep.problem);
    assert_true(rep.ok);
    assert_int_equal(rep.erased, 2);
    free(rep.problem);
    /* Bob's receipt from before, and a new one, verify offline */
    struct ledger_receipt r;
    assert_int_equal(ledger_receipt_verify_text(bob_receipt, strlen(bob_receipt), vk, &r), 0);
    ledger_receipt_clear(&r);
    free(bob_receipt);
    free(vk);

    /* her export shows tombstones and the erasure */
    json_t *doc = export_doc(f, f->alice);
    json_t *c = json_object_get(doc, "customer");
    assert_true(json_is_true(json_object_get(c, "erased")));
    assert_string_equal(json_string_value(json_object_get(c, "name")), "[erased]");
    assert_string_equal(first_body(doc), "[erased]");
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "xylophonic"));
    assert_null(strstr(text, ALICE_MAIL));
    assert_non_null(strstr(text, "customer.erased"));
    free(text);
    json_decref(doc);

    /* nothing personal can be written for her any more; the same address
     * writing again is a new customer */
    assert_int_equal(desk_reply(f->d, &sys, f->alice_ticket, "hello again", NULL), PL_ESTATE);
    int64_t again = ingest(f->d, ALICE_MAIL, NULL, NULL, "me again", NULL);
    assert_true(again > 0);
    assert_int_not_equal(again, f->alice);
}

/* A job that adds a customer and an event with a personal field about
 * them, then fails with fail (0: commits). */
struct keyjob {
    const char *body;
    int fail;
    int64_t customer_id;
};

static int keyjob_fn(struct desk_tx *tx, void *arg)
{
    struct keyjob *k = arg;
    struct customer c = {0};
    int rc = tx->st->ops->customer_insert(tx->st, &c);
    if (rc)
        return rc;
    k->customer_id = c.id;
    json_t *o = json_pack("{s:s}", "body", k->body);
    char *after = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    rc = desk_event(tx, &sys, "test.note", 0, c.id, 0, NULL, after, 1);
    free(after);
    return rc ? rc : k->fail;
}

/* The writer keeps recent customer keys; a key made by a job that was
 * undone must go with it, even when the next customer gets the same id. */
static void test_undone_key_forgotten(void **state)
{
    struct fixture *f = *state;
    struct keyjob undone = {.body = "first secret", .fail = PL_EINVAL};
    struct keyjob kept = {.body = "second secret wombat"};
    assert_int_equal(desk_exec(f->d, keyjob_fn, &undone), PL_EINVAL);
    assert_int_equal(desk_exec(f->d, keyjob_fn, &kept), 0);
    assert_int_equal(kept.customer_id, undone.customer_id);   /* SQLite reuses the id */
    json_t *doc = export_doc(f, kept.customer_id);
    char *text = json_dumps(doc, 0);
    assert_non_null(strstr(text, "second secret wombat"));
    assert_null(strstr(text, "first secret"));
    free(text);
    json_decref(doc);
}

static void test_tamper_after_erasure(void **state)
{
    struct fixture *f = *state;
    struct desk_erase_result res;
    assert_int_equal(desk_customer_erase(f->d, &sys, f->alice, &res), 0);
    char q[200];
    snprintf(q, sizeof q, "UPDATE messages SET body = 'edited' WHERE ticket_id = %lld",
             (long long)f->bob_ticket);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct desk_verify_report rep;
    assert_int_equal(desk_ledger_verify(f->url, NULL, &rep), 0);
    assert_false(rep.ok);
    assert_non_null(strstr(rep.problem, "was altered"));
    free(rep.problem);
}

static void test_erase_merged(void **state)
{
    struct fixture *f = *state;
    int64_t other = ingest(f->d, "alice.work@example.com", "Alice at work", NULL,
                           "work account question", NULL);
    assert_true(other > 0);
    assert_int_equal(desk_merge_customers(f->d, &sys, f->alice, other), 0);
    struct desk_erase_result res;
    /* the merged record is erased through the one it was merged into */
    assert_int_equal(desk_customer_erase(f->d, &sys, other, &res), PL_ESTATE);
    assert_int_equal(desk_customer_erase(f->d, &sys, f->alice, &res), 0);
    assert_int_equal(res.merged, 1);
    assert_int_equal(res.tickets, 2);
    assert_false(db_has(f, "Alice at work"));
    assert_false(db_has(f, "alice.work@example.com"));
    assert_false(db_has(f, "work account question"));
    struct desk_verify_report rep;
    assert_int_equal(desk_ledger_verify(f->url, NULL, &rep), 0);
    assert_true(rep.ok);
    free(rep.problem);
}

/* Reopens the fixture's database with a fresh desk. */
static void reopen(struct fixture *f)
{
    desk_close(f->d);
    char *err = NULL;
    assert_int_equal(desk_open(f->url, &f->d, &err), 0);
}

/* A missing or different data key file is refused: nothing is sealed
 * under a second key, and no new key file replaces a lost one. */
static void test_wrong_data_key(void **state)
{
    struct fixture *f = *state;
    char key[320], saved[330];
    snprintf(key, sizeof key, "%s.data-key", f->path);
    snprintf(saved, sizeof saved, "%s.saved", key);
    assert_int_equal(rename(key, saved), 0);
    reopen(f);
    assert_int_equal(ingest(f->d, "new@example.com", "New", NULL, "hello", NULL), 0);
    assert_int_equal(access(key, F_OK), -1);  /* not silently replaced */

    FILE *fp = fopen(key, "w");
    assert_non_null(fp);
    fputs("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", fp);
    fclose(fp);
    reopen(f);
    assert_int_equal(ingest(f->d, "new@example.com", "New", NULL, "hello", NULL), 0);
    assert_int_equal(ingest(f->d, ALICE_MAIL, NULL, NULL, "hello", NULL), 0);

    assert_int_equal(rename(saved, key), 0);
    reopen(f);
    assert_true(ingest(f->d, "new@example.com", "New", NULL, "hello", NULL) > 0);
    assert_true(ingest(f->d, ALICE_MAIL, NULL, NULL, "hello", NULL) > 0);
    struct desk_verify_report rep;
    assert_int_equal(desk_ledger_verify(f->url, NULL, &rep), 0);
    assert_true(rep.ok);
    free(rep.problem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_events_hold_no_plaintext, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undone_key_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_after_erasure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_merged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_data_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
