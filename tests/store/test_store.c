/* test_store.c — the one storage suite, run unchanged on both backends.
 *
 * Every test gets an empty, freshly migrated database (testdb.h): a SQLite
 * file in a temporary directory, or, with PARLEY_TEST_DB=postgresql://...,
 * a new schema dropped afterwards, so runs never see each other's rows and
 * the server's database stays empty. */
#include "store/store.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "testdb.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

struct fx {
    struct store *st;
    struct testdb db;
};

static struct store *open_or_die(const char *url, int migrate)
{
    struct store *st = NULL;
    char *err = NULL;
    int rc = store_open(url, migrate, &st, &err);
    if (rc) {
        print_error("store_open(%s): %s: %s\n", url, parley_errname(rc), err ? err : "");
        free(err);
        fail();
    }
    return st;
}

static int setup(void **state)
{
    struct fx *fx = xcalloc(1, sizeof *fx);
    if (testdb_make(&fx->db, "store")) {
        testdb_drop(&fx->db);
        free(fx);
        return -1;
    }
    fx->st = open_or_die(fx->db.url, 1);
    *state = fx;
    return 0;
}

/* Like setup() but leaves the database empty (no migrations). */
static int setup_empty(void **state)
{
    int rc = setup(state);
    if (rc == 0) {
        struct fx *fx = *state;
        store_close(fx->st);
        fx->st = NULL;
        rc = testdb_empty(&fx->db);     /* setup() migrated the first one */
    }
    return rc;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    store_close(fx->st);
    testdb_drop(&fx->db);
    free(fx);
    return 0;
}

#define ST(state) (((struct fx *)*(state))->st)

/* ---- helpers ------------------------------------------------------------ */

static int64_t new_customer(struct store *st, const char *name)
{
    struct customer c = {.name = (char *)name, .created_at = 1000};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    assert_true(c.id > 0);
    return c.id;
}

static int64_t new_ticket(struct store *st, int64_t customer_id, enum ticket_status status,
                          enum channel channel, const char *thread, int64_t updated_at)
{
    struct ticket t = {.customer_id = customer_id, .subject = (char *)"subj", .status = status,
                       .channel = channel, .thread = (char *)thread, .created_at = 1000,
                       .updated_at = updated_at};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    return t.id;
}

static int64_t new_user(struct store *st, const char *email)
{
    struct user u = {.email = (char *)email, .name = (char *)"U", .role = ROLE_AGENT,
                     .active = true};
    assert_int_equal(st->ops->user_insert(st, &u), 0);
    return u.id;
}

/* ---- migrations --------------------------------------------------------- */

static void test_migrations_idempotent(void **state)
{
    struct fx *fx = *state;
    struct store *st = fx->st;
    int v1 = 0, v2 = 0, v3 = 0;

    assert_int_equal(st->ops->schema_version(st, &v1), 0);
    assert_true(v1 >= 1);
    assert_int_equal(st->ops->migrate(st), 0);
    assert_int_equal(st->ops->schema_version(st, &v2), 0);
    assert_int_equal(v1, v2);

    /* A second connection opening (and migrating) the same database. */
    struct store *st2 = open_or_die(fx->db.url, 1);
    assert_int_equal(st2->ops->schema_version(st2, &v3), 0);
    assert_int_equal(v3, v1);
    /* ... and it sees the same data. */
    int64_t id = new_customer(st, "Anna");
    struct customer c = {0};
    assert_int_equal(st2->ops->customer_get(st2, id, &c), 0);
    assert_string_equal(c.name, "Anna");
    customer_clear(&c);
    store_close(st2);

    /* Without migrate the connection opens too. */
    st2 = open_or_die(fx->db.url, 0);
    assert_int_equal(st2->ops->schema_version(st2, &v3), 0);
    assert_int_equal(v3, v1);
    store_close(st2);
}

/* Several processes open and migrate the same empty database at once:
 * every one succeeds and the schema is created exactly once. */
static void test_migrations_concurrent(void **state)
{
    struct fx *fx = *state;
    enum { NPROC = 4 };
    pid_t pids[NPROC];

    for (int i = 0; i < NPROC; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct store *st = NULL;
            char *err = NULL;
            int rc = store_open(fx->db.url, 1, &st, &err);
            if (rc)
                fprintf(stderr, "child %d: %s\n", i, err ? err : "");
            free(err);
            store_close(st);
            _exit(rc ? 1 : 0);
        }
    }
    for (int i = 0; i < NPROC; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    fx->st = open_or_die(fx->db.url, 0);
    int v = 0;
    assert_int_equal(fx->st->ops->schema_version(fx->st, &v), 0);
    assert_true(v >= 1);
    int64_t id = new_customer(fx->st, "after");
    assert_true(id > 0);
}

/* One connection at a time holds the claim, even within one process; the
 * next is told who holds it; closing the holder releases it. */
static void test_claim(void **state)
{
    struct fx *fx = *state;
    struct store_holder h;
    assert_int_equal(fx->st->ops->claim(fx->st, "serve", &h), 0);
    assert_int_equal(fx->st->ops->claim(fx->st, "serve", &h), 0); /* again: kept */
    struct store *other = open_or_die(fx->db.url, 0);
    memset(&h, 0, sizeof h);
    assert_int_equal(other->ops->claim(other, "user add", &h), PL_EBUSY);
    assert_int_equal(h.pid, (long)getpid());
    assert_string_equal(h.who, "serve");
    assert_true(new_customer(other, "a reader is no writer") > 0);
    store_close(fx->st);
    fx->st = other;
    assert_int_equal(other->ops->claim(other, "user add", &h), 0);
}

/* Every operation of the table is implemented: a NULL pointer would crash
 * the caller. Walks the table from `close` to its end as function
 * pointers, so operations added to store.h later are covered too. */
static void test_ops_complete(void **state)
{
    const struct store_ops *ops = ST(state)->ops;
    typedef void (*any_fn)(void);
    size_t first = offsetof(struct store_ops, close);

    assert_non_null(ops->name);
    assert_true(ops->version >= 1);
    assert_int_equal((sizeof *ops - first) % sizeof(any_fn), 0);
    for (size_t off = first; off < sizeof *ops; off += sizeof(any_fn)) {
        any_fn f;
        memcpy(&f, (const char *)ops + off, sizeof f);
        if (!f)
            print_error("store_ops slot %zu of %s is NULL\n", (off - first) / sizeof f,
                        ops->name);
        assert_non_null(f);
    }
}

static void test_open_bad_url(void **state)
{
    (void)state;
    struct store *st = NULL;
    char *err = NULL;
    assert_int_equal(store_open("mysql://x", 1, &st, &err), PL_EINVAL);
    assert_null(st);
    assert_non_null(err);
    free(err);
    assert_int_not_equal(store_open("sqlite:/nonexistent-dir-parley/x.db", 1, &st, NULL), 0);
    assert_null(st);
}

/* ---- customers and identities ------------------------------------------- */

static void test_customers(void **state)
{
    struct store *st = ST(state);
    struct customer c = {.name = (char *)"Мария Иванова", .tier = (char *)"gold",
                         .language = (char *)"ru"};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    assert_true(c.id > 0);
    assert_true(c.created_at > 0);
    assert_int_equal(c.updated_at, c.created_at);

    struct customer g = {0};
    assert_int_equal(st->ops->customer_get(st, c.id, &g), 0);
    assert_int_equal(g.id, c.id);
    assert_string_equal(g.name, "Мария Иванова");
    assert_string_equal(g.tier, "gold");
    assert_string_equal(g.language, "ru");
    assert_int_equal(g.merged_into, 0);
    assert_int_equal(g.created_at, c.created_at);

    free(g.tier);
    g.tier = NULL;
    g.updated_at = c.created_at + 5;
    g.merged_into = 77;
    assert_int_equal(st->ops->customer_update(st, &g), 0);
    customer_clear(&g);
    assert_int_equal(st->ops->customer_get(st, c.id, &g), 0);
    assert_null(g.tier);
    assert_int_equal(g.merged_into, 77);
    assert_int_equal(g.updated_at, c.created_at + 5);
    assert_int_equal(g.created_at, c.created_at);
    customer_clear(&g);

    assert_int_equal(st->ops->customer_get(st, 999999, &g), PL_ENOTFOUND);
    struct customer missing = {.id = 999999, .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->customer_update(st, &missing), PL_ENOTFOUND);
}

