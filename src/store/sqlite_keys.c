/* sqlite_keys.c — the SQLite backend's personal-data keys and erasure.
 *
 * Erasure has to leave nothing readable in the file: connections run with
 * secure_delete on (sqlite.c), so the cells and overflow pages an UPDATE
 * frees are zeroed; the FTS5 indexes only record a deletion until their
 * segments merge, so they are optimized (merged) in the same transaction;
 * and the WAL, which still holds the old pages, is checkpointed and
 * truncated by sq__scrub() after the commit. */
#include "store/sqlite_internal.h"
#include "store/keys_internal.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>

int sq__customer_key_get(struct store *st, int64_t customer_id, char **wrapped,
                         int64_t *erased_at)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CKEY_GET);
    *wrapped = NULL;
    bind_i64(q, 1, customer_id);
    int rc = sq__next(s, q);
    if (rc == 1) {
        *wrapped = col_str(q, 0);
        *erased_at = col_i64(q, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = PL_ENOTFOUND;
    }
    done(q);
    return rc;
}

int sq__customer_key_insert(struct store *st, int64_t customer_id, const char *wrapped,
                            int64_t created_at)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_CKEY_INSERT);
    bind_i64(q, 1, customer_id);
    bind_text(q, 2, wrapped);
    bind_i64(q, 3, created_at);
    return sq__run(s, q);
}

/* Runs statement id for (customer_id, tombstone, now); *changed gets the
 * number of rows it touched. */
static int erase_step(struct sq *s, enum sid id, int64_t customer_id, const char *tombstone,
                      int64_t now, int64_t *changed)
{
    STMT_OR_FAIL(q, s, id);
    bind_i64(q, 1, customer_id);
    int np = sqlite3_bind_parameter_count(q);
    if (np >= 2)
        bind_text(q, 2, tombstone);
    if (np >= 3)
        bind_i64(q, 3, now);
    int rc = sq__run(s, q);
    if (rc == 0 && changed)
        *changed = sqlite3_changes(s->db);
    return rc;
}

int sq__customer_erase(struct store *st, int64_t customer_id, const char *tombstone,
                       int64_t now, int64_t *tickets, int64_t *messages)
{
    struct sq *s = SQ(st);
    int64_t found = 0;
    int rc;
    *tickets = *messages = 0;
    /* The tombstones' update triggers replace entries: make them all first. */
    if ((rc = sq__fts_flush(s)))
        return rc;
    if ((rc = erase_step(s, S_ERASE_CUSTOMER, customer_id, tombstone, now, &found)))
        return rc;
    if (!found)
        return PL_ENOTFOUND;
    /* Votes, disputes, attachments and messages first: they are found through the
     * customer's tickets. */
    if ((rc = erase_step(s, S_ERASE_VOTES, customer_id, tombstone, now, NULL)) ||
        (rc = erase_step(s, S_ERASE_DISPUTES, customer_id, tombstone, now, NULL)) ||
        (rc = erase_step(s, S_ERASE_ATTACHMENTS, customer_id, tombstone, now, NULL)) ||
        (rc = erase_step(s, S_ERASE_MESSAGES, customer_id, tombstone, now, messages)) ||
        (rc = erase_step(s, S_ERASE_TICKETS, customer_id, tombstone, now, tickets)) ||
        (rc = erase_step(s, S_ERASE_IDENTITIES, customer_id, tombstone, now, NULL)) ||
        (rc = erase_step(s, S_CKEY_DESTROY, customer_id, tombstone, now, NULL)))
        return rc;
    static const enum sid fts[] = {S_FTS_OPT_MESSAGES, S_FTS_OPT_TICKETS, S_FTS_OPT_CUSTOMERS};
    for (size_t i = 0; i < sizeof fts / sizeof fts[0]; i++) {
        STMT_OR_FAIL(q, s, fts[i]);
        if ((rc = sq__run(s, q)))
            return rc;
    }
    return 0;
}

int sq__customer_merged(struct store *st, int64_t into, int64_t **ids, size_t *n)
{
    struct sq *s = SQ(st);
    STMT_OR_FAIL(q, s, S_MERGED_INTO);
    size_t cap = 0;
    int rc;
    *ids = NULL;
    *n = 0;
    bind_i64(q, 1, into);
    while ((rc = sq__next(s, q)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *ids = xrealloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = col_i64(q, 0);
    }
    done(q);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

/* TRUNCATE waits (busy handler) for readers still on older snapshots,
 * copies every page back into the database file and empties the WAL. */
int sq__scrub(struct store *st)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = sq__prepare(s, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!q)
        return PL_EDB;
    int rc = sq__next(s, q);
    int busy = rc == 1 && sqlite3_column_int(q, 0) != 0;
    sqlite3_finalize(q);
    if (rc < 0)
        return rc;
    if (busy) {
        snprintf(s->err, sizeof s->err, "the WAL could not be emptied: readers still busy");
        return PL_EBUSY;
    }
    return 0;
}
