/* postgres.c — the PostgreSQL backend of the store interface (libpq).
 *
 * Same semantics as sqlite.c, statement for statement: every data
 * statement is PQprepare()d once per connection on first use and run with
 * PQexecPrepared() (values as text parameters, never formatted into SQL);
 * ticket lists are prepared per shape (ticket_query.c). Ids and instants
 * are BIGINT, so both backends store the same numbers.
 *
 * Unique clashes: inserts use ON CONFLICT DO NOTHING RETURNING id, so a
 * duplicate is PL_EEXISTS *without* aborting the surrounding transaction
 * (as in SQLite, where a failed statement leaves the transaction usable).
 * Any other error (SQLSTATE 23505 from an UPDATE, say) aborts the
 * transaction as PostgreSQL does; the caller's rollback_to() recovers.
 * This file: the connection, prepared statements, migrations and
 * transactions; the data operations are in postgres_ops.c. */
#include "store/postgres_internal.h"
#include "store/migrations_postgres.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Any constant: the key of the advisory lock that serialises migrations. */
#define MIGRATION_LOCK_KEY 7270216451LL
/* The claim (pg__claim) is the advisory lock (CLAIM_CLASS, hash of the
 * schema): one per schema, apart from the migration lock's key space. */
#define CLAIM_CLASS "1348563564" /* "Parl" */
#define CLAIM_KEY "hashtext(coalesce(current_schema(), ''))"

static int take_claim(struct pg *p);

static const char *const pg_sql[] = {
#define PG_SQL_(name, sql) sql,
    PG_STATEMENTS(PG_SQL_)
#undef PG_SQL_
};

void pg__set_err(struct pg *p, const char *msg)
{
    snprintf(p->err, sizeof p->err, "%s", msg && *msg ? msg : "postgresql: unknown error");
    size_t n = strlen(p->err);
    while (n && (p->err[n - 1] == '\n' || p->err[n - 1] == ' '))
        p->err[--n] = '\0';
}

/* Maps a failed result (or a NULL one) to a PL_E* code, recording the
 * message; clears r. */
int pg__fail(struct pg *p, PGresult *r)
{
    int rc = PL_EDB;
    if (r) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        pg__set_err(p, PQresultErrorMessage(r));
        if (state && strcmp(state, "23505") == 0)
            rc = PL_EEXISTS;
        else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                           strcmp(state, "55P03") == 0))
            rc = PL_EBUSY;
        PQclear(r);
    } else {
        pg__set_err(p, PQerrorMessage(p->conn));
    }
    if (PQstatus(p->conn) == CONNECTION_BAD)
        rc = PL_EUNAVAIL;
    return rc;
}

static int ok_status(PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* A connection that dropped is re-established between transactions; the
 * new session has no prepared statements. Inside a transaction it is not:
 * the writes so far are lost, and silently carrying on in autocommit would
 * break atomicity, so every call fails until rollback(). */
void pg__check_conn(struct pg *p)
{
    if (PQstatus(p->conn) != CONNECTION_BAD || p->in_tx)
        return;
    PQreset(p->conn);
    memset(p->prepared, 0, sizeof p->prepared);
    p->nshapes = 0;
    /* The old session's claim went with it; another process may have
     * written since, so a failed re-claim stops this one's writes. */
    if (p->claim && take_claim(p) != 1)
        p->claim_lost = 1;
}

/* Runs fixed SQL without parameters (transaction control, DDL). */
static int simple(struct pg *p, const char *sql)
{
    pg__check_conn(p);
    PGresult *r = PQexec(p->conn, sql);
    if (!r || !ok_status(r))
        return pg__fail(p, r);
    PQclear(r);
    return 0;
}

int pg__prepare(struct pg *p, const char *name, const char *sql, int nparams,
                   const Oid *types)
{
    PGresult *r = PQprepare(p->conn, name, sql, nparams, types);
    if (!r || !ok_status(r))
        return pg__fail(p, r);
    PQclear(r);
    return 0;
}

PGresult *pg__run_prepared(struct pg *p, const char *name, const struct args *a, int *rc)
{
    PGresult *r = PQexecPrepared(p->conn, name, a->n, a->v, NULL, NULL, 0);
    if (!r || !ok_status(r)) {
        *rc = pg__fail(p, r);
        return NULL;
    }
    *rc = 0;
    return r;
}

/* Executes statement id with a; returns the result (caller PQclear()s)
 * or NULL with *rc set. */
PGresult *pg__exec(struct pg *p, enum pid id, const struct args *a, int *rc)
{
    char name[16];
    *rc = pg__ready(p, id, name);
    return *rc ? NULL : pg__run_prepared(p, name, a, rc);
}

int pg__ready(struct pg *p, enum pid id, char name[16])
{
    snprintf(name, 16, "p%d", (int)id);
    pg__check_conn(p);
    if (!p->prepared[id]) {
        int rc = pg__prepare(p, name, pg_sql[id], 0, NULL);
        if (rc)
            return rc;
        p->prepared[id] = 1;
    }
    return 0;
}

/* Runs statement id for its effect only. */
int pg__run(struct pg *p, enum pid id, const struct args *a)
{
    int rc;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (r)
        PQclear(r);
    return rc;
}

/* Runs a write; *changed = the rows it touched. */
int pg__changed(struct pg *p, enum pid id, const struct args *a, int *changed)
{
    int rc;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    *changed = atoi(PQcmdTuples(r));
    PQclear(r);
    return 0;
}

int pg__one_row(struct pg *p, enum pid id, const struct args *a)
{
    int changed = 0;
    int rc = pg__changed(p, id, a, &changed);
    return rc ? rc : changed == 0 ? PL_ENOTFOUND : 0;
}

int pg__int64(struct pg *p, enum pid id, const struct args *a, int64_t *out, int none)
{
    int rc;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0)
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        rc = none;
    PQclear(r);
    return rc;
}