static void test_identities(void **state)
{
    struct store *st = ST(state);
    int64_t a = new_customer(st, "A"), b = new_customer(st, "B");

    struct identity i = {.customer_id = a, .kind = IDENTITY_EMAIL,
                         .value = (char *)"a@example.com"};
    assert_int_equal(st->ops->identity_insert(st, &i), 0);
    assert_true(i.id > 0);
    assert_true(i.created_at > 0);
    struct identity p = {.customer_id = a, .kind = IDENTITY_PHONE, .value = (char *)"+79001234567",
                         .created_at = 5};
    assert_int_equal(st->ops->identity_insert(st, &p), 0);

    /* Same (kind, value) again, even for another customer: EEXISTS. */
    struct identity dup = {.customer_id = b, .kind = IDENTITY_EMAIL,
                           .value = (char *)"a@example.com"};
    assert_int_equal(st->ops->identity_insert(st, &dup), PL_EEXISTS);
    /* Same value, other kind: fine. */
    struct identity other = {.customer_id = b, .kind = IDENTITY_HANDLE,
                             .value = (char *)"a@example.com"};
    assert_int_equal(st->ops->identity_insert(st, &other), 0);

    struct identity f = {0};
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "a@example.com", &f), 0);
    assert_int_equal(f.id, i.id);
    assert_int_equal(f.customer_id, a);
    assert_int_equal(f.kind, IDENTITY_EMAIL);
    assert_string_equal(f.value, "a@example.com");
    identity_clear(&f);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "nobody@example.com", &f),
                     PL_ENOTFOUND);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_PHONE, "a@example.com", &f),
                     PL_ENOTFOUND);

    struct identity *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->identity_list(st, a, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, i.id);
    assert_string_equal(v[1].value, "+79001234567");
    assert_int_equal(v[1].created_at, 5);
    store_free_identities(v, n);
    assert_int_equal(st->ops->identity_list(st, 424242, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_identities(v, n);

    /* Merge: b's identities and tickets move to a. */
    int64_t tb = new_ticket(st, b, STATUS_OPEN, CHANNEL_CHAT, NULL, 1000);
    assert_int_equal(st->ops->customer_move(st, b, a), 0);
    assert_int_equal(st->ops->identity_list(st, a, &v, &n), 0);
    assert_int_equal(n, 3);
    store_free_identities(v, n);
    assert_int_equal(st->ops->identity_list(st, b, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_identities(v, n);
    struct ticket t = {0};
    assert_int_equal(st->ops->ticket_get(st, tb, &t), 0);
    assert_int_equal(t.customer_id, a);
    ticket_clear(&t);
}

/* ---- tickets ------------------------------------------------------------ */

static void test_tickets_crud(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "C");
    struct ticket t = {.customer_id = c, .subject = (char *)"Не пришёл заказ", .status = STATUS_NEW,
                       .priority = PRIORITY_HIGH, .category = (char *)"delivery",
                       .channel = CHANNEL_EMAIL, .language = (char *)"ru"};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    assert_true(t.id > 0);
    assert_true(t.created_at > 0);
    assert_int_equal(t.updated_at, t.created_at);

    struct ticket g = {0};
    assert_int_equal(st->ops->ticket_get(st, t.id, &g), 0);
    assert_int_equal(g.customer_id, c);
    assert_string_equal(g.subject, "Не пришёл заказ");
    assert_int_equal(g.status, STATUS_NEW);
    assert_int_equal(g.priority, PRIORITY_HIGH);
    assert_string_equal(g.category, "delivery");
    assert_int_equal(g.channel, CHANNEL_EMAIL);
    assert_null(g.thread);
    assert_string_equal(g.language, "ru");
    assert_int_equal(g.assignee_id, 0);
    assert_int_equal(g.message_count, 0);
    assert_null(g.emotion);
    assert_int_equal(g.hostility, 0);
    assert_false(g.escalated);
    assert_null(g.triage);

    /* Every mutable field round-trips. */
    g.status = STATUS_RESOLVED;
    g.priority = PRIORITY_URGENT;
    free(g.category);
    g.category = NULL;
    g.thread = xstrdup("chat-17");
    g.assignee_id = 5;
    g.sla_first_due = 111;
    g.sla_next_due = 222;
    g.sla_resolve_due = 333;
    g.updated_at = t.created_at + 10;
    g.first_response_at = 444;
    g.resolved_at = 555;
    g.closed_at = 666;
    g.message_count = 3;
    g.emotion = xstrdup("anger");
    g.hostility = 730;
    g.escalated = true;
    g.triage = xstrdup("{\"priority\":\"urgent\",\"reasons\":[\"угроза\"]}");
    assert_int_equal(st->ops->ticket_update(st, &g), 0);
    struct ticket h = {0};
    assert_int_equal(st->ops->ticket_get(st, t.id, &h), 0);
    assert_int_equal(h.status, STATUS_RESOLVED);
    assert_int_equal(h.priority, PRIORITY_URGENT);
    assert_null(h.category);
    assert_string_equal(h.thread, "chat-17");
    assert_int_equal(h.assignee_id, 5);
    assert_int_equal(h.sla_first_due, 111);
    assert_int_equal(h.sla_next_due, 222);
    assert_int_equal(h.sla_resolve_due, 333);
    assert_int_equal(h.created_at, t.created_at);
    assert_int_equal(h.updated_at, t.created_at + 10);
    assert_int_equal(h.first_response_at, 444);
    assert_int_equal(h.resolved_at, 555);
    assert_int_equal(h.closed_at, 666);
    assert_int_equal(h.message_count, 3);
    assert_string_equal(h.emotion, "anger");
    assert_int_equal(h.hostility, 730);
    assert_true(h.escalated);
    assert_string_equal(h.triage, "{\"priority\":\"urgent\",\"reasons\":[\"угроза\"]}");
    ticket_clear(&h);

    g.id = 987654;
    assert_int_equal(st->ops->ticket_update(st, &g), PL_ENOTFOUND);
    assert_int_equal(st->ops->ticket_get(st, 987654, &h), PL_ENOTFOUND);
    ticket_clear(&g);   /* t's strings are literals: not cleared */
}

static void test_ticket_find_open(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "C"), d = new_customer(st, "D");
    struct ticket t = {0};

    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th1", &t), PL_ENOTFOUND);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_EMAIL, NULL, &t), PL_ENOTFOUND);

    int64_t closed = new_ticket(st, c, STATUS_CLOSED, CHANNEL_CHAT, "th1", 9000);
    int64_t resolved = new_ticket(st, c, STATUS_RESOLVED, CHANNEL_EMAIL, NULL, 9000);
    (void)closed;
    (void)resolved;
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th1", &t), PL_ENOTFOUND);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_EMAIL, NULL, &t), PL_ENOTFOUND);

    int64_t th_old = new_ticket(st, c, STATUS_OPEN, CHANNEL_CHAT, "th1", 2000);
    int64_t th_new = new_ticket(st, c, STATUS_PENDING, CHANNEL_CHAT, "th1", 3000);
    int64_t th_other = new_ticket(st, c, STATUS_NEW, CHANNEL_CHAT, "th2", 4000);
    int64_t mail = new_ticket(st, c, STATUS_NEW, CHANNEL_EMAIL, NULL, 2500);
    int64_t web = new_ticket(st, c, STATUS_OPEN, CHANNEL_WEB, NULL, 2600);
    new_ticket(st, d, STATUS_OPEN, CHANNEL_CHAT, "th1", 8000);   /* another customer */

    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th1", &t), 0);
    assert_int_equal(t.id, th_new);        /* the most recently updated */
    ticket_clear(&t);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th2", &t), 0);
    assert_int_equal(t.id, th_other);
    ticket_clear(&t);
    /* No thread key: a threadless ticket on that channel only. */
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_EMAIL, NULL, &t), 0);
    assert_int_equal(t.id, mail);
    ticket_clear(&t);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_WEB, NULL, &t), 0);
    assert_int_equal(t.id, web);
    ticket_clear(&t);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, NULL, &t), PL_ENOTFOUND);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th3", &t), PL_ENOTFOUND);

    /* Once the newer one resolves, the older open one is found. */
    assert_int_equal(st->ops->ticket_get(st, th_new, &t), 0);
    t.status = STATUS_RESOLVED;
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    ticket_clear(&t);
    assert_int_equal(st->ops->ticket_find_open(st, c, CHANNEL_CHAT, "th1", &t), 0);
    assert_int_equal(t.id, th_old);
    ticket_clear(&t);
}

/* A model of the ticket table to check lists against. */
struct mt {
    int64_t id, customer_id, assignee_id, created_at, updated_at;
    int status, priority;
    const char *category;
};

#define NT 150
static const char *const cats[] = {"billing", "delivery", "refund"};

static void seed(struct store *st, struct mt *m, int64_t cust[3])
{
    for (int i = 0; i < 3; i++)
        cust[i] = new_customer(st, "seed");
    assert_int_equal(st->ops->begin(st), 0);
    for (int i = 0; i < NT; i++) {
        struct mt *x = &m[i];
        x->status = i % 5;
        x->priority = (i * 7) % 4;
        x->assignee_id = i % 3;            /* 0 = unassigned */
        x->customer_id = cust[(i / 2) % 3];
        x->category = i % 4 == 0 ? NULL : cats[i % 3];
        x->created_at = 100000 + (i % 10) * 1000;  /* many ties */
        x->updated_at = 100000 + ((i * 13) % 17) * 1000;
        struct ticket t = {.customer_id = x->customer_id, .subject = (char *)"s",
                           .status = x->status, .priority = x->priority,
                           .category = (char *)x->category, .channel = CHANNEL_WEB,
                           .assignee_id = x->assignee_id, .created_at = x->created_at,
                           .updated_at = x->updated_at};
        assert_int_equal(st->ops->ticket_insert(st, &t), 0);
        x->id = t.id;
    }
    assert_int_equal(st->ops->commit(st), 0);
}

static int matches(const struct mt *x, const struct ticket_filter *f)
{
    if (f->status_mask && !(f->status_mask & (1u << x->status)))
        return 0;
    if (f->priority >= 0 && x->priority != f->priority)
        return 0;
    if (f->assignee_id >= 0 && x->assignee_id != f->assignee_id)
        return 0;
    if (f->customer_id && x->customer_id != f->customer_id)
        return 0;
    if (f->category && (!x->category || strcmp(x->category, f->category) != 0))
        return 0;
    return 1;
}

static int64_t mt_key(const struct mt *x, enum ticket_sort s)
{
    return s == TSORT_UPDATED ? x->updated_at : s == TSORT_PRIORITY ? x->priority : x->created_at;
}

static const struct ticket_filter *cmp_filter;

static int mt_cmp(const void *pa, const void *pb)
{
    const struct mt *a = pa, *b = pb;
    int64_t ka = mt_key(a, cmp_filter->sort), kb = mt_key(b, cmp_filter->sort);
    int c = ka < kb ? -1 : ka > kb ? 1 : a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
    return cmp_filter->ascending ? c : -c;
}

/* Expected ids for f in order; returns the count. */
static size_t expect(const struct mt *m, const struct ticket_filter *f, int64_t *ids)
{
    struct mt v[NT];
    size_t n = 0;
    for (int i = 0; i < NT; i++)
        if (matches(&m[i], f))
            v[n++] = m[i];
    cmp_filter = f;
    qsort(v, n, sizeof v[0], mt_cmp);
    for (size_t i = 0; i < n; i++)
        ids[i] = v[i].id;
    return n;
}

/* Pages through f with page size `limit`; checks the concatenation equals
 * the model's order (so no duplicates, no gaps) and the count. */
static void check_paged(struct store *st, const struct mt *m, struct ticket_filter f, int limit)
{
    int64_t want[NT], got[NT + 1];
    size_t nwant = expect(m, &f, want), ngot = 0;
    int pages = 0;

    f.limit = limit;
    f.has_cursor = 0;
    for (;;) {
        struct ticket *v = NULL;
        size_t n = 0;
        assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
        assert_true(n <= (size_t)limit);
        for (size_t i = 0; i < n; i++) {
            assert_true(ngot < NT);
            got[ngot++] = v[i].id;
        }
        if (n) {
            f.has_cursor = 1;
            f.cursor_key = ticket_sort_key(f.sort, &v[n - 1]);
            f.cursor_id = v[n - 1].id;
        }
        store_free_tickets(v, n);
        pages++;
        assert_true(pages <= NT + 2);
        if (n < (size_t)limit)
            break;
    }
    assert_int_equal(ngot, nwant);
    for (size_t i = 0; i < nwant; i++)
        assert_int_equal(got[i], want[i]);

    int64_t count = -1;
    assert_int_equal(st->ops->ticket_count(st, &f, &count), 0);
    assert_int_equal(count, (int64_t)nwant);
}

static void test_ticket_list_filters(void **state)
{
    struct store *st = ST(state);
    struct mt m[NT];
    int64_t cust[3];
    seed(st, m, cust);

    struct ticket_filter f;
    ticket_filter_init(&f);
    assert_int_equal(f.priority, -1);
    assert_int_equal(f.assignee_id, -1);

    /* Defaults: everything, newest first, 50 rows. */
    struct ticket *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 50);
    int64_t want[NT];
    expect(m, &f, want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].id, want[i]);
    assert_int_equal(v[0].customer_id, m[v[0].id - m[0].id].customer_id);
    store_free_tickets(v, n);

    int64_t count = 0;
    assert_int_equal(st->ops->ticket_count(st, &f, &count), 0);
    assert_int_equal(count, NT);

    /* One filter at a time, then combinations, each in every sort order. */
    static const unsigned masks[] = {0, 1u << STATUS_NEW,
                                     1u << STATUS_NEW | 1u << STATUS_OPEN | 1u << STATUS_PENDING,
                                     1u << STATUS_RESOLVED | 1u << STATUS_CLOSED, 0x1f};
    for (size_t mi = 0; mi < sizeof masks / sizeof masks[0]; mi++)
        for (int combo = 0; combo < 16; combo++) {
            ticket_filter_init(&f);
            f.status_mask = masks[mi];
            if (combo & 1)
                f.priority = PRIORITY_HIGH;
            if (combo & 2)
                f.assignee_id = combo & 8 ? 0 : 2;
            if (combo & 4)
                f.customer_id = cust[1];
            if (combo & 8)
                f.category = "delivery";
            for (int s = 0; s < 3; s++)
                for (int asc = 0; asc < 2; asc++) {
                    f.sort = (enum ticket_sort)s;
                    f.ascending = asc;
                    check_paged(st, m, f, 500);
                }
        }

    /* Filters that match nothing. */
    ticket_filter_init(&f);
    f.customer_id = 999999;
    check_paged(st, m, f, 10);
    ticket_filter_init(&f);
    f.category = "nope";
    check_paged(st, m, f, 10);
    ticket_filter_init(&f);
    f.status_mask = 1u << 20;      /* no valid status in the mask */
    assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_tickets(v, n);
    assert_int_equal(st->ops->ticket_count(st, &f, &count), 0);
    assert_int_equal(count, 0);
}

static void test_ticket_list_pagination(void **state)
{
    struct store *st = ST(state);
    struct mt m[NT];
    int64_t cust[3];
    seed(st, m, cust);

    static const int limits[] = {1, 7, 50, 150};
    for (int s = 0; s < 3; s++)
        for (int asc = 0; asc < 2; asc++)
            for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
                struct ticket_filter f;
                ticket_filter_init(&f);
                f.sort = (enum ticket_sort)s;
                f.ascending = asc;
                check_paged(st, m, f, limits[li]);
                /* The inbox: open statuses. */
                f.status_mask = 1u << STATUS_NEW | 1u << STATUS_OPEN | 1u << STATUS_PENDING;
                check_paged(st, m, f, limits[li]);
                f.assignee_id = 1;
                check_paged(st, m, f, limits[li]);
                f.assignee_id = -1;
                f.category = "billing";
                f.customer_id = cust[2];
                check_paged(st, m, f, limits[li]);
            }
}

