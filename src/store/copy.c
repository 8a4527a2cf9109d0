/* copy.c — store_copy(): every row of a SQLite Parley database into an
 * empty PostgreSQL one (`parley copy`, docs/cli/copy.md).
 *
 * Generic over the schema: the tables and columns come from the two
 * catalogs (pragma_table_list / pragma_table_info on SQLite, pg_class /
 * pg_attribute on PostgreSQL), so a migration that adds a table or a
 * column needs nothing here. What only one side has by design is left
 * out: SQLite's own tables and the FTS5 tables (PostgreSQL indexes text
 * with GIN expression indexes, built from the rows), generated columns
 * (kb_articles.tsv) and schema_migrations, which both sides fill when
 * they migrate. Anything else present on one side only is a mismatch.
 *
 * Speed: each table is one SELECT in rowid order on SQLite streamed into
 * one COPY ... FROM STDIN (text format) in 1 MiB chunks, so memory does
 * not grow with the table. The target's secondary indexes (the GIN
 * full-text ones above all) and foreign keys are dropped for the load and
 * put back from the rows at the end (docs/benchmarks.md has the figures);
 * the tables are emptied with TRUNCATE first so COPY can write frozen rows
 * (no later hint-bit writes or anti-wraparound vacuum of 15 M events);
 * long values are compressed with lz4 when the server has it (tune()).
 *
 * All or nothing: everything on the target, DDL included, is one
 * transaction; the source is read in one read transaction (a snapshot). */
#include "store/store.h"
#include "store/store_internal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK (1u << 20)            /* bytes per PQputCopyData() */
#define PROGRESS_NS 2000000000LL         /* a progress line at most every 2 s */
#define INDEX_MEMORY "'512MB'"           /* maintenance_work_mem for the index builds */

/* The tables of the namespace search_path resolves to (tests use one
 * schema each). */
#define PG_NS "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"

struct column {
    char *name;
    int bytea;                  /* PostgreSQL type bytea: values go as \\x hex */
    int in_target;
};

struct table {
    char *name;
    struct column *cols;        /* in SQLite's order */
    size_t ncols;
    int without_rowid;
    int64_t sqlite_seq;         /* sqlite_sequence (AUTOINCREMENT), 0 = none */
    int in_target;
};

struct copy {
    sqlite3 *src;
    PGconn *dst;
    struct table *tables;       /* by name */
    size_t ntables;
    char **rebuild;             /* what puts back the dropped indexes and foreign keys */
    size_t nrebuild;
    store_copy_progress_fn *progress;
    void *ctx;
    char *err;
};

static void say(struct copy *c, const char *step, int64_t rows, int64_t t0, int done)
{
    if (c->progress)
        c->progress(c->ctx, step, rows, (double)(clock_mono_ns() - t0) / 1e9, done);
}

static int fail(struct copy *c, int rc, char *msg)
{
    if (!c->err)
        c->err = msg;
    else
        free(msg);
    return rc;
}

static int pg_fail(struct copy *c, PGresult *r, const char *what)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c->dst);
    int n = (int)strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    fail(c, PL_EDB, xasprintf("postgresql: %s: %.*s", what, n, m));
    PQclear(r);
    return PL_EDB;
}

/* Runs sql on the target (params: text, may be NULL); the result or NULL
 * with c->err set. */
static PGresult *pg_query(struct copy *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c->dst, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return r;
    pg_fail(c, r, sql);
    return NULL;
}

static int pg_do(struct copy *c, const char *sql)
{
    PGresult *r = pg_query(c, sql, 0, NULL);
    PQclear(r);
    return r ? 0 : PL_EDB;
}

static int sq_fail(struct copy *c, const char *what)
{
    return fail(c, PL_EDB, xasprintf("sqlite: %s: %s", what, sqlite3_errmsg(c->src)));
}

static void quote_sqlite(struct buf *b, const char *name)
{
    buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

static void quote_pg(struct copy *c, struct buf *b, const char *name)
{
    char *q = PQescapeIdentifier(c->dst, name, strlen(name));
    buf_puts(b, q ? q : name);
    PQfreemem(q);
}

static struct table *find_table(struct copy *c, const char *name)
{
    for (size_t i = 0; i < c->ntables; i++)
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i];
    return NULL;
}

static struct column *find_column(struct table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

/* ---- the two catalogs ----------------------------------------------- */

static int sqlite_columns(struct copy *c, struct table *t)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->src, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1,
                           &q, NULL) != SQLITE_OK)
        return sq_fail(c, "reading the columns");
    sqlite3_bind_text(q, 1, t->name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
        t->cols[t->ncols++] = (struct column){xstrdup((const char *)sqlite3_column_text(q, 0)), 0};
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : sq_fail(c, "reading the columns");
}