/* ---- lifecycle, migrations, transactions ----------------------------- */

void pg__close(struct store *st)
{
    struct pg *p = PG(st);
    if (!p)
        return;
    /* The session's end would release the claim too, but only once the
     * backend has exited, after PQfinish() returned: release it now, so a
     * command started right after this process sees it free. */
    if (p->claim && !p->claim_lost && PQstatus(p->conn) == CONNECTION_OK)
        PQclear(PQexec(p->conn, "SELECT pg_advisory_unlock(" CLAIM_CLASS ", " CLAIM_KEY ")"));
    PQfinish(p->conn);
    free(p->shapes);
    free(p->claim);
    free(p);
}

/* 1 when the session now holds the claim (and names itself p->claim in
 * application_name, for others to see), 0 when another session does,
 * negative on error. */
static int take_claim(struct pg *p)
{
    PGresult *r = PQexec(p->conn, "SELECT pg_try_advisory_lock(" CLAIM_CLASS ", " CLAIM_KEY ")");
    if (!r || !ok_status(r))
        return pg__fail(p, r);
    int got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!got)
        return 0;
    const char *v[1] = {p->claim};
    r = PQexecParams(p->conn, "SELECT set_config('application_name', $1, false)", 1, NULL, v,
                     NULL, NULL, 0);
    if (!r || !ok_status(r))
        return pg__fail(p, r);
    PQclear(r);
    return 1;
}

/* The holder's application_name, if this role may see it. */
static void read_holder(struct pg *p, struct store_holder *h)
{
    PGresult *r = PQexec(p->conn,
                         "SELECT a.application_name FROM pg_locks l "
                         "JOIN pg_stat_activity a ON a.pid = l.pid "
                         "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                         "AND l.database = (SELECT oid FROM pg_database "
                         "WHERE datname = current_database()) "
                         "AND l.classid = " CLAIM_CLASS " AND l.objid = " CLAIM_KEY "::oid");
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        const char *name = PQgetvalue(r, 0, 0);
        char *end;
        if (strncmp(name, "parley ", 7) == 0) {
            h->pid = strtol(name + 7, &end, 10);
            if (*end == ' ')
                snprintf(h->who, sizeof h->who, "%s", end + 1);
        }
    }
    PQclear(r);
}

int pg__claim(struct store *st, const char *who, struct store_holder *holder)
{
    struct pg *p = PG(st);
    if (p->claim)
        return 0;
    pg__check_conn(p);
    p->claim = xasprintf("parley %ld %s", (long)getpid(), who);
    int rc = take_claim(p);
    if (rc == 1)
        return 0;
    free(p->claim);
    p->claim = NULL;
    if (rc < 0)
        return rc;
    memset(holder, 0, sizeof *holder);
    read_holder(p, holder);
    snprintf(p->err, sizeof p->err, "the schema is claimed by pid %ld", holder->pid);
    return PL_EBUSY;
}

struct pg_conn *store__pg_conn(struct store *st)
{
    return st->ops == &pg__ops ? PG(st)->conn : NULL;
}

