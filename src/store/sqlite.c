/* sqlite.c — the SQLite backend of the store interface.
 *
 * One sqlite3 connection per struct store. Durability and concurrency:
 * WAL journal (readers never block the writer), synchronous=FULL (a
 * returned COMMIT is on disk), busy_timeout so that readers and a writer
 * on other connections wait for each other instead of failing, foreign
 * keys on, secure_delete on (freed content is zeroed, so an erased
 * customer's text does not linger in free pages). begin() is BEGIN IMMEDIATE: the write lock is taken at once so
 * a transaction never fails half-way for lock reasons.
 *
 * Every statement is prepared on first use and cached for the life of the
 * connection (stmts[], indexed by enum sid; ticket lists by their shape,
 * see ticket_query.c); values are always bound, never formatted in.
 * This file: the connection, the statement cache, migrations and
 * transactions; the data operations are in sqlite_ops.c. */
#include "store/sqlite_internal.h"
#include "store/migrations_sqlite.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000

static const char *const sq_sql[] = {
#define SQ_SQL_(name, sql) sql,
    SQ_STATEMENTS(SQ_SQL_)
#undef SQ_SQL_
};

/* Records the connection's error and maps a SQLite result code. */
int sq__fail(struct sq *s, int rc)
{
    snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return PL_EEXISTS;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return PL_EBUSY;
    default:
        return PL_EDB;
    }
}

sqlite3_stmt *sq__prepare(struct sq *s, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q, NULL);
    if (rc != SQLITE_OK) {
        sq__fail(s, rc);
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

/* The cached statement id, prepared on first use; NULL (and s->err) on error. */
sqlite3_stmt *sq__stmt(struct sq *s, enum sid id)
{
    if (!s->stmts[id])
        s->stmts[id] = sq__prepare(s, sq_sql[id]);
    return s->stmts[id];
}

/* Runs q to completion (no rows expected), then resets it. */
int sq__run(struct sq *s, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq__fail(s, rc);
    done(q);
    return ret;
}

/* Steps q once: 1 when a row is ready, 0 at the end, or a PL_E* code. */
int sq__next(struct sq *s, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sq__fail(s, rc);
}

/* Runs a statement id with no bindings. */
static int run_id(struct sq *s, enum sid id)
{
    sqlite3_stmt *q = sq__stmt(s, id);
    return q ? sq__run(s, q) : PL_EDB;
}

int sq__write_one(struct sq *s, sqlite3_stmt *q)
{
    int rc = sq__run(s, q);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = PL_ENOTFOUND;
    return rc;
}

int sq__insert(struct sq *s, sqlite3_stmt *q, int64_t *id)
{
    int rc = sq__run(s, q);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* ---- lifecycle, migrations, transactions ----------------------------- */

/* parley_unhex(TEXT): the 32 bytes of 64 hex digits, NULL for anything
 * else (migration 16 turns the log's hex hashes into blobs with it). */
static void sql_unhex32(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    unsigned char h[32];
    const unsigned char *t = argc == 1 ? sqlite3_value_text(argv[0]) : NULL;
    if (t && store__unhex32((const char *)t, h) == 0)
        sqlite3_result_blob(cx, h, 32, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(cx);
}

void sq__close(struct store *st)
{
    struct sq *s = SQ(st);
    if (!s)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    for (size_t i = 0; i < s->nshapes; i++)
        sqlite3_finalize(s->shapes[i].st);
    free(s->shapes);
    for (int t = 0; t < FTS__COUNT; t++)
        free(s->fts[t].ids);
    sqlite3_close(s->db);
    if (s->claim_fd >= 0)
        close(s->claim_fd);   /* releases the claim */
    free(s);
}

/* Fills h from the lock file's "PID WHO" line (written by the holder
 * right after it locked; empty for an instant before). */
static void read_holder(int fd, struct store_holder *h)
{
    char line[96] = "";
    ssize_t n = pread(fd, line, sizeof line - 1, 0);
    line[n > 0 ? n : 0] = '\0';
    char *end;
    h->pid = strtol(line, &end, 10);
    if (*end == ' ')
        snprintf(h->who, sizeof h->who, "%.*s", (int)strcspn(end + 1, "\n"), end + 1);
}

/* flock(), not fcntl(): its lock belongs to the open file, so a second
 * claim in the same process is refused too, and closing some other
 * descriptor of the file does not drop it. The file stays when released:
 * removing it could let two processes lock two different files. */
int sq__claim(struct store *st, const char *who, struct store_holder *holder)
{
    struct sq *s = SQ(st);
    const char *db = sqlite3_db_filename(s->db, "main");
    if (!db || !*db || s->claim_fd >= 0)
        return 0;   /* in memory (private), or claimed already */
    char *path = xasprintf("%s.lock", db);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int rc = 0;
    if (fd < 0) {
        snprintf(s->err, sizeof s->err, "sqlite: cannot open %s: %s", path, strerror(errno));
        rc = PL_EIO;
        goto out;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        memset(holder, 0, sizeof *holder);
        if (errno == EWOULDBLOCK) {
            read_holder(fd, holder);
            snprintf(s->err, sizeof s->err, "%s is locked by pid %ld", path, holder->pid);
            rc = PL_EBUSY;
        } else {
            snprintf(s->err, sizeof s->err, "sqlite: cannot lock %s: %s", path, strerror(errno));
            rc = PL_EIO;
        }
        close(fd);
        goto out;
    }
    char line[96];
    int n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), who);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        snprintf(s->err, sizeof s->err, "sqlite: cannot write %s: %s", path, strerror(errno));
        rc = PL_EIO;
        close(fd);
        goto out;
    }
    s->claim_fd = fd;
out:
    free(path);
    return rc;
}