/* The source's tables, with their columns and AUTOINCREMENT counters. */
static int sqlite_tables(struct copy *c)
{
    static const char sql[] =
        "SELECT l.name, l.wr, coalesce((SELECT s.seq FROM sqlite_sequence s "
        "WHERE s.name = l.name), 0) FROM pragma_table_list l "
        "WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' AND l.name <> 'schema_migrations' ORDER BY l.name";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(c->src, sql, -1, &q, NULL) != SQLITE_OK)
        return sq_fail(c, "reading the tables");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof *c->tables);
        c->tables[c->ntables++] = (struct table){
            .name = xstrdup((const char *)sqlite3_column_text(q, 0)),
            .without_rowid = sqlite3_column_int(q, 1),
            .sqlite_seq = sqlite3_column_int64(q, 2),
        };
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return sq_fail(c, "reading the tables");
    for (size_t i = 0; i < c->ntables; i++)
        if ((rc = sqlite_columns(c, &c->tables[i])))
            return rc;
    return 0;
}

/* Checks the target's tables and columns against the source's: the same
 * tables, each with the same columns (in any order); marks bytea ones. */
static int match_target(struct copy *c)
{
    PGresult *r = pg_query(c,
        "SELECT t.relname, a.attname, a.atttypid = 'bytea'::regtype FROM pg_class t "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "AND a.attgenerated = '' WHERE t.relnamespace = " PG_NS " AND t.relkind IN ('r', 'p') "
        "AND t.relname <> 'schema_migrations' ORDER BY t.relname, a.attnum", 0, NULL);
    if (!r)
        return PL_EDB;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        const char *tn = PQgetvalue(r, i, 0), *cn = PQgetvalue(r, i, 1);
        struct table *t = find_table(c, tn);
        struct column *col = t ? find_column(t, cn) : NULL;
        if (!t)
            rc = fail(c, PL_ESTATE, xasprintf("schema mismatch: table %s is in the target "
                                              "but not in the source", tn));
        else if (!col)
            rc = fail(c, PL_ESTATE, xasprintf("schema mismatch: column %s.%s is in the target "
                                              "but not in the source", tn, cn));
        else {
            t->in_target = 1;
            col->in_target = 1;
            col->bytea = strcmp(PQgetvalue(r, i, 2), "t") == 0;
        }
    }
    PQclear(r);
    for (size_t i = 0; i < c->ntables && !rc; i++) {
        struct table *t = &c->tables[i];
        if (!t->in_target)
            return fail(c, PL_ESTATE, xasprintf("schema mismatch: table %s is in the source "
                                                "but not in the target", t->name));
        for (size_t j = 0; j < t->ncols; j++)
            if (!t->cols[j].in_target)
                return fail(c, PL_ESTATE, xasprintf("schema mismatch: column %s.%s is in the "
                                                    "source but not in the target", t->name,
                                                    t->cols[j].name));
    }
    return rc;
}

/* The target must hold no row in any table; then TRUNCATE (which lets
 * COPY FREEZE write frozen rows, and takes every table's lock). */
static int check_empty(struct copy *c)
{
    struct buf b = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < c->ntables && !rc; i++) {
        buf_reset(&b);
        buf_puts(&b, "SELECT EXISTS (SELECT 1 FROM ");
        quote_pg(c, &b, c->tables[i].name);
        buf_puts(&b, ")");
        PGresult *r = pg_query(c, b.ptr, 0, NULL);
        if (!r) {
            rc = PL_EDB;
            break;
        }
        if (strcmp(PQgetvalue(r, 0, 0), "t") == 0)
            rc = fail(c, PL_EEXISTS, xasprintf("the target is not empty (table %s has rows): "
                                               "copy only into a new, empty database",
                                               c->tables[i].name));
        PQclear(r);
    }
    if (!rc) {
        buf_reset(&b);
        buf_puts(&b, "TRUNCATE ");
        for (size_t i = 0; i < c->ntables; i++) {
            if (i)
                buf_puts(&b, ", ");
            quote_pg(c, &b, c->tables[i].name);
        }
        rc = pg_do(c, b.ptr);
    }
    buf_release(&b);
    return rc;
}

/* Drops the target's foreign keys and the indexes that no constraint
 * owns, keeping their definitions for rebuild(): building an index from
 * all the rows beats maintaining it row by row (the GIN full-text ones
 * above all), and one anti-join validating a foreign key beats a lookup
 * and a row lock on the parent per row. Primary keys and UNIQUE
 * constraints stay: duplicates are refused as they arrive. */