const char *pg__errmsg(struct store *st)
{
    return PG(st)->err;
}

int pg__schema_version(struct store *st, int *version)
{
    struct pg *p = PG(st);
    struct args a = {0};
    *version = 0;
    pg__check_conn(p);
    PGresult *r = PQexec(p->conn, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!r || !ok_status(r))
        return pg__fail(p, r);
    int exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!exists)
        return 0;
    int64_t v = 0;
    int rc = pg__int64(p, P_MIG_VERSION, &a, &v, 0);
    *version = (int)v;
    return rc;
}

/* One transaction holding an advisory lock: two processes migrating the
 * same database run one after the other; the second finds nothing to do. */
int pg__migrate(struct store *st)
{
    struct pg *p = PG(st);
    int rc, version = 0;
    char lock[96];

    if ((rc = simple(p, "BEGIN")))
        return rc;
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%lld)", MIGRATION_LOCK_KEY);
    if ((rc = simple(p, lock)) ||
        (rc = simple(p, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")) ||
        (rc = pg__schema_version(st, &version)))
        goto out;
    for (int v = version + 1; v <= POSTGRES_NMIGRATIONS; v++) {
        struct args a = {0};
        if ((rc = simple(p, postgres_migrations[v])))
            goto out;
        a_i64(&a, v);
        a_i64(&a, clock_now_ms());
        PGresult *r = pg__exec(p, P_MIG_RECORD, &a, &rc);
        if (!r)
            goto out;
        PQclear(r);
    }
    rc = simple(p, "COMMIT");
out:
    if (rc && PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
        char keep[sizeof p->err];
        memcpy(keep, p->err, sizeof keep);
        simple(p, "ROLLBACK");
        memcpy(p->err, keep, sizeof keep);
    }
    return rc;
}

int pg__begin(struct store *st)
{
    struct pg *p = PG(st);
    pg__check_conn(p);
    if (p->claim_lost) {
        pg__set_err(p, "the connection was re-established but another process had claimed "
                       "the database meanwhile: writes refused");
        return PL_EBUSY;
    }
    int rc = simple(p, "BEGIN");
    p->in_tx = rc == 0;
    return rc;
}

int pg__commit(struct store *st)
{
    struct pg *p = PG(st);
    /* COMMIT of an aborted transaction "succeeds" as a ROLLBACK. */
    if (PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
        simple(p, "ROLLBACK");
        p->in_tx = 0;
        pg__set_err(p, "commit of a failed transaction: rolled back");
        return PL_EDB;
    }
    int rc = simple(p, "COMMIT");
    if (rc == 0 || PQtransactionStatus(p->conn) == PQTRANS_IDLE)
        p->in_tx = 0;
    return rc;
}

int pg__rollback(struct store *st)
{
    struct pg *p = PG(st);
    p->in_tx = 0;
    if (PQstatus(p->conn) == CONNECTION_BAD) {
        pg__check_conn(p);         /* the server rolled back when the link dropped */
        return 0;
    }
    if (PQtransactionStatus(p->conn) == PQTRANS_IDLE)
        return 0;
    return simple(p, "ROLLBACK");
}

int pg__savepoint(struct store *st)
{
    return simple(PG(st), "SAVEPOINT sp");
}

int pg__release(struct store *st)
{
    return simple(PG(st), "RELEASE SAVEPOINT sp");
}

int pg__rollback_to(struct store *st)
{
    struct pg *p = PG(st);
    int rc = simple(p, "ROLLBACK TO SAVEPOINT sp");
    return rc ? rc : simple(p, "RELEASE SAVEPOINT sp");
}

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int store_postgres_open(const char *conninfo, struct store **out, char **err)
{
    struct pg *p = xcalloc(1, sizeof *p);
    int rc = 0;

    *out = NULL;
    p->base.ops = &pg__ops;
    p->conn = PQconnectdb(conninfo);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        pg__set_err(p, p->conn ? PQerrorMessage(p->conn) : "out of memory");
        rc = PL_EUNAVAIL;
        goto out;
    }
    PQsetNoticeProcessor(p->conn, quiet_notices, NULL);
    /* Same text in, same text out, whatever the server's defaults. */
    if ((rc = simple(p, "SET client_encoding = 'UTF8'")) ||
        (rc = simple(p, "SET synchronous_commit = on")))
        goto out;
    *out = &p->base;
    p = NULL;
out:
    if (p) {
        if (err)
            *err = xasprintf("postgresql: %s", p->err);
        pg__close(&p->base);
    }
    return rc;
}