struct sqlite3 *store__sqlite_db(struct store *st)
{
    return st->ops == &sq__ops ? SQ(st)->db : NULL;
}

const char *sq__errmsg(struct store *st)
{
    return SQ(st)->err;
}

int sq__schema_version(struct store *st, int *version)
{
    struct sq *s = SQ(st);
    *version = 0;
    /* No schema_migrations table yet means version 0. */
    sqlite3_stmt *q = sq__prepare(s, "SELECT count(*) FROM sqlite_master "
                                 "WHERE type = 'table' AND name = 'schema_migrations'");
    if (!q)
        return PL_EDB;
    int rc = sq__next(s, q);
    int exists = rc == 1 && sqlite3_column_int(q, 0) > 0;
    sqlite3_finalize(q);
    if (rc < 0)
        return rc;
    if (!exists)
        return 0;
    STMT_OR_FAIL(v, s, S_MIG_VERSION);
    if ((rc = sq__next(s, v)) == 1)
        *version = sqlite3_column_int(v, 0);
    done(v);
    return rc < 0 ? rc : 0;
}

static int sq_exec(struct sq *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return (rc & 0xff) == SQLITE_BUSY ? PL_EBUSY : PL_EDB;
    }
    return 0;
}

/* Inside BEGIN IMMEDIATE, so two processes migrating the same file run
 * one after the other and the second finds nothing left to do. */