static int drop_secondary(struct copy *c)
{
    PGresult *r = pg_query(c,
        "SELECT 'DROP INDEX ' || quote_ident(n.nspname) || '.' || quote_ident(i.relname), "
        "pg_get_indexdef(x.indexrelid), 1 AS o FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace "
        "WHERE i.relnamespace = " PG_NS " AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
        "WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid) "
        "UNION ALL SELECT 'ALTER TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) "
        "|| ' DROP CONSTRAINT ' || quote_ident(k.conname), "
        "'ALTER TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) "
        "|| ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), 2 "
        "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE k.contype = 'f' AND k.connamespace = " PG_NS " ORDER BY 3, 1", 0, NULL);
    if (!r)
        return PL_EDB;
    int rc = 0;
    c->rebuild = xcalloc((size_t)PQntuples(r) + 1, sizeof *c->rebuild);
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        rc = pg_do(c, PQgetvalue(r, i, 0));
        c->rebuild[c->nrebuild++] = xstrdup(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    return rc;
}

/* Settings of this transaction only: memory for the index builds, and
 * lz4 for compressing the long values (the JSON of events and triage)
 * when the server has it: twice the rows/s of the default pglz for events
 * and tickets at 20k tickets; values read back the same whichever method
 * stored them, and later writes use the server's default again. */
static int tune(struct copy *c)
{
    PGresult *r = pg_query(c, "SELECT 'lz4' = ANY (enumvals) FROM pg_settings "
                              "WHERE name = 'default_toast_compression'", 0, NULL);
    if (!r)
        return PL_EDB;
    int lz4 = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (lz4 && pg_do(c, "SET LOCAL default_toast_compression = lz4"))
        return PL_EDB;
    return pg_do(c, "SET LOCAL maintenance_work_mem = " INDEX_MEMORY);
}

/* Indexes first: validating a foreign key may use them. */
static int rebuild(struct copy *c)
{
    int64_t t0 = clock_mono_ns(), next = t0 + PROGRESS_NS;
    int rc = 0;
    for (size_t i = 0; i < c->nrebuild && !rc; i++) {
        int last = i + 1 == c->nrebuild;
        if ((rc = pg_do(c, c->rebuild[i])) != 0 || (!last && clock_mono_ns() < next))
            continue;
        say(c, "indexes", (int64_t)i + 1, t0, last);
        next = clock_mono_ns() + PROGRESS_NS;
    }
    return rc;
}

/* ---- the rows -------------------------------------------------------- */

/* Appends bytes in COPY text format: backslash, tab, newline and CR are
 * escaped, everything else goes as it is. */
static void put_text(struct buf *b, const unsigned char *p, size_t n)
{
    buf_grow(b, 2 * n);
    char *o = b->ptr + b->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        switch (ch) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        default: *o++ = (char)ch; break;
        }
    }
    b->len = (size_t)(o - b->ptr);
    b->ptr[b->len] = '\0';
}

/* bytea in hex input format, its backslash escaped for COPY: \\x0a1b... */
static void put_hex(struct buf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    buf_grow(b, 3 + 2 * n);
    char *o = b->ptr + b->len;
    *o++ = '\\';
    *o++ = '\\';
    *o++ = 'x';
    for (size_t i = 0; i < n; i++) {
        *o++ = digits[p[i] >> 4];
        *o++ = digits[p[i] & 15];
    }
    b->len = (size_t)(o - b->ptr);
    b->ptr[b->len] = '\0';
}

/* One value of column i of the current row, by its SQLite storage class:
 * REAL with 17 digits so the double comes back bit for bit. */
static void put_value(struct buf *b, sqlite3_stmt *q, int i, const struct column *col)
{
    switch (sqlite3_column_type(q, i)) {
    case SQLITE_NULL:
        buf_puts(b, "\\N");
        break;
    case SQLITE_INTEGER:
        buf_printf(b, "%lld", (long long)sqlite3_column_int64(q, i));
        break;
    case SQLITE_FLOAT:
        buf_printf(b, "%.17g", sqlite3_column_double(q, i));
        break;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(q, i);
        size_t n = (size_t)sqlite3_column_bytes(q, i);
        if (col->bytea)
            put_hex(b, p, n);
        else
            put_text(b, p, n);
        break;
    }
    default: {
        const unsigned char *p = sqlite3_column_text(q, i);
        size_t n = (size_t)sqlite3_column_bytes(q, i);
        if (col->bytea)
            put_hex(b, p, n);
        else
            put_text(b, p, n);
        break;
    }
    }
}

