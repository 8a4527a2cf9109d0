/* testdb.h — a fresh, empty database for one test, on the backend the run
 * names in PARLEY_TEST_DB:
 *   - unset (or not a PostgreSQL URL): a SQLite file in a new temporary
 *     directory, removed afterwards with everything beside it;
 *   - postgresql://...: a new uniquely named schema (CREATE SCHEMA, then
 *     options=-csearch_path=<schema> in the URL), dropped with CASCADE
 *     afterwards, so runs never see each other's rows.
 * Shared by the storage suite and the desk tests that run on both. */
#ifndef PARLEY_TESTS_STORE_TESTDB_H
#define PARLEY_TESTS_STORE_TESTDB_H

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

struct testdb {
    char *url;                 /* what store_open() / desk_open() get */
    char *dir;                 /* SQLite: the temporary directory */
    char *schema;              /* PostgreSQL: the schema's name */
    PGconn *admin;             /* PostgreSQL: creates and drops the schema */
};

static inline int testdb_is_pg(const char *url)
{
    return url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0);
}

/* Runs fmt with the schema's name in it; 0, or -1 with the reason on stderr. */
static inline int testdb_schema_sql(struct testdb *t, const char *fmt)
{
    char *sql = xasprintf(fmt, t->schema, t->schema);
    PGresult *r = PQexec(t->admin, sql);
    free(sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "testdb: %s", PQerrorMessage(t->admin));
    PQclear(r);
    return ok ? 0 : -1;
}

/* Makes an empty database; tag names its schema or directory. 0, or -1
 * with the reason on stderr. */
static inline int testdb_make(struct testdb *t, const char *tag)
{
    static unsigned counter;
    const char *env = getenv("PARLEY_TEST_DB");
    memset(t, 0, sizeof *t);
    if (testdb_is_pg(env)) {
        t->admin = PQconnectdb(env);
        if (PQstatus(t->admin) != CONNECTION_OK) {
            fprintf(stderr, "testdb: cannot connect to %s: %s", env, PQerrorMessage(t->admin));
            return -1;
        }
        PQclear(PQexec(t->admin, "SET client_min_messages = warning"));
        t->schema = xasprintf("parley_%s_%ld_%u_%ld", tag, (long)getpid(), ++counter,
                              (long)time(NULL));
        if (testdb_schema_sql(t, "CREATE SCHEMA %s"))
            return -1;
        t->url = xasprintf("%s%coptions=-csearch_path%%3D%s", env, strchr(env, '?') ? '&' : '?',
                           t->schema);
    } else {
        char *tmpl = xasprintf("/tmp/parley-%s-XXXXXX", tag);
        if (!mkdtemp(tmpl)) {
            free(tmpl);
            return -1;
        }
        t->dir = tmpl;
        t->url = xasprintf("sqlite:%s/test.db", t->dir);
    }
    return 0;
}

/* Removes every file of the SQLite directory (the database, its WAL, and
 * whatever was kept beside it: keys, snapshots, the writer's lock). */
static inline void testdb_clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
}

/* Makes it empty again: a new schema, or no files. */
static inline int testdb_empty(struct testdb *t)
{
    if (t->schema)
        return testdb_schema_sql(t, "DROP SCHEMA %s CASCADE; CREATE SCHEMA %s");
    testdb_clear_dir(t->dir);
    return 0;
}

/* Removes it and frees t's strings. */
static inline void testdb_drop(struct testdb *t)
{
    if (t->admin) {
        testdb_schema_sql(t, "DROP SCHEMA %s CASCADE");
        PQfinish(t->admin);
    }
    if (t->dir) {
        testdb_clear_dir(t->dir);
        rmdir(t->dir);
    }
    free(t->dir);
    free(t->schema);
    free(t->url);
    memset(t, 0, sizeof *t);
}

#endif