int sq__migrate(struct store *st)
{
    struct sq *s = SQ(st);
    int rc, version = 0;

    if ((rc = run_id(s, S_BEGIN)))
        return rc;
    if ((rc = sq_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")))
        goto out;
    if ((rc = sq__schema_version(st, &version)))
        goto out;
    for (int v = version + 1; v <= SQLITE_NMIGRATIONS; v++) {
        if ((rc = sq_exec(s, sqlite_migrations[v])))
            goto out;
        sqlite3_stmt *q = sq__stmt(s, S_MIG_RECORD);
        if (!q) {
            rc = PL_EDB;
            goto out;
        }
        bind_i64(q, 1, v);
        bind_i64(q, 2, clock_now_ms());
        if ((rc = sq__run(s, q)))
            goto out;
    }
    rc = run_id(s, S_COMMIT);
out:
    if (rc && !sqlite3_get_autocommit(s->db)) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        run_id(s, S_ROLLBACK);
        memcpy(s->err, keep, sizeof keep);
    }
    return rc;
}

int sq__begin(struct store *st)
{
    return run_id(SQ(st), S_BEGIN);
}

int sq__commit(struct store *st)
{
    struct sq *s = SQ(st);
    int rc = sq__fts_flush(s);
    return rc ? rc : run_id(s, S_COMMIT);
}

int sq__rollback(struct store *st)
{
    struct sq *s = SQ(st);
    sq__fts_forget(s);
    s->leaf_known = 0;
    /* SQLite may already have rolled back (e.g. after an I/O error). */
    if (sqlite3_get_autocommit(s->db))
        return 0;
    return run_id(s, S_ROLLBACK);
}

int sq__savepoint(struct store *st)
{
    return run_id(SQ(st), S_SAVEPOINT);
}

int sq__release(struct store *st)
{
    return run_id(SQ(st), S_RELEASE);
}

int sq__rollback_to(struct store *st)
{
    struct sq *s = SQ(st);
    s->leaf_known = 0;
    int rc = run_id(s, S_ROLLBACK_TO);
    return rc ? rc : run_id(s, S_RELEASE);
}

/* Switching a new file to WAL needs an exclusive lock, and SQLite reports
 * SQLITE_BUSY for it at once, without the busy handler, while another
 * connection is opening the same file: retry for up to BUSY_TIMEOUT_MS. */
static int set_wal(struct sq *s)
{
    int64_t give_up = clock_mono_ns() + (int64_t)BUSY_TIMEOUT_MS * 1000000;
    int rc;
    while ((rc = sq_exec(s, "PRAGMA journal_mode = WAL")) == PL_EBUSY &&
           clock_mono_ns() < give_up) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return rc;
}

int store_sqlite_open(const char *url_path, struct store **out, char **err)
{
    struct sq *s = xcalloc(1, sizeof *s);
    s->claim_fd = -1;
    int rc;
    /* "PATH?sync=full" (default) or "PATH?sync=normal": with normal, a
     * commit survives a crash of the process (kill -9) but not of the
     * machine; with full it is fsynced before the answer. */
    const char *sync = "PRAGMA synchronous = FULL";
    char *path = xstrdup(url_path);
    char *q = path ? strchr(path, '?') : NULL;
    if (q) {
        *q++ = '\0';
        if (strcmp(q, "sync=normal") == 0)
            sync = "PRAGMA synchronous = NORMAL";
        else if (strcmp(q, "sync=full") != 0) {
            rc = PL_EINVAL;
            snprintf(s->err, sizeof s->err, "sqlite: unknown option '%s' (sync=full|normal)", q);
            goto out;
        }
    }

    *out = NULL;
    s->base.ops = &sq__ops;
    if (!path || !*path) {
        rc = PL_EINVAL;
        snprintf(s->err, sizeof s->err, "sqlite: empty path");
        goto out;
    }
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "sqlite: cannot open %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        rc = PL_EIO;
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_create_function(s->db, "parley_unhex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_unhex32, NULL, NULL);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* journal_mode=WAL is persistent in the file; the others are per
     * connection. synchronous=FULL: WAL commits are fsynced. */
    if ((rc = set_wal(s)) ||
        (rc = sq_exec(s, sync)) ||
        (rc = sq_exec(s, "PRAGMA foreign_keys = ON")) ||
        (rc = sq_exec(s, "PRAGMA secure_delete = ON")))
        goto out;
    *out = &s->base;
    s = NULL;
out:
    if (s) {
        if (err)
            *err = xstrdup(s->err);
        sq__close(&s->base);
    }
    free(path);
    return rc;
}