/* The SELECT on the source and the COPY on the target, same columns. */
static void table_sql(struct copy *c, const struct table *t, struct buf *sel, struct buf *cp)
{
    buf_puts(sel, "SELECT ");
    buf_puts(cp, "COPY ");
    quote_pg(c, cp, t->name);
    buf_puts(cp, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        if (i) {
            buf_puts(sel, ", ");
            buf_puts(cp, ", ");
        }
        quote_sqlite(sel, t->cols[i].name);
        quote_pg(c, cp, t->cols[i].name);
    }
    buf_puts(sel, " FROM ");
    quote_sqlite(sel, t->name);
    if (!t->without_rowid)
        buf_puts(sel, " ORDER BY rowid");
    buf_puts(cp, ") FROM STDIN WITH (FREEZE)");
}

static int put_chunk(struct copy *c, struct buf *b)
{
    if (PQputCopyData(c->dst, b->ptr, (int)b->len) != 1)
        return pg_fail(c, NULL, "COPY");
    buf_reset(b);
    return 0;
}

/* Streams the rows of q into the COPY in progress; *rows counts them. */
static int stream_rows(struct copy *c, const struct table *t, sqlite3_stmt *q, int64_t *rows)
{
    struct buf b = BUF_INIT;
    int64_t t0 = clock_mono_ns(), next = t0 + PROGRESS_NS;
    int rc = 0, step;
    buf_grow(&b, COPY_CHUNK + 4096);
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                buf_putc(&b, '\t');
            put_value(&b, q, (int)i, &t->cols[i]);
        }
        buf_putc(&b, '\n');
        ++*rows;
        if (b.len >= COPY_CHUNK)
            rc = put_chunk(c, &b);
        if ((*rows & 1023) == 0 && clock_mono_ns() >= next) {
            say(c, t->name, *rows, t0, 0);
            next = clock_mono_ns() + PROGRESS_NS;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(c, t->name);
    if (!rc && b.len)
        rc = put_chunk(c, &b);
    buf_release(&b);
    return rc;
}

/* Ends the COPY (aborted with a message when rc != 0) and collects its
 * result. */
static int end_copy(struct copy *c, int rc, const char *table)
{
    if (PQputCopyEnd(c->dst, rc ? "parley copy: reading the source failed" : NULL) != 1 && !rc)
        rc = pg_fail(c, NULL, table);
    PGresult *r;
    while ((r = PQgetResult(c->dst)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc) {
            char *what = xasprintf("COPY %s", table);
            rc = pg_fail(c, r, what);
            free(what);
            continue;
        }
        PQclear(r);
    }
    return rc;
}

static int copy_table(struct copy *c, struct table *t, int64_t *total)
{
    struct buf sel = BUF_INIT, cp = BUF_INIT;
    sqlite3_stmt *q = NULL;
    int64_t rows = 0, t0 = clock_mono_ns();
    int rc = 0;

    table_sql(c, t, &sel, &cp);
    if (sqlite3_prepare_v2(c->src, sel.ptr, -1, &q, NULL) != SQLITE_OK) {
        rc = sq_fail(c, t->name);
        goto out;
    }
    PGresult *r = PQexec(c->dst, cp.ptr);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        rc = pg_fail(c, r, cp.ptr);
        goto out;
    }
    PQclear(r);
    rc = end_copy(c, stream_rows(c, t, q, &rows), t->name);
    if (!rc) {
        *total += rows;
        say(c, t->name, rows, t0, 1);
    }
out:
    sqlite3_finalize(q);
    buf_release(&sel);
    buf_release(&cp);
    return rc;
}

/* ---- after the rows -------------------------------------------------- */

/* Sets every sequence owned by a column (BIGSERIAL, identity) to the
 * largest id copied, or to SQLite's AUTOINCREMENT counter when that is
 * higher (an event id is never handed out twice): new rows continue. */
