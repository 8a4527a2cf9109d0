/* postgres_keys.c — the PostgreSQL backend's personal-data keys and
 * erasure.
 *
 * An UPDATE leaves the old row version (and its GIN index entries) in
 * the table until VACUUM; pg__scrub() vacuums the tables erasure touches
 * once it has committed. What VACUUM cannot reach — WAL segments not yet
 * recycled, archives, replicas, backups — is the operator's to expire
 * (docs/ledger.md "Erasure"). */
#include "store/postgres_internal.h"
#include "store/keys_internal.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

int pg__customer_key_get(struct store *st, int64_t customer_id, char **wrapped,
                         int64_t *erased_at)
{
    struct pg *p = PG(st);
    struct args a = {0};
    int rc;
    *wrapped = NULL;
    a_i64(&a, customer_id);
    PGresult *r = pg__exec(p, P_CKEY_GET, &a, &rc);
    if (!r)
        return rc;
    if (PQntuples(r) > 0) {
        *wrapped = col_str(r, 0, 0);
        *erased_at = col_i64(r, 0, 1);
    } else {
        rc = PL_ENOTFOUND;
    }
    PQclear(r);
    return rc;
}

int pg__customer_key_insert(struct store *st, int64_t customer_id, const char *wrapped,
                            int64_t created_at)
{
    struct args a = {0};
    int rc;
    a_i64(&a, customer_id);
    a_str(&a, wrapped);
    a_i64(&a, created_at);
    PGresult *r = pg__exec(PG(st), P_CKEY_INSERT, &a, &rc);
    if (r)
        PQclear(r);
    return rc;
}

/* Runs statement id with a's parameters; *changed (optional) gets the
 * number of rows it touched. */
static int erase_step(struct pg *p, enum pid id, const struct args *a, int64_t *changed)
{
    int rc;
    PGresult *r = pg__exec(p, id, a, &rc);
    if (!r)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

int pg__customer_erase(struct store *st, int64_t customer_id, const char *tombstone,
                       int64_t now, int64_t *tickets, int64_t *messages)
{
    struct pg *p = PG(st);
    struct args id = {0}, id_text = {0}, id_text_now = {0}, id_now = {0};
    int64_t found = 0;
    int rc;
    *tickets = *messages = 0;
    a_i64(&id, customer_id);
    a_i64(&id_text, customer_id);
    a_str(&id_text, tombstone);
    a_i64(&id_text_now, customer_id);
    a_str(&id_text_now, tombstone);
    a_i64(&id_text_now, now);
    a_i64(&id_now, customer_id);
    a_i64(&id_now, now);
    if ((rc = erase_step(p, P_ERASE_CUSTOMER, &id_text_now, &found)))
        return rc;
    if (!found)
        return PL_ENOTFOUND;
    /* Votes, disputes, attachments and messages first: they are found through the
     * customer's tickets. */
    if ((rc = erase_step(p, P_ERASE_VOTES, &id_text, NULL)) ||
        (rc = erase_step(p, P_ERASE_DISPUTES, &id_text, NULL)) ||
        (rc = erase_step(p, P_ERASE_ATTACHMENTS, &id, NULL)) ||
        (rc = erase_step(p, P_ERASE_MESSAGES, &id_text, messages)) ||
        (rc = erase_step(p, P_ERASE_TICKETS, &id_text, tickets)) ||
        (rc = erase_step(p, P_ERASE_IDENTITIES, &id, NULL)))
        return rc;
    return erase_step(p, P_CKEY_DESTROY, &id_now, NULL);
}

int pg__customer_merged(struct store *st, int64_t into, int64_t **ids, size_t *n)
{
    struct args a = {0};
    int rc;
    *ids = NULL;
    *n = 0;
    a_i64(&a, into);
    PGresult *r = pg__exec(PG(st), P_MERGED_INTO, &a, &rc);
    if (!r)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0) {
        *ids = xmalloc((size_t)rows * sizeof **ids);
        for (int i = 0; i < rows; i++)
            (*ids)[i] = col_i64(r, i, 0);
        *n = (size_t)rows;
    }
    PQclear(r);
    return 0;
}

int pg__scrub(struct store *st)
{
    struct pg *p = PG(st);
    pg__check_conn(p);
    PGresult *r = PQexec(p->conn, "VACUUM customers, identities, tickets, messages, "
                                  "customer_keys");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return pg__fail(p, r);
    PQclear(r);
    return 0;
}
