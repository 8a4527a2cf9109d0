/* import.c — CSV import of historical tickets: validate everything, then
 * write everything in one transaction. */
#include "desk/import.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 100

enum col { C_TICKET, C_CREATED, C_DIRECTION, C_BODY, C_CHANNEL, C_EMAIL, C_PHONE, C_HANDLE,
           C_NAME, C_SUBJECT, C_CATEGORY, C_AUTHOR, C_STATUS, C_PRIORITY, C__COUNT };

static const char *const col_names[C__COUNT] = {
    "ticket", "created_at", "direction", "body", "channel", "customer_email",
    "customer_phone", "customer_handle", "customer_name", "subject", "category",
    "author_email", "status", "priority"};

struct row {
    long line;
    char *f[C__COUNT];              /* NULL when the cell is empty or absent */
    int64_t at;
    enum message_kind kind;
    enum channel channel;
    enum identity_kind id_kind;
    const char *id_value;
    int has_status, has_priority;
    enum ticket_status status;
    enum priority priority;
};

void desk_import_error(struct desk_import_report *rep, const char *fmt, ...)
{
    rep->nerrors++;
    if (rep->nerrors > MAX_ERRORS)
        return;
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rep->errors = xrealloc(rep->errors, (size_t)rep->nerrors * sizeof *rep->errors);
    rep->errors[rep->nerrors - 1] = xstrdup(msg);
}

void desk_import_report_clear(struct desk_import_report *rep)
{
    long n = rep->nerrors < MAX_ERRORS ? rep->nerrors : MAX_ERRORS;
    for (long i = 0; i < n; i++)
        free(rep->errors[i]);
    free(rep->errors);
    memset(rep, 0, sizeof *rep);
}

static void row_free(struct row *r)
{
    for (int c = 0; c < C__COUNT; c++)
        free(r->f[c]);
}

/* Validates one row in place; reports problems; returns 0 when usable. */
static int check_row(struct row *r, struct desk_import_report *rep)
{
    int bad = 0;
    if (!r->f[C_TICKET])
        desk_import_error(rep, "line %ld: 'ticket' is empty", r->line), bad = 1;
    if (!r->f[C_BODY])
        desk_import_error(rep, "line %ld: 'body' is empty", r->line), bad = 1;
    if (!r->f[C_CREATED] || clock_parse(r->f[C_CREATED], &r->at))
        desk_import_error(rep, "line %ld: 'created_at' is not an ISO 8601 date: '%s'", r->line,
               r->f[C_CREATED] ? r->f[C_CREATED] : ""), bad = 1;
    r->kind = MESSAGE_INBOUND;
    if (r->f[C_DIRECTION] && message_kind_parse(r->f[C_DIRECTION], &r->kind))
        desk_import_error(rep, "line %ld: 'direction' must be inbound, reply or note, not '%s'", r->line,
               r->f[C_DIRECTION]), bad = 1;
    r->channel = CHANNEL_EMAIL;
    if (r->f[C_CHANNEL] && channel_parse(r->f[C_CHANNEL], &r->channel))
        desk_import_error(rep, "line %ld: unknown channel '%s'", r->line, r->f[C_CHANNEL]), bad = 1;
    if (r->kind == MESSAGE_INBOUND) {
        static const struct { enum col c; enum identity_kind k; } ids[] = {
            {C_EMAIL, IDENTITY_EMAIL}, {C_PHONE, IDENTITY_PHONE}, {C_HANDLE, IDENTITY_HANDLE}};
        r->id_value = NULL;
        for (size_t i = 0; i < sizeof ids / sizeof ids[0] && !r->id_value; i++)
            if (r->f[ids[i].c]) {
                r->id_kind = ids[i].k;
                r->id_value = r->f[ids[i].c];
                char *tmp = xstrdup(r->id_value);
                if (identity_normalize(r->id_kind, tmp))
                    desk_import_error(rep, "line %ld: invalid %s '%s'", r->line, col_names[ids[i].c],
                           r->id_value), bad = 1;
                free(tmp);
            }
        if (!r->id_value)
            desk_import_error(rep, "line %ld: an inbound row needs customer_email, customer_phone or "
                        "customer_handle", r->line), bad = 1;
    } else if (!r->f[C_AUTHOR]) {
        desk_import_error(rep, "line %ld: a %s row needs 'author_email'", r->line,
               message_kind_name(r->kind)), bad = 1;
    }
    if (r->f[C_STATUS]) {
        r->has_status = 1;
        if (status_parse(r->f[C_STATUS], &r->status))
            desk_import_error(rep, "line %ld: unknown status '%s'", r->line, r->f[C_STATUS]), bad = 1;
    }
    if (r->f[C_PRIORITY]) {
        r->has_priority = 1;
        if (priority_parse(r->f[C_PRIORITY], &r->priority))
            desk_import_error(rep, "line %ld: unknown priority '%s'", r->line, r->f[C_PRIORITY]), bad = 1;
    }
    return bad;
}