static void test_ticket_list_limits(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "many");
    assert_int_equal(st->ops->begin(st), 0);
    for (int i = 0; i < 620; i++)
        new_ticket(st, c, (enum ticket_status)(i % 5), CHANNEL_API, NULL, 1000 + i);
    assert_int_equal(st->ops->commit(st), 0);

    struct ticket_filter f;
    ticket_filter_init(&f);
    struct ticket *v = NULL;
    size_t n = 0;
    f.limit = 0;
    assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 50);
    store_free_tickets(v, n);
    f.limit = 100000;
    assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 500);
    store_free_tickets(v, n);
    f.limit = 3;
    f.sort = TSORT_UPDATED;
    assert_int_equal(st->ops->ticket_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].updated_at, 1000 + 619);
    assert_int_equal(v[2].updated_at, 1000 + 617);
    store_free_tickets(v, n);
    int64_t count = 0;
    assert_int_equal(st->ops->ticket_count(st, &f, &count), 0);
    assert_int_equal(count, 620);
}

/* ---- messages and events ------------------------------------------------ */

static void test_messages(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "M");
    int64_t t = new_ticket(st, c, STATUS_NEW, CHANNEL_EMAIL, NULL, 1000);
    int64_t t2 = new_ticket(st, c, STATUS_NEW, CHANNEL_EMAIL, NULL, 1000);

    struct message a = {.ticket_id = t, .kind = MESSAGE_INBOUND, .channel = CHANNEL_EMAIL,
                        .author_customer_id = c, .body = (char *)"Здравствуйте! Где заказ?",
                        .external_id = (char *)"<m1@example.com>",
                        .analysis = (char *)"{\"sentiment\":-0.4}"};
    assert_int_equal(st->ops->message_insert(st, &a), 0);
    assert_true(a.id > 0);
    assert_true(a.created_at > 0);
    struct message b = {.ticket_id = t, .kind = MESSAGE_REPLY, .channel = CHANNEL_EMAIL,
                        .author_user_id = 3, .body = (char *)"Hello", .created_at = 42};
    assert_int_equal(st->ops->message_insert(st, &b), 0);
    struct message n3 = {.ticket_id = t2, .kind = MESSAGE_NOTE, .channel = CHANNEL_WEB,
                         .body = (char *)"note"};
    assert_int_equal(st->ops->message_insert(st, &n3), 0);   /* second NULL external id */

    struct message dup = {.ticket_id = t2, .kind = MESSAGE_INBOUND, .body = (char *)"again",
                          .external_id = (char *)"<m1@example.com>"};
    assert_int_equal(st->ops->message_insert(st, &dup), PL_EEXISTS);

    struct message g = {0};
    assert_int_equal(st->ops->message_get(st, a.id, &g), 0);
    assert_int_equal(g.ticket_id, t);
    assert_int_equal(g.kind, MESSAGE_INBOUND);
    assert_int_equal(g.channel, CHANNEL_EMAIL);
    assert_int_equal(g.author_customer_id, c);
    assert_int_equal(g.author_user_id, 0);
    assert_string_equal(g.body, "Здравствуйте! Где заказ?");
    assert_string_equal(g.external_id, "<m1@example.com>");
    assert_string_equal(g.analysis, "{\"sentiment\":-0.4}");
    assert_int_equal(g.created_at, a.created_at);
    message_clear(&g);
    assert_int_equal(st->ops->message_get(st, 999999, &g), PL_ENOTFOUND);

    assert_int_equal(st->ops->message_find_external(st, "<m1@example.com>", &g), 0);
    assert_int_equal(g.id, a.id);
    message_clear(&g);
    assert_int_equal(st->ops->message_find_external(st, "<m2@example.com>", &g), PL_ENOTFOUND);

    struct message *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->message_list(st, t, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, a.id);
    assert_int_equal(v[1].id, b.id);
    assert_int_equal(v[1].author_user_id, 3);
    assert_null(v[1].external_id);
    assert_null(v[1].analysis);
    assert_int_equal(v[1].created_at, 42);
    store_free_messages(v, n);
    assert_int_equal(st->ops->message_list(st, 999999, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_messages(v, n);
}

static void test_events(void **state)
{
    struct store *st = ST(state);
    int64_t last = -1;
    assert_int_equal(st->ops->event_last_id(st, &last), 0);
    assert_int_equal(last, 0);

    int64_t ids[30];
    for (int i = 0; i < 30; i++) {
        struct event e = {.type = (char *)(i % 2 ? "ticket.status" : "message.inbound"),
                          .actor_kind = ACTOR_USER, .actor_id = 7, .ticket_id = 1 + i % 3,
                          .customer_id = 10 + i % 2, .message_id = i,
                          .before = i % 2 ? (char *)"{\"status\":\"new\"}" : NULL,
                          .after = (char *)"{\"status\":\"open\"}"};
        assert_int_equal(st->ops->event_insert(st, &e), 0);
        ids[i] = e.id;
        assert_true(e.created_at > 0);
        if (i)
            assert_true(ids[i] > ids[i - 1]);
    }
    assert_int_equal(st->ops->event_last_id(st, &last), 0);
    assert_int_equal(last, ids[29]);

    struct event *v = NULL;
    size_t n = 0;
    struct event_filter f = {0};
    assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 30);
    assert_int_equal(v[0].id, ids[0]);
    assert_string_equal(v[1].type, "ticket.status");
    assert_int_equal(v[1].actor_kind, ACTOR_USER);
    assert_int_equal(v[1].actor_id, 7);
    assert_int_equal(v[1].ticket_id, 2);
    assert_int_equal(v[1].customer_id, 11);
    assert_int_equal(v[1].message_id, 1);
    assert_string_equal(v[1].before, "{\"status\":\"new\"}");
    assert_string_equal(v[1].after, "{\"status\":\"open\"}");
    assert_null(v[0].before);
    store_free_events(v, n);

    /* after_id pages through without gaps. */
    f.after_id = 0;
    f.limit = 4;
    size_t seen = 0;
    for (;;) {
        assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(v[i].id, ids[seen++]);
        if (n)
            f.after_id = v[n - 1].id;
        store_free_events(v, n);
        if (n < 4)
            break;
    }
    assert_int_equal(seen, 30);

    f = (struct event_filter){.ticket_id = 2};
    assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].ticket_id, 2);
    store_free_events(v, n);

    f = (struct event_filter){.customer_id = 11, .after_id = ids[10]};
    assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 10);     /* odd i in 11..29 */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].customer_id, 11);
        assert_true(v[i].id > ids[10]);
    }
    store_free_events(v, n);

    f = (struct event_filter){.customer_id = 11, .ticket_id = 2};   /* i = 1, 7, 13, 19, 25 */
    assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 5);
    store_free_events(v, n);

    f = (struct event_filter){.after_id = ids[29]};
    assert_int_equal(st->ops->event_list(st, &f, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_events(v, n);
}

/* ---- the tamper-evident log's tables ------------------------------------- */

struct scan_ctx {
    struct store *st;
    int64_t seen[1200];
    int n;
    int stop_at;               /* return 7 at this count (0 = never) */
    int add_leaves;            /* event_scan: write a leaf per event (re-entrant use) */
};

static int on_leaf(void *ctx, int64_t idx, int64_t event_id, const unsigned char hash[32])
{
    struct scan_ctx *c = ctx;
    assert_int_equal(hash[0], (unsigned char)(idx & 0xff));
    assert_int_equal(hash[31], 0xab);
    assert_int_equal(event_id, 1000 + idx);
    c->seen[c->n++] = idx;
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static int on_event(void *ctx, const struct event *e)
{
    struct scan_ctx *c = ctx;
    c->seen[c->n++] = e->id;
    if (c->add_leaves) {
        unsigned char h[32] = {0};
        h[0] = (unsigned char)(e->id & 0xff);
        h[31] = 0xab;
        /* idx = 5000 + id: the leaf write happens mid-scan. */
        if (c->st->ops->leaf_insert(c->st, 5000 + e->id, 900000 + e->id, h))
            return 1;
    }
    return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static void test_ledger_tables(void **state)
{
    struct store *st = ST(state);
    unsigned char h[32] = {0};
    struct scan_ctx *c = xcalloc(1, sizeof *c);

    /* Leaves: more than one scan chunk. */
    assert_int_equal(st->ops->begin(st), 0);
    for (int64_t i = 0; i < 1100; i++) {
        h[0] = (unsigned char)(i & 0xff);
        h[31] = 0xab;
        assert_int_equal(st->ops->leaf_insert(st, i, 1000 + i, h), 0);
    }
    assert_int_equal(st->ops->commit(st), 0);
    assert_int_equal(st->ops->leaf_insert(st, 5, 99999, h), PL_EEXISTS);    /* idx taken */
    assert_int_equal(st->ops->leaf_insert(st, 99999, 1005, h), PL_EEXISTS); /* event taken */

    assert_int_equal(st->ops->leaf_scan(st, 0, on_leaf, c), 0);
    assert_int_equal(c->n, 1100);
    for (int i = 0; i < c->n; i++)
        assert_int_equal(c->seen[i], i);
    memset(c, 0, sizeof *c);
    assert_int_equal(st->ops->leaf_scan(st, 1099, on_leaf, c), 0);
    assert_int_equal(c->n, 1);
    memset(c, 0, sizeof *c);
    c->stop_at = 600;          /* stops in the second chunk with fn's value */
    assert_int_equal(st->ops->leaf_scan(st, 0, on_leaf, c), 7);
    assert_int_equal(c->n, 600);
    memset(c, 0, sizeof *c);
    assert_int_equal(st->ops->leaf_scan(st, 5000, on_leaf, c), 0);
    assert_int_equal(c->n, 0);

    int64_t idx = -1;
    assert_int_equal(st->ops->leaf_of_event(st, 1042, &idx), 0);
    assert_int_equal(idx, 42);
    assert_int_equal(st->ops->leaf_of_event(st, 5, &idx), PL_ENOTFOUND);

    /* Events: get, and a scan whose callback writes (as the desk's
     * backfill does), across chunks. */
    int64_t ids[700];
    for (int i = 0; i < 700; i++) {
        struct event e = {.type = (char *)"x", .ticket_id = i, .after = (char *)"{}"};
        assert_int_equal(st->ops->event_insert(st, &e), 0);
        ids[i] = e.id;
    }
    struct event g = {0};
    assert_int_equal(st->ops->event_get(st, ids[3], &g), 0);
    assert_int_equal(g.ticket_id, 3);
    assert_string_equal(g.after, "{}");
    event_clear(&g);
    assert_int_equal(st->ops->event_get(st, 999999, &g), PL_ENOTFOUND);

    memset(c, 0, sizeof *c);
    c->st = st;
    c->add_leaves = 1;
    assert_int_equal(st->ops->event_scan(st, ids[99], on_event, c), 0);
    assert_int_equal(c->n, 600);
    for (int i = 0; i < 600; i++)
        assert_int_equal(c->seen[i], ids[100 + i]);
    assert_int_equal(st->ops->leaf_of_event(st, 900000 + ids[699], &idx), 0);
    assert_int_equal(idx, 5000 + ids[699]);
    memset(c, 0, sizeof *c);
    c->stop_at = 3;
    assert_int_equal(st->ops->event_scan(st, 0, on_event, c), 7);
    assert_int_equal(c->n, 3);
    free(c);

    /* Checkpoints. */
    int64_t size = 0;
    char *note = NULL;
    assert_int_equal(st->ops->checkpoint_latest(st, &size, &note), PL_ENOTFOUND);
    assert_null(note);
    assert_int_equal(st->ops->checkpoint_insert(st, 10, "note ten\n", 0), 0);
    assert_int_equal(st->ops->checkpoint_insert(st, 1100, "note 1100\n", 5), 0);
    assert_int_equal(st->ops->checkpoint_insert(st, 50, "note fifty\n", 0), 0);
    assert_int_equal(st->ops->checkpoint_insert(st, 50, "again\n", 0), PL_EEXISTS);
    assert_int_equal(st->ops->checkpoint_latest(st, &size, &note), 0);
    assert_int_equal(size, 1100);
    assert_string_equal(note, "note 1100\n");
    free(note);
    assert_int_equal(st->ops->checkpoint_get(st, 50, &note), 0);
    assert_string_equal(note, "note fifty\n");
    free(note);
    assert_int_equal(st->ops->checkpoint_get(st, 51, &note), PL_ENOTFOUND);
    assert_null(note);
}

/* ---- users, sessions, API keys, settings -------------------------------- */

static void test_users(void **state)
{
    struct store *st = ST(state);
    int64_t count = -1;
    assert_int_equal(st->ops->user_count(st, &count), 0);
    assert_int_equal(count, 0);

    struct user u = {.email = (char *)"olga@example.com", .name = (char *)"Ольга",
                     .role = ROLE_SUPERVISOR, .skills = (char *)"billing,delivery",
                     .languages = (char *)"ru,en", .password_hash = (char *)"$argon2id$x",
                     .active = true};
    assert_int_equal(st->ops->user_insert(st, &u), 0);
    assert_true(u.id > 0);
    assert_true(u.created_at > 0);
    int64_t bob = new_user(st, "bob@example.com");
    struct user dup = {.email = (char *)"olga@example.com", .role = ROLE_AGENT};
    assert_int_equal(st->ops->user_insert(st, &dup), PL_EEXISTS);

    struct user g = {0};
    assert_int_equal(st->ops->user_get(st, u.id, &g), 0);
    assert_string_equal(g.email, "olga@example.com");
    assert_string_equal(g.name, "Ольга");
    assert_int_equal(g.role, ROLE_SUPERVISOR);
    assert_string_equal(g.skills, "billing,delivery");
    assert_string_equal(g.languages, "ru,en");
    assert_string_equal(g.password_hash, "$argon2id$x");
    assert_true(g.active);
    assert_int_equal(g.created_at, u.created_at);
    user_clear(&g);

    assert_int_equal(st->ops->user_get_by_email(st, "bob@example.com", &g), 0);
    assert_int_equal(g.id, bob);
    g.active = false;
    g.role = ROLE_ADMIN;
    free(g.skills);
    g.skills = xstrdup("refund");
    assert_int_equal(st->ops->user_update(st, &g), 0);
    user_clear(&g);
    assert_int_equal(st->ops->user_get(st, bob, &g), 0);
    assert_false(g.active);
    assert_int_equal(g.role, ROLE_ADMIN);
    assert_string_equal(g.skills, "refund");
    user_clear(&g);
    assert_int_equal(st->ops->user_get_by_email(st, "none@example.com", &g), PL_ENOTFOUND);
    assert_int_equal(st->ops->user_get(st, 999999, &g), PL_ENOTFOUND);
    struct user missing = {.id = 999999, .email = (char *)"m@example.com"};
    assert_int_equal(st->ops->user_update(st, &missing), PL_ENOTFOUND);

    struct user *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->user_list(st, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, u.id);
    assert_int_equal(v[1].id, bob);
    store_free_users(v, n);
    assert_int_equal(st->ops->user_count(st, &count), 0);
    assert_int_equal(count, 2);
}

static void test_sessions(void **state)
{
    struct store *st = ST(state);
    int64_t u = new_user(st, "s@example.com");
    const char *h1 = "aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11";
    const char *h2 = "bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22";
    int64_t uid = 0;

    assert_int_equal(st->ops->session_insert(st, h1, u, 5000), 0);
    assert_int_equal(st->ops->session_insert(st, h2, u, 9000), 0);
    assert_int_equal(st->ops->session_insert(st, h1, u, 9000), PL_EEXISTS);

    assert_int_equal(st->ops->session_lookup(st, h1, 4999, &uid), 0);
    assert_int_equal(uid, u);
    assert_int_equal(st->ops->session_lookup(st, h1, 5000, &uid), PL_ENOTFOUND);  /* expired */
    assert_int_equal(st->ops->session_lookup(st, h1, 6000, &uid), PL_ENOTFOUND);
    assert_int_equal(st->ops->session_lookup(st, h2, 6000, &uid), 0);
    assert_int_equal(st->ops->session_lookup(st, "cc", 0, &uid), PL_ENOTFOUND);

    assert_int_equal(st->ops->session_delete(st, h2), 0);
    assert_int_equal(st->ops->session_lookup(st, h2, 6000, &uid), PL_ENOTFOUND);
    assert_int_equal(st->ops->session_delete(st, h2), PL_ENOTFOUND);
}

static void test_apikeys(void **state)
{
    struct store *st = ST(state);
    int64_t admin = new_user(st, "admin@example.com");
    struct apikey k = {.name = (char *)"shop", .role = ROLE_INTEGRATION, .created_by = admin};
    assert_int_equal(st->ops->apikey_insert(st, &k, "hash-1"), 0);
    assert_true(k.id > 0);
    assert_true(k.created_at > 0);
    struct apikey k2 = {.name = (char *)"crm", .role = ROLE_AGENT, .created_by = admin,
                        .created_at = 77};
    assert_int_equal(st->ops->apikey_insert(st, &k2, "hash-2"), 0);
    struct apikey dup = {.name = (char *)"dup", .role = ROLE_INTEGRATION};
    assert_int_equal(st->ops->apikey_insert(st, &dup, "hash-1"), PL_EEXISTS);

    struct apikey g = {0};
    assert_int_equal(st->ops->apikey_lookup(st, "hash-1", &g), 0);
    assert_int_equal(g.id, k.id);
    assert_string_equal(g.name, "shop");
    assert_int_equal(g.role, ROLE_INTEGRATION);
    assert_int_equal(g.created_by, admin);
    assert_int_equal(g.created_at, k.created_at);
    assert_false(g.revoked);
    apikey_clear(&g);
    assert_int_equal(st->ops->apikey_lookup(st, "hash-3", &g), PL_ENOTFOUND);

    assert_int_equal(st->ops->apikey_revoke(st, k.id), 0);
    assert_int_equal(st->ops->apikey_revoke(st, 999999), PL_ENOTFOUND);
    assert_int_equal(st->ops->apikey_lookup(st, "hash-1", &g), 0);
    assert_true(g.revoked);
    apikey_clear(&g);

    struct apikey *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->apikey_list(st, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, k.id);
    assert_true(v[0].revoked);
    assert_string_equal(v[1].name, "crm");
    assert_int_equal(v[1].role, ROLE_AGENT);
    assert_int_equal(v[1].created_at, 77);
    assert_false(v[1].revoked);
    store_free_apikeys(v, n);
}

static void test_settings(void **state)
{
    struct store *st = ST(state);
    char *v = NULL;
    assert_int_equal(st->ops->setting_get(st, "sla", &v), PL_ENOTFOUND);
    assert_null(v);
    assert_int_equal(st->ops->setting_set(st, "sla", "{\"first\":3600}"), 0);
    assert_int_equal(st->ops->setting_get(st, "sla", &v), 0);
    assert_string_equal(v, "{\"first\":3600}");
    free(v);
    assert_int_equal(st->ops->setting_set(st, "sla", "{\"first\":60}"), 0);
    assert_int_equal(st->ops->setting_get(st, "sla", &v), 0);
    assert_string_equal(v, "{\"first\":60}");
    free(v);
    assert_int_equal(st->ops->setting_set(st, "routing", "{}"), 0);
    assert_int_equal(st->ops->setting_get(st, "sla", &v), 0);
    assert_string_equal(v, "{\"first\":60}");
    free(v);
}

/* ---- knowledge base, ticket search, chats ------------------------------- */

static int64_t add_article(struct store *st, const char *lang, const char *title,
                           const char *body)
{
    struct kb_article a = {.language = (char *)lang, .title = (char *)title, .body = (char *)body};
    assert_int_equal(st->ops->kb_insert(st, &a), 0);
    assert_true(a.id > 0);
    return a.id;
}

static void test_kb(void **state)
{
    struct store *st = ST(state);
    int64_t refund = add_article(st, "ru", "Сроки возврата денег",
                                 "Возврат средств на карту занимает до 10 рабочих дней.");
    int64_t track = add_article(st, "en", "Tracking your parcel",
                                "Use the tracking number from the shipping e-mail.");
    add_article(st, "en", "Refund timelines", "Refunds reach your card within 5-10 business days.");

    struct kb_article *v = NULL;
    size_t n = 0;
    /* another Russian word form than the article's */
    assert_int_equal(st->ops->kb_search(st, "когда будет возврат денег?", NULL, 5, &v, &n), 0);
    assert_true(n >= 1);
    assert_int_equal(v[0].id, refund);
    assert_true(v[0].score > 0);
    store_free_kb_articles(v, n);
    assert_int_equal(st->ops->kb_search(st, "refund", "en", 5, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].title, "Refund timelines");
    store_free_kb_articles(v, n);
    /* query syntax is never passed through */
    assert_int_equal(st->ops->kb_search(st, "\"track* OR) NEAR(", NULL, 5, &v, &n), 0);
    store_free_kb_articles(v, n);
    assert_int_equal(st->ops->kb_search(st, " ?! ", NULL, 5, &v, &n), 0);
    assert_int_equal(n, 0);

    /* update re-indexes */
    struct kb_article a = {0};
    assert_int_equal(st->ops->kb_get(st, track, &a), 0);
    free(a.body);
    a.body = xstrdup("Parcels carry a barcode; scan it at the locker.");
    a.updated_at = a.created_at + 1;
    assert_int_equal(st->ops->kb_update(st, &a), 0);
    kb_article_clear(&a);
    assert_int_equal(st->ops->kb_search(st, "barcode", NULL, 5, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, track);
    store_free_kb_articles(v, n);
    assert_int_equal(st->ops->kb_search(st, "shipping", NULL, 5, &v, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(st->ops->kb_list(st, "ru", &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_kb_articles(v, n);
    assert_int_equal(st->ops->kb_list(st, NULL, &v, &n), 0);
    assert_int_equal(n, 3);
    store_free_kb_articles(v, n);
    a.id = 9999;
    a.language = "en";
    a.title = a.body = "x";
    assert_int_equal(st->ops->kb_update(st, &a), PL_ENOTFOUND);
}

static void test_canned(void **state)
{
    struct store *st = ST(state);
    struct canned_response a = {.language = "ru", .title = "Извинение", .body = "Простите нас.",
                                .emotion = "anger"};
    struct canned_response b = {.language = "en", .title = "Refund", .body = "Refund sent.",
                                .category = "billing"};
    assert_int_equal(st->ops->canned_insert(st, &a), 0);
    assert_int_equal(st->ops->canned_insert(st, &b), 0);
    assert_true(a.id > 0 && b.id > a.id && a.created_at > 0);

    struct canned_response *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->canned_list(st, NULL, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, a.id);
    assert_string_equal(v[0].emotion, "anger");
    assert_null(v[0].category);
    assert_string_equal(v[1].category, "billing");
    assert_null(v[1].emotion);
    store_free_canned(v, n);
    assert_int_equal(st->ops->canned_list(st, "en", &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].title, "Refund");
    store_free_canned(v, n);

    struct canned_response g = {0};
    assert_int_equal(st->ops->canned_get(st, a.id, &g), 0);
    free(g.body);
    g.body = xstrdup("Нам очень жаль.");
    free(g.emotion);
    g.emotion = NULL;
    g.updated_at = g.created_at + 5;
    assert_int_equal(st->ops->canned_update(st, &g), 0);
    canned_response_clear(&g);
    assert_int_equal(st->ops->canned_get(st, a.id, &g), 0);
    assert_string_equal(g.body, "Нам очень жаль.");
    assert_null(g.emotion);
    assert_int_equal(g.updated_at, g.created_at + 5);
    canned_response_clear(&g);

    assert_int_equal(st->ops->canned_delete(st, b.id), 0);
    assert_int_equal(st->ops->canned_delete(st, b.id), PL_ENOTFOUND);
    assert_int_equal(st->ops->canned_get(st, b.id, &g), PL_ENOTFOUND);
    b.id = 9999;
    assert_int_equal(st->ops->canned_update(st, &b), PL_ENOTFOUND);
    assert_int_equal(st->ops->canned_list(st, NULL, &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_canned(v, n);
}

static void test_ticket_search(void **state)
{
    struct store *st = ST(state);
    struct customer c = {.name = xstrdup("Анна Petrova"), .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    struct ticket t = {.customer_id = c.id, .subject = xstrdup("Двойное списание"),
                       .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    struct ticket t2 = {.customer_id = c.id, .subject = xstrdup("Delivery"), .created_at = 2,
                        .updated_at = 2};
    assert_int_equal(st->ops->ticket_insert(st, &t2), 0);
    struct message m = {.ticket_id = t2.id, .body = xstrdup("Моя посылка задерживается уже неделю"),
                        .created_at = 3};
    assert_int_equal(st->ops->message_insert(st, &m), 0);

    struct search_hit *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->ticket_search(st, "посылки", 10, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, t2.id);
    assert_non_null(v[0].snippet);
    store_free_search_hits(v, n);
    assert_int_equal(st->ops->ticket_search(st, "списания", 10, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, t.id);
    store_free_search_hits(v, n);
    assert_int_equal(st->ops->ticket_search(st, "petrova", 10, &v, &n), 0);
    assert_int_equal(n, 2);
    store_free_search_hits(v, n);
    /* every word must match */
    assert_int_equal(st->ops->ticket_search(st, "посылка списание", 10, &v, &n), 0);
    assert_int_equal(n, 0);
    /* a subject change is re-indexed with the row */
    free(t.subject);
    t.subject = xstrdup("Refund please");
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    assert_int_equal(st->ops->ticket_search(st, "refund", 10, &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_search_hits(v, n);
    assert_int_equal(st->ops->ticket_search(st, "списание", 10, &v, &n), 0);
    assert_int_equal(n, 0);
    customer_clear(&c);
    ticket_clear(&t);
    ticket_clear(&t2);
    message_clear(&m);
}

/* Search ranks the newest matches only: an old message that says the word
 * three times loses to newer ones once it is past what the walk reads. */
static void test_ticket_search_newest(void **state)
{
    struct store *st = ST(state);
    struct customer c = {.name = xstrdup("Kim"), .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    struct ticket old = {.customer_id = c.id, .subject = xstrdup("Old"), .created_at = 1,
                         .updated_at = 1};
    struct ticket fresh = {.customer_id = c.id, .subject = xstrdup("New"), .created_at = 2,
                           .updated_at = 2};
    assert_int_equal(st->ops->ticket_insert(st, &old), 0);
    assert_int_equal(st->ops->ticket_insert(st, &fresh), 0);
    struct message m = {.ticket_id = old.id, .body = xstrdup("refund refund refund"),
                        .created_at = 3};
    assert_int_equal(st->ops->message_insert(st, &m), 0);
    for (int i = 0; i < 4; i++) {
        struct message r = {.ticket_id = fresh.id, .body = xstrdup("a refund, please"),
                            .created_at = 4 + i};
        assert_int_equal(st->ops->message_insert(st, &r), 0);
        message_clear(&r);
    }
    struct search_hit *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->ticket_search(st, "refund", 1, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, fresh.id);
    store_free_search_hits(v, n);
    assert_int_equal(st->ops->ticket_search(st, "refund", 10, &v, &n), 0);
    assert_int_equal(n, 2);
    store_free_search_hits(v, n);
    customer_clear(&c);
    ticket_clear(&old);
    ticket_clear(&fresh);
    message_clear(&m);
}

/* A word found only far back, behind more newer messages than the first
 * step of a search reads (PostgreSQL: 10,000 rows, then older ranges),
 * is still found; one found nowhere gives nothing; a common one its
 * newest tickets. */
static void test_ticket_search_deep(void **state)
{
    struct store *st = ST(state);
    struct customer c = {.name = xstrdup("Lee"), .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    struct ticket old = {.customer_id = c.id, .subject = xstrdup("Kitchen"), .created_at = 1,
                         .updated_at = 1};
    struct ticket busy = {.customer_id = c.id, .subject = xstrdup("Parcel"), .created_at = 2,
                          .updated_at = 2};
    assert_int_equal(st->ops->ticket_insert(st, &old), 0);
    assert_int_equal(st->ops->ticket_insert(st, &busy), 0);
    struct message m = {.ticket_id = old.id, .body = xstrdup("the blender broke"),
                        .created_at = 3};
    assert_int_equal(st->ops->message_insert(st, &m), 0);
    char body[] = "where is my parcel";
    assert_int_equal(st->ops->begin(st), 0);
    for (int i = 0; i < 12000; i++) {
        struct message r = {.ticket_id = busy.id, .body = body, .created_at = 4 + i};
        assert_int_equal(st->ops->message_insert(st, &r), 0);
    }
    assert_int_equal(st->ops->commit(st), 0);
    struct search_hit *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->ticket_search(st, "blender", 10, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, old.id);
    store_free_search_hits(v, n);
    assert_int_equal(st->ops->ticket_search(st, "toaster", 10, &v, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(st->ops->ticket_search(st, "parcel", 10, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, busy.id);
    store_free_search_hits(v, n);
    customer_clear(&c);
    ticket_clear(&old);
    ticket_clear(&busy);
    message_clear(&m);
}

static void test_chats(void **state)
{
    struct store *st = ST(state);
    struct chat c = {.token_hash = "abc", .language = "ru"};
    assert_int_equal(st->ops->chat_insert(st, &c), 0);
    assert_true(c.id > 0);
    struct chat dup = {.token_hash = "abc"};
    assert_int_equal(st->ops->chat_insert(st, &dup), PL_EEXISTS);
    c.ticket_id = 7;
    c.customer_id = 3;
    c.handoff = 1;
    assert_int_equal(st->ops->chat_update(st, &c), 0);
    struct chat g = {0};
    assert_int_equal(st->ops->chat_get(st, c.id, &g), 0);
    assert_string_equal(g.token_hash, "abc");
    assert_string_equal(g.language, "ru");
    assert_int_equal(g.ticket_id, 7);
    assert_int_equal(g.handoff, 1);
    chat_clear(&g);
    assert_int_equal(st->ops->chat_get(st, c.id + 100, &g), PL_ENOTFOUND);
}

static void test_witnesses(void **state)
{
    struct store *st = ST(state);
    struct witness b = {.name = "b.example", .vkey = "b.example+00000002+BA=="};
    struct witness a = {.name = "a.example", .vkey = "a.example+00000001+BA=="};
    assert_int_equal(st->ops->witness_insert(st, &b), 0);
    assert_int_equal(st->ops->witness_insert(st, &a), 0);
    assert_true(a.id > 0 && b.id > 0 && a.created_at > 0);
    struct witness dup = {.name = "a.example", .vkey = "x"};
    assert_int_equal(st->ops->witness_insert(st, &dup), PL_EEXISTS);
    struct witness *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->witness_list(st, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "a.example");      /* by name */
    assert_string_equal(v[1].vkey, "b.example+00000002+BA==");
    store_free_witnesses(v, n);

    int64_t size = 0;
    char *lines = NULL;
    assert_int_equal(st->ops->cosig_latest(st, &size), PL_ENOTFOUND);
    assert_int_equal(st->ops->cosig_lines(st, 5, &lines), 0);
    assert_string_equal(lines, "");
    free(lines);
    assert_int_equal(st->ops->cosig_insert(st, 5, "b.example", "— b.example old\n", 0), 0);
    assert_int_equal(st->ops->cosig_insert(st, 5, "b.example", "— b.example B\n", 0), 0);
    assert_int_equal(st->ops->cosig_insert(st, 5, "a.example", "— a.example A\n", 0), 0);
    assert_int_equal(st->ops->cosig_insert(st, 3, "a.example", "— a.example 3\n", 0), 0);
    assert_int_equal(st->ops->cosig_lines(st, 5, &lines), 0);
    assert_string_equal(lines, "— a.example A\n— b.example B\n");   /* replaced, in name order */
    free(lines);
    assert_int_equal(st->ops->cosig_latest(st, &size), 0);
    assert_int_equal(size, 5);
}

static void test_disputes(void **state)
{
    struct store *st = ST(state);
    int64_t rev[3] = {4, 7, 9};
    struct dispute d = {.ticket_id = 12, .question = "Refund?", .quorum = 2, .status = "open",
                        .created_by = 3, .reviewers = rev, .nreviewers = 3};
    assert_int_equal(st->ops->dispute_insert(st, &d), 0);
    assert_true(d.id > 0 && d.created_at > 0);
    struct dispute_vote v = {.user_id = 7, .decision = "uphold", .reason = "fair", .event_id = 40};
    assert_int_equal(st->ops->dispute_vote_insert(st, d.id, &v), 0);
    struct dispute_vote w = {.user_id = 4, .decision = "reject", .event_id = 41};
    assert_int_equal(st->ops->dispute_vote_insert(st, d.id, &w), 0);
    v.decision = "reject";
    assert_int_equal(st->ops->dispute_vote_insert(st, d.id, &v), PL_EEXISTS);

    struct dispute g = {0};
    assert_int_equal(st->ops->dispute_get(st, d.id, &g), 0);
    assert_string_equal(g.question, "Refund?");
    assert_string_equal(g.status, "open");
    assert_null(g.decision);
    assert_int_equal(g.nreviewers, 3);
    assert_int_equal(g.reviewers[2], 9);
    assert_int_equal(g.nvotes, 2);
    assert_int_equal(g.votes[0].user_id, 7);          /* in the order cast */
    assert_string_equal(g.votes[0].reason, "fair");
    assert_null(g.votes[1].reason);
    dispute_clear(&g);

    struct dispute u = d;
    u.status = "decided";
    u.decision = "uphold";
    u.decided_at = 99;
    u.decision_event_id = 42;
    assert_int_equal(st->ops->dispute_update(st, &u), 0);
    assert_int_equal(st->ops->dispute_get(st, d.id, &g), 0);
    assert_string_equal(g.decision, "uphold");
    assert_int_equal(g.decision_event_id, 42);
    dispute_clear(&g);
    assert_int_equal(st->ops->dispute_get(st, d.id + 1, &g), PL_ENOTFOUND);

    struct dispute *list = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->dispute_list(st, "open", 0, &list, &n), 0);
    assert_int_equal(n, 0);
    store_free_disputes(list, n);
    assert_int_equal(st->ops->dispute_list(st, NULL, 10, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].nvotes, 2);
    store_free_disputes(list, n);
}

/* ---- personal-data keys and erasure --------------------------------------- */

static void test_customer_keys_and_erase(void **state)
{
    struct store *st = ST(state);
    struct customer c = {.name = xstrdup("Ольга Erasable"), .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->customer_insert(st, &c), 0);
    struct customer m = {.name = xstrdup("Merged One"), .merged_into = c.id, .created_at = 1,
                         .updated_at = 1};
    assert_int_equal(st->ops->customer_insert(st, &m), 0);
    struct identity i = {.customer_id = c.id, .kind = IDENTITY_EMAIL,
                         .value = xstrdup("olga@example.com"), .created_at = 1};
    assert_int_equal(st->ops->identity_insert(st, &i), 0);
    struct ticket t = {.customer_id = c.id, .subject = xstrdup("Разбитая ваза"),
                       .thread = xstrdup("thread-1"), .created_at = 1, .updated_at = 1};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    struct message msg = {.ticket_id = t.id, .body = xstrdup("Ваза пришла разбитой"),
                          .external_id = xstrdup("<x@mail>"), .analysis = xstrdup("{}"),
                          .created_at = 2};
    assert_int_equal(st->ops->message_insert(st, &msg), 0);

    char *w = NULL;
    int64_t erased_at = -1;
    assert_int_equal(st->ops->customer_key_get(st, c.id, &w, &erased_at), PL_ENOTFOUND);
    assert_int_equal(st->ops->customer_key_insert(st, c.id, "d3JhcHBlZA==", 5), 0);
    assert_int_equal(st->ops->customer_key_insert(st, c.id, "b3RoZXI=", 6), PL_EEXISTS);
    assert_int_equal(st->ops->customer_key_get(st, c.id, &w, &erased_at), 0);
    assert_string_equal(w, "d3JhcHBlZA==");
    assert_int_equal(erased_at, 0);
    free(w);

    int64_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->customer_merged(st, c.id, &ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], m.id);
    free(ids);

    int64_t tickets = 0, messages = 0;
    assert_int_equal(st->ops->customer_erase(st, 999999, "[x]", 9, &tickets, &messages),
                     PL_ENOTFOUND);
    assert_int_equal(st->ops->customer_erase(st, c.id, "[x]", 9, &tickets, &messages), 0);
    assert_int_equal(tickets, 1);
    assert_int_equal(messages, 1);
    assert_int_equal(st->ops->customer_key_get(st, c.id, &w, &erased_at), 0);
    assert_null(w);
    assert_int_equal(erased_at, 9);
    /* a customer without a key gets an erased key row too */
    assert_int_equal(st->ops->customer_erase(st, m.id, "[x]", 10, &tickets, &messages), 0);
    assert_int_equal(st->ops->customer_key_get(st, m.id, &w, &erased_at), 0);
    assert_null(w);
    assert_int_equal(erased_at, 10);

    struct customer gc = {0};
    assert_int_equal(st->ops->customer_get(st, c.id, &gc), 0);
    assert_string_equal(gc.name, "[x]");
    customer_clear(&gc);
    struct identity gi = {0};
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "olga@example.com", &gi),
                     PL_ENOTFOUND);
    struct ticket gt = {0};
    assert_int_equal(st->ops->ticket_get(st, t.id, &gt), 0);
    assert_string_equal(gt.subject, "[x]");
    assert_null(gt.thread);
    ticket_clear(&gt);
    struct message gm = {0};
    assert_int_equal(st->ops->message_get(st, msg.id, &gm), 0);
    assert_string_equal(gm.body, "[x]");
    assert_null(gm.external_id);
    assert_null(gm.analysis);
    message_clear(&gm);
    /* the search indexes forgot the text */
    struct search_hit *v = NULL;
    assert_int_equal(st->ops->ticket_search(st, "ваза", 10, &v, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(st->ops->ticket_search(st, "erasable", 10, &v, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(st->ops->scrub(st), 0);
    customer_clear(&c);
    customer_clear(&m);
    identity_clear(&i);
    ticket_clear(&t);
    message_clear(&msg);
}

/* ---- surveys, alerts, negative messages ------------------------------------ */

static void test_surveys(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "S");
    int64_t t = new_ticket(st, c, STATUS_RESOLVED, CHANNEL_EMAIL, NULL, 1000);
    struct survey s = {.token_hash = (char *)"h1", .ticket_id = t, .customer_id = c};
    assert_int_equal(st->ops->survey_insert(st, &s), 0);
    assert_true(s.id > 0 && s.created_at > 0);
    struct survey dup = {.token_hash = (char *)"h1", .ticket_id = t};
    assert_int_equal(st->ops->survey_insert(st, &dup), PL_EEXISTS);

    struct survey g = {0};
    assert_int_equal(st->ops->survey_find(st, "h1", &g), 0);
    assert_int_equal(g.ticket_id, t);
    assert_int_equal(g.customer_id, c);
    assert_int_equal(g.answered_at, 0);
    assert_int_equal(g.nps, -1);
    assert_null(g.comment);
    survey_clear(&g);
    assert_int_equal(st->ops->survey_find(st, "nope", &g), PL_ENOTFOUND);

    struct survey a = {.id = s.id, .answered_at = 5000, .score = 4, .nps = 9,
                       .comment = (char *)"Спасибо!", .analysis = (char *)"{\"sentiment\":0.8}"};
    assert_int_equal(st->ops->survey_answer(st, &a), 0);
    a.score = 1;
    assert_int_equal(st->ops->survey_answer(st, &a), PL_ESTATE);   /* once */
    a.id = s.id + 100;
    assert_int_equal(st->ops->survey_answer(st, &a), PL_ENOTFOUND);
    assert_int_equal(st->ops->survey_find(st, "h1", &g), 0);
    assert_int_equal(g.score, 4);
    assert_int_equal(g.nps, 9);
    assert_int_equal(g.answered_at, 5000);
    assert_string_equal(g.comment, "Спасибо!");
    assert_string_equal(g.analysis, "{\"sentiment\":0.8}");
    survey_clear(&g);
}

static void test_alerts(void **state)
{
    struct store *st = ST(state);
    struct alert a = {.kind = (char *)"spike", .category = (char *)"billing",
                      .metric = (char *)"negative_messages", .size = 12.5, .expected = 0.8,
                      .observed = 10, .ticket_ids = (char *)"[3,4]",
                      .detail = (char *)"{\"score\":6.2}", .created_at = 100};
    assert_int_equal(st->ops->alert_insert(st, &a), 0);
    struct alert b = {.kind = (char *)"deviation", .metric = (char *)"frt_p90_ms", .size = 1.5};
    assert_int_equal(st->ops->alert_insert(st, &b), 0);
    assert_true(b.id > a.id && b.created_at > 0);

    struct alert g = {0};
    assert_int_equal(st->ops->alert_get(st, a.id, &g), 0);
    assert_string_equal(g.kind, "spike");
    assert_string_equal(g.category, "billing");
    assert_true(g.size == 12.5 && g.expected == 0.8 && g.observed == 10);
    assert_string_equal(g.ticket_ids, "[3,4]");
    assert_string_equal(g.detail, "{\"score\":6.2}");
    assert_int_equal(g.acknowledged_by, 0);
    alert_clear(&g);
    assert_int_equal(st->ops->alert_get(st, b.id, &g), 0);
    assert_null(g.category);
    assert_string_equal(g.ticket_ids, "[]");
    alert_clear(&g);

    assert_int_equal(st->ops->alert_ack(st, a.id, 7, 200), 0);
    assert_int_equal(st->ops->alert_ack(st, a.id, 8, 300), 0);   /* the first one stays */
    assert_int_equal(st->ops->alert_ack(st, b.id + 100, 7, 200), PL_ENOTFOUND);
    struct alert *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->alert_list(st, 1, 100, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, b.id);
    store_free_alerts(v, n);
    assert_int_equal(st->ops->alert_list(st, 0, 100, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, b.id);   /* newest first */
    assert_int_equal(v[1].acknowledged_by, 7);
    assert_int_equal(v[1].acknowledged_at, 200);
    store_free_alerts(v, n);
    assert_int_equal(st->ops->alert_list(st, 0, 1, &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_alerts(v, n);
}

struct seen {
    int n;
    int64_t at[8], ticket[8];
    char cat[8][16];
};

static int collect(void *ctx, int64_t at, int64_t ticket_id, const char *category)
{
    struct seen *s = ctx;
    if (s->n < 8) {
        s->at[s->n] = at;
        s->ticket[s->n] = ticket_id;
        snprintf(s->cat[s->n], sizeof s->cat[0], "%s", category ? category : "-");
    }
    s->n++;
    return 0;
}

static void test_negative_scan(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "N");
    int64_t t1 = new_ticket(st, c, STATUS_OPEN, CHANNEL_EMAIL, NULL, 1000);
    int64_t t2 = new_ticket(st, c, STATUS_OPEN, CHANNEL_CHAT, NULL, 1000);
    struct ticket t = {0};
    assert_int_equal(st->ops->ticket_get(st, t1, &t), 0);
    t.category = xstrdup("billing");
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    ticket_clear(&t);
    struct {
        int64_t ticket;
        enum message_kind kind;
        const char *analysis;
        int64_t at;
    } rows[] = {
        {t1, MESSAGE_INBOUND, "{\"sentiment\":-0.5}", 3000},   /* yes */
        {t2, MESSAGE_INBOUND, "{\"sentiment\":-0.9}", 2000},   /* yes, earlier, no category */
        {t1, MESSAGE_INBOUND, "{\"sentiment\":0.3}", 2500},    /* positive */
        {t1, MESSAGE_INBOUND, NULL, 2600},                     /* not analysed */
        {t1, MESSAGE_REPLY, "{\"sentiment\":-0.9}", 2700},     /* not inbound */
        {t1, MESSAGE_INBOUND, "{\"sentiment\":-0.7}", 500},    /* before `since` */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct message m = {.ticket_id = rows[i].ticket, .kind = rows[i].kind,
                            .body = (char *)"x", .analysis = (char *)rows[i].analysis,
                            .created_at = rows[i].at};
        assert_int_equal(st->ops->message_insert(st, &m), 0);
    }
    struct seen s = {0};
    assert_int_equal(st->ops->negative_scan(st, 1000, -0.05, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.at[0], 2000);     /* in time order */
    assert_int_equal(s.ticket[0], t2);
    assert_string_equal(s.cat[0], "-");
    assert_int_equal(s.at[1], 3000);
    assert_string_equal(s.cat[1], "billing");
}

/* ---- the outbox, webhooks, attachments ----------------------------------- */

static void test_outbox(void **state)
{
    struct store *st = ST(state);
    struct delivery e = {.kind = DELIVERY_EMAIL, .status = DELIVERY_QUEUED, .message_id = 5,
                         .ticket_id = 2, .next_attempt_at = 1000, .last_error = "waiting"};
    assert_int_equal(st->ops->delivery_insert(st, &e), 0);
    assert_true(e.id > 0);
    struct delivery dup = {.kind = DELIVERY_EMAIL, .message_id = 5, .ticket_id = 2};
    assert_int_equal(st->ops->delivery_insert(st, &dup), PL_EEXISTS);
    /* webhook calls for the same message are not e-mails: no clash */
    struct delivery w = {.kind = DELIVERY_WEBHOOK, .status = DELIVERY_QUEUED, .message_id = 5,
                         .ticket_id = 2, .event_id = 9, .webhook_id = 1,
                         .payload = "{\"type\":\"message.reply\"}", .next_attempt_at = 2000};
    assert_int_equal(st->ops->delivery_insert(st, &w), 0);
    struct delivery w2 = w;
    w2.next_attempt_at = 5000;
    assert_int_equal(st->ops->delivery_insert(st, &w2), 0);

    struct delivery *v = NULL;
    size_t n = 0;
    unsigned all = (1u << DELIVERY_EMAIL) | (1u << DELIVERY_WEBHOOK);
    assert_int_equal(st->ops->delivery_due(st, 3000, all, 10, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, e.id);           /* oldest due first */
    assert_string_equal(v[0].last_error, "waiting");
    assert_int_equal(v[1].id, w.id);
    assert_string_equal(v[1].payload, "{\"type\":\"message.reply\"}");
    assert_int_equal(v[1].event_id, 9);
    store_free_deliveries(v, n);
    assert_int_equal(st->ops->delivery_due(st, 3000, 1u << DELIVERY_WEBHOOK, 10, &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_deliveries(v, n);

    struct delivery g = {0};
    assert_int_equal(st->ops->delivery_get(st, e.id, &g), 0);
    g.status = DELIVERY_SENT;
    g.attempts = 2;
    free(g.last_error);
    g.last_error = NULL;
    g.next_attempt_at = 0;
    g.updated_at = 4000;
    assert_int_equal(st->ops->delivery_update(st, &g), 0);
    delivery_clear(&g);
    assert_int_equal(st->ops->delivery_of_message(st, 5, &g), 0);
    assert_int_equal(g.id, e.id);
    assert_int_equal(g.status, DELIVERY_SENT);
    assert_int_equal(g.attempts, 2);
    assert_null(g.last_error);
    assert_int_equal(g.updated_at, 4000);
    delivery_clear(&g);
    assert_int_equal(st->ops->delivery_due(st, 9000, all, 10, &v, &n), 0);
    assert_int_equal(n, 2);                    /* the sent one is no longer due */
    store_free_deliveries(v, n);
    assert_int_equal(st->ops->delivery_list_ticket(st, 2, &v, &n), 0);
    assert_int_equal(n, 1);                    /* e-mails only */
    store_free_deliveries(v, n);
    assert_int_equal(st->ops->delivery_of_message(st, 6, &g), PL_ENOTFOUND);
    assert_int_equal(st->ops->delivery_get(st, w2.id + 10, &g), PL_ENOTFOUND);
    g.id = w2.id + 10;
    assert_int_equal(st->ops->delivery_update(st, &g), PL_ENOTFOUND);
}

static void test_webhooks(void **state)
{
    struct store *st = ST(state);
    struct webhook a = {.url = "https://crm.example/hook", .events = "ticket.created,*",
                        .secret = "whsec_1", .created_by = 1};
    struct webhook b = {.url = "http://127.0.0.1:9/x", .events = "message.created",
                        .secret = "whsec_2"};
    assert_int_equal(st->ops->webhook_insert(st, &a), 0);
    assert_int_equal(st->ops->webhook_insert(st, &b), 0);
    assert_true(b.id > a.id);
    struct webhook *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->webhook_list(st, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].events, "ticket.created,*");
    assert_string_equal(v[1].secret, "whsec_2");
    store_free_webhooks(v, n);
    assert_int_equal(st->ops->webhook_delete(st, a.id), 0);
    assert_int_equal(st->ops->webhook_delete(st, a.id), PL_ENOTFOUND);
    struct webhook g = {0};
    assert_int_equal(st->ops->webhook_get(st, a.id, &g), PL_ENOTFOUND);
    assert_int_equal(st->ops->webhook_get(st, b.id, &g), 0);
    assert_string_equal(g.url, "http://127.0.0.1:9/x");
    webhook_clear(&g);
}

static void test_attachments(void **state)
{
    struct store *st = ST(state);
    unsigned char bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7);     /* every byte value, NULs included */
    struct attachment a = {.message_id = 4, .ticket_id = 3, .filename = "снимок.png",
                           .content_type = "image/png", .size = sizeof bytes,
                           .sha256 = "ab12", .data = bytes, .len = sizeof bytes};
    struct attachment empty = {.message_id = 4, .ticket_id = 3, .content_type = "text/plain",
                               .sha256 = "e3b0", .data = NULL, .len = 0};
    assert_int_equal(st->ops->attachment_insert(st, &a), 0);
    assert_int_equal(st->ops->attachment_insert(st, &empty), 0);
    struct attachment *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->attachment_list_ticket(st, 3, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].filename, "снимок.png");
    assert_null(v[0].data);
    assert_null(v[1].filename);
    assert_string_equal(v[1].sha256, "e3b0");
    store_free_attachments(v, n);
    struct attachment g = {0};
    assert_int_equal(st->ops->attachment_get(st, a.id, &g), 0);
    assert_int_equal(g.len, sizeof bytes);
    assert_memory_equal(g.data, bytes, sizeof bytes);
    assert_int_equal(g.size, sizeof bytes);
    assert_string_equal(g.content_type, "image/png");
    attachment_clear(&g);
    assert_int_equal(st->ops->attachment_get(st, empty.id, &g), 0);
    assert_int_equal(g.len, 0);
    attachment_clear(&g);
    assert_int_equal(st->ops->attachment_get(st, empty.id + 5, &g), PL_ENOTFOUND);
}

/* ---- transactions ------------------------------------------------------- */

static int64_t count_identities(struct store *st, int64_t customer_id)
{
    struct identity *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->identity_list(st, customer_id, &v, &n), 0);
    store_free_identities(v, n);
    return (int64_t)n;
}

/* Drill-down facts: range by kind and time, dimension and label filters,
 * NaN kept as NULL, withdrawal by ticket. */
static void test_facts(void **state)
{
    struct store *st = ST(state);
    struct metric_fact f[] = {
        {31, 2, 11, 100, 7, (char *)"billing", 1, 2, 1800000.0, 1},
        {32, 2, 12, 200, 8, NULL, 0, 1, 600000.0, 0},
        {33, 2, 13, 300, 7, (char *)"billing", 1, 2, NAN, -1},
        {31, 5, 11, 150, 7, (char *)"billing", 1, 2, 0, 0},
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st->ops->fact_insert(st, &f[i]), 0);
    /* The same event's fact again (a replay, a second process): ignored. */
    assert_int_equal(st->ops->fact_insert(st, &f[0]), 0);
    struct fact_filter q = {.kind = 2, .from = 100, .to = 300, .limit = 10};
    struct metric_fact *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 2);                       /* [100, 300) */
    assert_int_equal(v[0].ticket_id, 11);
    assert_int_equal(v[0].event_id, 31);
    assert_string_equal(v[0].category, "billing");
    assert_true(v[0].value == 1800000.0 && v[0].label == 1);
    assert_null(v[1].category);
    store_free_facts(v, n);
    q.to = 1000;
    q.dim = 2; /* category */
    q.category = "billing";
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_true(isnan(v[1].value));
    store_free_facts(v, n);
    q.dim = 1; /* agent */
    q.value = 8;
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].ticket_id, 12);
    store_free_facts(v, n);
    q = (struct fact_filter){.kind = 2, .from = 0, .to = 1000, .dim = 3, .value = 1};
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 2);                       /* channel 1: tickets 11 and 13 */
    assert_int_equal(v[1].ticket_id, 13);
    store_free_facts(v, n);
    q = (struct fact_filter){.kind = 2, .from = 0, .to = 1000, .has_label = 1, .label = 1};
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 1);
    store_free_facts(v, n);
    assert_int_equal(st->ops->fact_withdraw(st, 5, 11), 0);
    q = (struct fact_filter){.kind = 5, .from = 0, .to = 1000};
    assert_int_equal(st->ops->fact_list(st, &q, &v, &n), 0);
    assert_int_equal(n, 0);
    store_free_facts(v, n);
}

/* Orders: unique external id, totals split by "after a resolved ticket"
 * and upsell, conflict customers and who of them ordered afterwards. */
static void test_orders(void **state)
{
    struct store *st = ST(state);
    int64_t a = new_customer(st, "A"), b = new_customer(st, "B");
    struct ticket t = {.customer_id = a, .subject = (char *)"s", .status = STATUS_RESOLVED,
                       .created_at = 1000, .updated_at = 2000, .resolved_at = 2000,
                       .escalated = true};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    struct order o[] = {
        {.external_id = (char *)"X1", .customer_id = a, .amount_cents = 1000, .ordered_at = 1500},
        {.external_id = (char *)"X2", .customer_id = a, .amount_cents = 2000, .ordered_at = 2500},
        {.customer_id = a, .amount_cents = 300, .upsell = 1, .ordered_at = 2600},
        {.customer_id = b, .amount_cents = 50, .ordered_at = 2700},
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(st->ops->order_insert(st, &o[i]), 0);
        assert_true(o[i].id > 0 && o[i].created_at > 0);
    }
    struct order dup = {.external_id = (char *)"X1", .customer_id = b, .ordered_at = 1};
    assert_int_equal(st->ops->order_insert(st, &dup), PL_EEXISTS);
    struct order_totals ot;
    assert_int_equal(st->ops->order_totals(st, 0, 10000, &ot), 0);
    assert_int_equal(ot.orders, 4);
    assert_int_equal(ot.cents, 3350);
    assert_int_equal(ot.repeat_orders, 1);        /* X2: after the resolution at 2000 */
    assert_int_equal(ot.repeat_cents, 2000);
    assert_int_equal(ot.upsell_orders, 1);
    assert_int_equal(ot.upsell_cents, 300);
    /* A's conflict at 1000 is measured when before the cut; A is retained
     * with an order in (1000, 1000 + window] */
    int64_t customers = 0, measured = 0, retained = 0;
    assert_int_equal(st->ops->conflict_customers(st, 0, 2000, 2000, 600, &customers, &measured,
                                                 &retained), 0);
    assert_int_equal(customers, 1);
    assert_int_equal(measured, 1);
    assert_int_equal(retained, 1);                /* A ordered at 1500 */
    assert_int_equal(st->ops->conflict_customers(st, 0, 2000, 2000, 400, &customers, &measured,
                                                 &retained), 0);
    assert_int_equal(retained, 0);                /* nothing in (1000, 1400] */
    assert_int_equal(st->ops->conflict_customers(st, 0, 2000, 1000, 5000, &customers, &measured,
                                                 &retained), 0);
    assert_int_equal(customers, 1);
    assert_int_equal(measured, 0);                /* its window has not passed */
    assert_int_equal(retained, 0);
    assert_int_equal(st->ops->conflict_customers(st, 1001, 2000, 9000, 5000, &customers,
                                                 &measured, &retained), 0);
    assert_int_equal(customers, 0);

    /* Handling time of the conflict tickets created in a period: the
     * escalated ticket's 30 min (and 15 more later), not the calm one's. */
    struct ticket calm = {.customer_id = b, .subject = (char *)"c", .status = STATUS_RESOLVED,
                          .created_at = 1000, .updated_at = 2000, .resolved_at = 2000};
    assert_int_equal(st->ops->ticket_insert(st, &calm), 0);
    struct metric_fact f[] = {
        {41, 2, t.id, 2000, 7, NULL, 0, 1, 1800000.0, 0},
        {42, 2, calm.id, 2000, 7, NULL, 0, 1, 600000.0, 0},
        {43, 2, t.id, 5000, 7, NULL, 0, 1, 900000.0, 0},
        {41, 5, t.id, 2000, 7, NULL, 0, 1, 100.0, 0},
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st->ops->fact_insert(st, &f[i]), 0);
    int64_t ms = -1;
    assert_int_equal(st->ops->conflict_facts(st, 2, 0, 2000, 3000, &ms), 0);
    assert_int_equal(ms, 1800000);
    assert_int_equal(st->ops->conflict_facts(st, 2, 0, 2000, 10000, &ms), 0);
    assert_int_equal(ms, 2700000);
    assert_int_equal(st->ops->conflict_facts(st, 2, 1500, 3000, 10000, &ms), 0);
    assert_int_equal(ms, 0);                      /* created before the period */
}

static size_t hits(struct store *st, const char *q)
{
    struct search_hit *v = NULL;
    size_t n = 0;
    assert_int_equal(st->ops->ticket_search(st, q, 10, &v, &n), 0);
    store_free_search_hits(v, n);
    return n;
}

/* SQLite only: FTS5's own check that each index matches its rows. */
static void check_fts(struct fx *fx)
{
    if (strncmp(fx->db.url, "sqlite:", 7) != 0)
        return;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->db.url + 7, &db), SQLITE_OK);
    static const char *const tables[] = {"messages_fts", "tickets_fts", "customers_fts"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO %s (%s, rank) VALUES ('integrity-check', 1)",
                 tables[i], tables[i]);
        char *err = NULL;
        int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
        if (rc != SQLITE_OK)
            fail_msg("%s: %s", tables[i], err ? err : "?");
    }
    sqlite3_close(db);
}

/* New rows are searchable once committed, whatever happened to them in the
 * transaction: rolled back to a savepoint (and the id used again), changed,
 * erased, or the whole transaction rolled back. */
static void test_search_in_transactions(void **state)
{
    struct fx *fx = *state;
    struct store *st = fx->st;
    int64_t c = new_customer(st, "zzsearch");
    int64_t t0 = new_ticket(st, c, STATUS_OPEN, CHANNEL_API, NULL, 1000);

    assert_int_equal(st->ops->begin(st), 0);
    assert_int_equal(st->ops->savepoint(st), 0);
    struct message a = {.ticket_id = t0, .body = xstrdup("alphaword arrives"), .created_at = 2};
    assert_int_equal(st->ops->message_insert(st, &a), 0);
    assert_int_equal(st->ops->rollback_to(st), 0);
    assert_int_equal(st->ops->savepoint(st), 0);
    struct message b = {.ticket_id = t0, .body = xstrdup("betaword arrives"), .created_at = 3};
    assert_int_equal(st->ops->message_insert(st, &b), 0);
    assert_int_equal(st->ops->release(st), 0);
    struct ticket t = {.customer_id = c, .subject = xstrdup("gammaword refundword"),
                       .created_at = 4, .updated_at = 4};
    assert_int_equal(st->ops->ticket_insert(st, &t), 0);
    free(t.subject);
    t.subject = xstrdup("deltaword refundword");
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    t.status = STATUS_OPEN;       /* an update that leaves the subject alone */
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    struct customer k = {.name = xstrdup("Zedname"), .created_at = 5, .updated_at = 5};
    assert_int_equal(st->ops->customer_insert(st, &k), 0);
    free(k.name);
    k.name = xstrdup("Yolandaname");
    assert_int_equal(st->ops->customer_update(st, &k), 0);
    struct ticket kt = {.customer_id = k.id, .subject = xstrdup("kappaword"), .created_at = 6,
                        .updated_at = 6};
    assert_int_equal(st->ops->ticket_insert(st, &kt), 0);
    int64_t nt = 0, nm = 0;
    assert_int_equal(st->ops->customer_erase(st, k.id, "[erased]", 7, &nt, &nm), 0);
    assert_int_equal(st->ops->commit(st), 0);

    assert_int_equal(hits(st, "alphaword"), 0);
    assert_int_equal(hits(st, "betaword"), 1);
    assert_int_equal(hits(st, "gammaword"), 0);
    assert_int_equal(hits(st, "deltaword"), 1);
    assert_int_equal(hits(st, "refundword"), 1);
    assert_int_equal(hits(st, "zedname"), 0);
    assert_int_equal(hits(st, "yolandaname"), 0);   /* erased */
    assert_int_equal(hits(st, "kappaword"), 0);
    check_fts(fx);

    /* the committed entry is the one a later change replaces */
    free(t.subject);
    t.subject = xstrdup("epsilonword");
    assert_int_equal(st->ops->ticket_update(st, &t), 0);
    assert_int_equal(hits(st, "deltaword"), 0);
    assert_int_equal(hits(st, "epsilonword"), 1);
    assert_int_equal(hits(st, "refundword"), 0);
    check_fts(fx);

    /* a rolled-back transaction leaves no entry behind */
    assert_int_equal(st->ops->begin(st), 0);
    struct message o = {.ticket_id = t0, .body = xstrdup("omegaword"), .created_at = 8};
    assert_int_equal(st->ops->message_insert(st, &o), 0);
    assert_int_equal(st->ops->rollback(st), 0);
    assert_int_equal(st->ops->begin(st), 0);
    struct message p = {.ticket_id = t0, .body = xstrdup("sigmaword"), .created_at = 9};
    assert_int_equal(st->ops->message_insert(st, &p), 0);
    assert_int_equal(st->ops->commit(st), 0);
    assert_int_equal(hits(st, "omegaword"), 0);
    assert_int_equal(hits(st, "sigmaword"), 1);
    check_fts(fx);
    message_clear(&a);
    message_clear(&b);
    message_clear(&o);
    message_clear(&p);
    ticket_clear(&t);
    ticket_clear(&kt);
    customer_clear(&k);
}

static void test_savepoints(void **state)
{
    struct store *st = ST(state);
    int64_t c = new_customer(st, "sp");

    assert_int_equal(st->ops->begin(st), 0);

    /* Job 1 writes two rows, then fails: none of its rows stay. */
    assert_int_equal(st->ops->savepoint(st), 0);
    struct identity a = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"1@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &a), 0);
    int64_t t1 = new_ticket(st, c, STATUS_NEW, CHANNEL_API, NULL, 1000);
    assert_int_equal(st->ops->rollback_to(st), 0);

    /* Job 2 hits a unique clash after a write; its savepoint undoes it and
     * the transaction stays usable (PostgreSQL: no "aborted" state left). */
    assert_int_equal(st->ops->savepoint(st), 0);
    struct identity b = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"2@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &b), 0);
    struct identity b2 = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"2@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &b2), PL_EEXISTS);
    assert_int_equal(st->ops->rollback_to(st), 0);

    /* Job 3 succeeds. */
    assert_int_equal(st->ops->savepoint(st), 0);
    struct identity d = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"3@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &d), 0);
    assert_int_equal(st->ops->release(st), 0);

    assert_int_equal(st->ops->commit(st), 0);

    struct identity f = {0};
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "1@x.org", &f), PL_ENOTFOUND);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "2@x.org", &f), PL_ENOTFOUND);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "3@x.org", &f), 0);
    identity_clear(&f);
    struct ticket t = {0};
    assert_int_equal(st->ops->ticket_get(st, t1, &t), PL_ENOTFOUND);
    assert_int_equal(count_identities(st, c), 1);

    /* Nested savepoints with the same name: the inner one rolls back alone. */
    assert_int_equal(st->ops->begin(st), 0);
    assert_int_equal(st->ops->savepoint(st), 0);
    struct identity e = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"4@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &e), 0);
    assert_int_equal(st->ops->savepoint(st), 0);
    struct identity g = {.customer_id = c, .kind = IDENTITY_EMAIL, .value = (char *)"5@x.org"};
    assert_int_equal(st->ops->identity_insert(st, &g), 0);
    assert_int_equal(st->ops->rollback_to(st), 0);
    assert_int_equal(st->ops->release(st), 0);
    assert_int_equal(st->ops->commit(st), 0);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "4@x.org", &f), 0);
    identity_clear(&f);
    assert_int_equal(st->ops->identity_find(st, IDENTITY_EMAIL, "5@x.org", &f), PL_ENOTFOUND);
}

static void test_transactions(void **state)
{
    struct fx *fx = *state;
    struct store *st = fx->st;
    struct store *reader = open_or_die(fx->db.url, 0);

    /* Rolled back: nothing stays. */
    assert_int_equal(st->ops->begin(st), 0);
    int64_t c = new_customer(st, "gone");
    struct event e = {.type = (char *)"customer.created", .customer_id = c};
    assert_int_equal(st->ops->event_insert(st, &e), 0);
    assert_int_equal(st->ops->rollback(st), 0);
    struct customer g = {0};
    assert_int_equal(st->ops->customer_get(st, c, &g), PL_ENOTFOUND);
    int64_t last = -1;
    assert_int_equal(st->ops->event_last_id(st, &last), 0);
    assert_int_equal(last, 0);
    /* Rollback outside a transaction is harmless. */
    assert_int_equal(st->ops->rollback(st), 0);

    /* Uncommitted rows are invisible to another connection, which is not
     * blocked by the open write transaction; committed ones are visible. */
    assert_int_equal(st->ops->begin(st), 0);
    int64_t c2 = new_customer(st, "kept");
    assert_int_equal(reader->ops->customer_get(reader, c2, &g), PL_ENOTFOUND);
    assert_int_equal(st->ops->commit(st), 0);
    assert_int_equal(reader->ops->customer_get(reader, c2, &g), 0);
    assert_string_equal(g.name, "kept");
    customer_clear(&g);

    /* Event ids keep increasing after a rollback. */
    struct event e2 = {.type = (char *)"x"};
    assert_int_equal(st->ops->event_insert(st, &e2), 0);
    assert_true(e2.id > 0);
    assert_int_equal(reader->ops->event_last_id(reader, &last), 0);
    assert_int_equal(last, e2.id);
    store_close(reader);
}

/* PostgreSQL only: a connection that drops inside a transaction fails
 * every call until rollback(), then reconnects; outside a transaction the
 * call that finds the link dead fails and the next one reconnects. */
static int terminate(PGconn *admin, const char *app)
{
    const char *params[1] = {app};
    PGresult *r = PQexecParams(admin,
                               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = $1",
                               1, NULL, params, NULL, NULL, 0);
    int n = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    for (int i = 0; i < 500; i++) {    /* until the backend is gone (5 s at most) */
        r = PQexecParams(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                         1, NULL, params, NULL, NULL, 0);
        int left = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        if (left == 0)
            break;
        usleep(10 * 1000);
    }
    return n;
}

static void test_pg_reconnect(void **state)
{
    struct fx *fx = *state;
    if (!fx->db.admin)
        skip();
    char *app = xasprintf("reconnect_%s", fx->db.schema);
    char *url = xasprintf("%s&application_name=%s", fx->db.url, app);
    struct store *st = open_or_die(url, 0);
    struct customer c = {0};

    assert_int_equal(st->ops->begin(st), 0);
    int64_t id = new_customer(st, "lost");
    if (terminate(fx->db.admin, app) != 1) {
        store_close(st);
        free(url);
        free(app);
        skip();
    }
    struct customer d = {.name = (char *)"after drop"};
    assert_int_not_equal(st->ops->customer_insert(st, &d), 0);
    assert_int_equal(st->ops->customer_get(st, id, &c), PL_EUNAVAIL);  /* no autocommit */
    assert_int_not_equal(st->ops->commit(st), 0);
    assert_int_equal(st->ops->rollback(st), 0);
    assert_int_equal(st->ops->customer_get(st, id, &c), PL_ENOTFOUND);
    int64_t id2 = new_customer(st, "kept");

    assert_int_equal(terminate(fx->db.admin, app), 1);
    assert_int_not_equal(st->ops->customer_get(st, id2, &c), 0);
    assert_int_equal(st->ops->customer_get(st, id2, &c), 0);
    assert_string_equal(c.name, "kept");
    customer_clear(&c);

    store_close(st);
    free(url);
    free(app);
}

/* A claimed connection that dropped claims again when it reconnects; if
 * another connection took the claim in between, its writes are refused. */
static void test_pg_claim_reconnect(void **state)
{
    struct fx *fx = *state;
    if (!fx->db.admin)
        skip();
    struct store_holder h;
    struct customer c = {0};
    char *who = xasprintf("claim_%s", fx->db.schema);
    char *app = xasprintf("parley %ld %s", (long)getpid(), who);
    struct store *other = open_or_die(fx->db.url, 0);

    assert_int_equal(fx->st->ops->claim(fx->st, who, &h), 0);
    assert_int_equal(terminate(fx->db.admin, app), 1);
    assert_int_not_equal(fx->st->ops->customer_get(fx->st, 1, &c), 0); /* finds the drop */
    assert_true(new_customer(fx->st, "after the first drop") > 0);    /* claimed again */
    assert_int_equal(other->ops->claim(other, "import", &h), PL_EBUSY);

    assert_int_equal(terminate(fx->db.admin, app), 1);
    assert_int_equal(other->ops->claim(other, "import", &h), 0);      /* taken meanwhile */
    assert_int_not_equal(fx->st->ops->customer_get(fx->st, 1, &c), 0);
    assert_int_equal(fx->st->ops->begin(fx->st), PL_EBUSY);
    customer_clear(&c);
    store_close(other);
    free(app);
    free(who);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_migrations_idempotent),
        cmocka_unit_test_setup_teardown(test_migrations_concurrent, setup_empty, teardown),
        T(test_ops_complete),
        cmocka_unit_test(test_open_bad_url),
        T(test_customers),
        T(test_identities),
        T(test_tickets_crud),
        T(test_ticket_find_open),
        T(test_ticket_list_filters),
        T(test_ticket_list_pagination),
        T(test_ticket_list_limits),
        T(test_messages),
        T(test_events),
        T(test_ledger_tables),
        T(test_users),
        T(test_sessions),
        T(test_apikeys),
        T(test_settings),
        T(test_kb),
        T(test_canned),
        T(test_ticket_search),
        T(test_ticket_search_newest),
        T(test_ticket_search_deep),
        T(test_chats),
        T(test_witnesses),
        T(test_disputes),
        T(test_facts),
        T(test_orders),
        T(test_customer_keys_and_erase),
        T(test_surveys),
        T(test_alerts),
        T(test_negative_scan),
        T(test_outbox),
        T(test_webhooks),
        T(test_attachments),
        T(test_savepoints),
        T(test_search_in_transactions),
        T(test_transactions),
        T(test_pg_reconnect),
        T(test_claim),
        T(test_pg_claim_reconnect),
    };
#undef T
    const char *db = getenv("PARLEY_TEST_DB");
    printf("store suite on %s\n", testdb_is_pg(db) ? "postgresql (PARLEY_TEST_DB)" : "sqlite (temp file)");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