static int set_sequences(struct copy *c)
{
    PGresult *r = pg_query(c,
        "SELECT t.relname, a.attname, s.seq FROM pg_class t JOIN pg_attribute a "
        "ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "CROSS JOIN LATERAL (SELECT pg_get_serial_sequence(quote_ident(current_schema()) || '.' "
        "|| quote_ident(t.relname), a.attname) AS seq) s "
        "WHERE t.relnamespace = " PG_NS " AND t.relkind IN ('r', 'p') AND s.seq IS NOT NULL",
        0, NULL);
    if (!r)
        return PL_EDB;
    struct buf b = BUF_INIT;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        struct table *t = find_table(c, PQgetvalue(r, i, 0));
        char floor[24];
        snprintf(floor, sizeof floor, "%lld", (long long)(t ? t->sqlite_seq : 0));
        const char *v[2] = {PQgetvalue(r, i, 2), floor};
        buf_reset(&b);
        buf_puts(&b, "SELECT setval($1::regclass, n) FROM (SELECT greatest(max(");
        quote_pg(c, &b, PQgetvalue(r, i, 1));
        buf_puts(&b, "), $2::bigint) AS n FROM ");
        quote_pg(c, &b, PQgetvalue(r, i, 0));
        buf_puts(&b, ") m WHERE n > 0");
        PGresult *s = pg_query(c, b.ptr, 2, v);
        rc = s ? 0 : PL_EDB;
        PQclear(s);
    }
    buf_release(&b);
    PQclear(r);
    return rc;
}

/* Planner statistics now, rather than whenever autovacuum comes: the
 * first dashboard on the new database is planned with them. */
static int analyze(struct copy *c)
{
    int64_t t0 = clock_mono_ns();
    struct buf b = BUF_INIT;
    buf_puts(&b, "ANALYZE ");
    for (size_t i = 0; i < c->ntables; i++) {
        if (i)
            buf_puts(&b, ", ");
        quote_pg(c, &b, c->tables[i].name);
    }
    int rc = pg_do(c, b.ptr);
    buf_release(&b);
    if (!rc)
        say(c, "analyze", (int64_t)c->ntables, t0, 1);
    return rc;
}

static int check_versions(struct store *from, struct store *to, struct copy *c)
{
    int vf = 0, vt = 0;
    if (from->ops->schema_version(from, &vf) || to->ops->schema_version(to, &vt))
        return fail(c, PL_EDB, xstrdup("cannot read the schema versions"));
    if (vf != vt)
        return fail(c, PL_ESTATE, xasprintf("schema versions differ: the source is at %d, the "
                                            "target at %d (open both with this build)", vf, vt));
    return 0;
}

static int load(struct copy *c, int64_t *rows)
{
    int rc = 0;
    if ((rc = sqlite_tables(c)) || (rc = match_target(c)) || (rc = check_empty(c)) ||
        (rc = tune(c)) || (rc = drop_secondary(c)))
        return rc;
    for (size_t i = 0; i < c->ntables && !rc; i++)
        rc = copy_table(c, &c->tables[i], rows);
    if (!rc && !(rc = rebuild(c)) && !(rc = set_sequences(c)))
        rc = analyze(c);
    return rc;
}

static void copy_release(struct copy *c)
{
    for (size_t i = 0; i < c->ntables; i++) {
        for (size_t j = 0; j < c->tables[i].ncols; j++)
            free(c->tables[i].cols[j].name);
        free(c->tables[i].cols);
        free(c->tables[i].name);
    }
    free(c->tables);
    for (size_t i = 0; i < c->nrebuild; i++)
        free(c->rebuild[i]);
    free(c->rebuild);
}

int store_copy(struct store *from, struct store *to, store_copy_progress_fn *progress,
               void *ctx, int64_t *rows, char **err)
{
    struct copy c = {.src = store__sqlite_db(from), .dst = store__pg_conn(to),
                     .progress = progress, .ctx = ctx};
    int rc = 0;

    *rows = 0;
    if (!c.src || !c.dst) {
        rc = fail(&c, PL_EINVAL, xstrdup(!c.src ? "the source must be a SQLite database"
                                                : "the target must be a PostgreSQL database"));
        goto out;
    }
    if ((rc = check_versions(from, to, &c)))
        goto out;
    if (sqlite3_exec(c.src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = sq_fail(&c, "BEGIN");
        goto out;
    }
    if ((rc = to->ops->begin(to)) != 0) {
        fail(&c, rc, xasprintf("postgresql: %s", to->ops->errmsg(to)));
    } else if ((rc = load(&c, rows)) != 0) {
        to->ops->rollback(to);
    } else if ((rc = to->ops->commit(to)) != 0) {
        fail(&c, rc, xasprintf("postgresql: COMMIT: %s", to->ops->errmsg(to)));
    }
    sqlite3_exec(c.src, "ROLLBACK", NULL, NULL, NULL);
out:
    if (rc && err)
        *err = c.err ? c.err : xstrdup(parley_strerror(rc));
    else
        free(c.err);
    copy_release(&c);
    return rc;
}