/* ---- the write pass ------------------------------------------------------ */

struct key_map {             /* ticket key -> (ticket id, messages so far) */
    char *key;
    int64_t ticket_id;
    long n;
};

struct import_job {
    const struct desk_actor *who;
    struct row *rows;
    long nrows;
    struct desk_import_report *rep;
    void (*progress)(void *, long, long);
    void *ctx;
    struct key_map *map;
    long nmap, capmap;
};

static struct key_map *map_find(struct import_job *j, const char *key)
{
    /* Linear probe over a sorted-by-insertion array is too slow for big
     * files; an open-addressing hash keyed by the ticket string. */
    if (j->capmap == 0)
        return NULL;
    size_t h = 5381;
    for (const char *p = key; *p; p++)
        h = h * 33 + (unsigned char)*p;
    for (long i = 0; i < j->capmap; i++) {
        struct key_map *m = &j->map[(h + (size_t)i) % (size_t)j->capmap];
        if (!m->key || strcmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

static int import_fn(struct desk_tx *tx, void *arg)
{
    struct store *st = tx->st;
    struct import_job *j = arg;
    int rc = 0;
    tx->history = true;
    struct user author = {0};
    for (long i = 0; i < j->nrows; i++) {
        struct row *r = &j->rows[i];
        struct key_map *m = map_find(j, r->f[C_TICKET]);
        char *ext = xasprintf("import:%s:%ld", r->f[C_TICKET], m && m->key ? m->n + 1 : 1);
        int64_t ticket_id = m && m->key ? m->ticket_id : 0;
        struct desk_actor who = *j->who;
        if (r->kind == MESSAGE_INBOUND && ticket_id) {
            /* The customer wrote again on a ticket resolved earlier in the
             * file: the same ticket reopens, as it would live. */
            struct ticket t = {0};
            rc = st->ops->ticket_get(st, ticket_id, &t);
            if (rc == 0 && !status_is_open(t.status)) {
                struct desk_ticket_patch p = {.set_status = true, .status = STATUS_OPEN};
                struct desk_actor sys = DESK_SYSTEM;
                rc = desk_update_ticket_tx(tx, &sys, ticket_id, &p, r->at);
            }
            ticket_clear(&t);
        }
        if (rc) {
            /* falls through to the error report below */
        } else if (r->kind == MESSAGE_INBOUND) {
            char *thread = xasprintf("import:%s", r->f[C_TICKET]);
            struct desk_inbound in = {
                .channel = r->channel, .id_kind = r->id_kind, .id_value = r->id_value,
                .customer_name = r->f[C_NAME], .subject = r->f[C_SUBJECT], .body = r->f[C_BODY],
                .thread = thread, .external_id = ext, .created_at = r->at};
            struct desk_ingest_result res;
            rc = desk_ingest_tx(tx, &who, &in, &res);
            free(thread);
            if (rc == 0) {
                ticket_id = res.ticket_id;
                if (res.new_ticket)
                    j->rep->tickets++;
            }
        } else if (!ticket_id) {
            desk_import_error(j->rep, "line %ld: ticket '%s' starts with a %s; its first row must be inbound",
                   r->line, r->f[C_TICKET], message_kind_name(r->kind));
            rc = PL_EINVAL;
        } else {
            user_clear(&author);
            rc = st->ops->user_get_by_email(st, r->f[C_AUTHOR], &author);
            if (rc == PL_ENOTFOUND)
                desk_import_error(j->rep, "line %ld: no user with e-mail '%s'", r->line, r->f[C_AUTHOR]);
            if (rc == 0) {
                who = (struct desk_actor){ACTOR_USER, author.id, author.role};
                rc = desk_post_tx(tx, &who, ticket_id, r->kind, r->f[C_BODY], r->at, NULL);
            }
        }
        free(ext);
        if (rc == 0 && (r->has_status || r->has_priority || r->f[C_CATEGORY])) {
            struct desk_ticket_patch p = {
                .set_status = r->has_status, .status = r->status,
                .set_priority = r->has_priority, .priority = r->priority,
                .set_category = r->f[C_CATEGORY] != NULL, .category = r->f[C_CATEGORY]};
            struct desk_actor sys = DESK_SYSTEM;
            rc = desk_update_ticket_tx(tx, &sys, ticket_id, &p, r->at);
            if (rc == PL_ESTATE)
                desk_import_error(j->rep, "line %ld: status '%s' cannot follow the ticket's current status",
                       r->line, r->f[C_STATUS]);
        }
        if (rc) {
            if (rc == PL_EEXISTS)
                desk_import_error(j->rep, "line %ld: ticket '%s' was already imported", r->line,
                       r->f[C_TICKET]);
            else if (j->rep->nerrors == 0)
                desk_import_error(j->rep, "line %ld: %s", r->line, parley_strerror(rc));
            break;
        }
        if (m) {
            if (!m->key) {
                m->key = r->f[C_TICKET];
                j->nmap++;
            }
            m->ticket_id = ticket_id;
            m->n++;
        }
        j->rep->messages++;
        if (j->progress && (i % 500 == 0 || i + 1 == j->nrows))
            j->progress(j->ctx, i + 1, j->nrows);
    }
    user_clear(&author);
    return rc;
}

int desk_import_csv(struct desk *d, const struct desk_actor *who, FILE *fp,
                    struct desk_import_report *rep,
                    void (*progress)(void *ctx, long done, long total), void *ctx)
{
    memset(rep, 0, sizeof *rep);
    struct csv *c = csv_open(fp, ',');
    struct row *rows = NULL;
    long nrows = 0, cap = 0;
    int idx[C__COUNT], rc = csv_next(c);
    if (rc <= 0) {
        desk_import_error(rep, rc == 0 ? "line 1: the file is empty; a header row is expected"
                            : "%s", csv_error(c));
        rc = PL_EPARSE;
        goto out;
    }
    for (int k = 0; k < C__COUNT; k++)
        idx[k] = csv_find(c, col_names[k]);
    if (idx[C_TICKET] < 0 || idx[C_CREATED] < 0 || idx[C_BODY] < 0) {
        desk_import_error(rep, "line 1: the header must name the columns ticket, created_at and body");
        rc = PL_EPARSE;
        goto out;
    }
    while ((rc = csv_next(c)) > 0) {
        if (csv_nfields(c) == 1 && csv_field_len(c, 0) == 0)
            continue; /* blank line */
        if (nrows == cap) {
            cap = cap ? cap * 2 : 256;
            rows = xrealloc(rows, (size_t)cap * sizeof *rows);
        }
        struct row *r = &rows[nrows++];
        memset(r, 0, sizeof *r);
        r->line = csv_line(c);
        for (int k = 0; k < C__COUNT; k++)
            if (idx[k] >= 0 && csv_field_len(c, (size_t)idx[k]) > 0)
                r->f[k] = xstrdup(csv_field(c, (size_t)idx[k]));
        check_row(r, rep);
    }
    if (rc < 0) {
        desk_import_error(rep, "%s", csv_error(c));
        rc = PL_EPARSE;
        goto out;
    }
    rep->rows = nrows;
    if (rep->nerrors) {
        rc = PL_EPARSE;
        goto out;
    }
    struct import_job j = {who, rows, nrows, rep, progress, ctx, NULL, 0, 0};
    j.capmap = nrows * 2 + 1;
    j.map = xcalloc((size_t)j.capmap, sizeof *j.map);
    rc = desk_exec(d, import_fn, &j);
    free(j.map);
    if (rc) {
        rep->tickets = rep->messages = 0;
        if (rep->nerrors == 0)
            desk_import_error(rep, "import failed: %s", parley_strerror(rc));
    }
out:
    for (long i = 0; i < nrows; i++)
        row_free(&rows[i]);
    free(rows);
    csv_close(c);
    return rc;
}
