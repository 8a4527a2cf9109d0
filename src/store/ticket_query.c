/* ticket_query.c — the ticket list/count SQL, built from a fixed set of
 * fragments by the filter's shape (never from values), shared by both
 * backends.
 *
 * Why one branch per status: the inbox ("new, open or pending, most urgent
 * first") would otherwise read every open ticket and sort them. With an
 * index on (status, <sort column>, id) each branch reads at most `limit`
 * rows in index order, and the outer query merges a few hundred rows:
 *
 *   SELECT * FROM (SELECT .. WHERE status = ?8 .. ORDER BY k, id LIMIT ?7) AS b0
 *   UNION ALL SELECT * FROM (.. status = ?9 ..) AS b1 ...
 *   ORDER BY k, id LIMIT ?7
 *
 * "Any status" is all statuses, so every list takes this path, except a
 * list for one customer: a customer has few tickets, so one query on the
 * (customer_id, ...) index and a small sort beats scanning a status index
 * for that customer's rows ("+status" keeps SQLite's planner, which has no
 * statistics, off the status indexes). With a keyset cursor each status
 * branch is split in two (see enum cur). */
#include "store/store_internal.h"

#include <string.h>

#define ALL_STATUSES ((1u << STATUS__COUNT) - 1)

void ticket_query_init(struct ticket_query *q, const struct ticket_filter *f, int count)
{
    struct ticket_filter def;

    if (!f) {
        ticket_filter_init(&def);
        f = &def;
    }
    memset(q, 0, sizeof *q);
    unsigned mask = f->status_mask & ALL_STATUSES;
    if (f->status_mask && !mask)
        q->empty = 1;
    if (!count && !mask)
        mask = ALL_STATUSES;
    if (count && mask == ALL_STATUSES)
        mask = 0;
    for (int s = 0; s < STATUS__COUNT; s++)
        if (mask & (1u << s))
            q->statuses[q->nstatus++] = s;

    q->has_priority = f->priority >= 0;
    q->priority = f->priority;
    q->has_assignee = f->assignee_id >= 0;
    q->assignee_id = f->assignee_id;
    q->has_customer = f->customer_id != 0;
    q->customer_id = f->customer_id;
    q->has_category = f->category != NULL;
    q->category = f->category;
    if (!count) {
        q->sort = (unsigned)f->sort <= TSORT_PRIORITY ? f->sort : TSORT_CREATED;
        q->ascending = f->ascending != 0;
        q->has_cursor = f->has_cursor != 0;
        q->cursor_key = f->cursor_key;
        q->cursor_id = f->cursor_id;
        q->limit = f->limit <= 0 ? TICKET_LIST_DEFAULT
                 : f->limit > TICKET_LIST_MAX ? TICKET_LIST_MAX : f->limit;
    }
    q->shape = (count ? 1u : 0u) | (unsigned)q->nstatus << 1 | (unsigned)q->has_priority << 4 |
               (unsigned)q->has_assignee << 5 | (unsigned)q->has_customer << 6 |
               (unsigned)q->has_category << 7 | (unsigned)q->has_cursor << 8 |
               (unsigned)q->sort << 9 | (unsigned)q->ascending << 11;
}

static void param(struct buf *b, char ph, int n)
{
    buf_printf(b, "%c%d", ph, n);
}

/* The conditions other than status, each preceded by " AND ". */
static void filters(const struct ticket_query *q, char ph, struct buf *b)
{
    if (q->has_priority) {
        buf_puts(b, " AND priority = ");
        param(b, ph, TQ_P_PRIORITY);
    }
    if (q->has_assignee) {
        buf_puts(b, " AND assignee_id = ");
        param(b, ph, TQ_P_ASSIGNEE);
    }
    if (q->has_customer) {
        buf_puts(b, " AND customer_id = ");
        param(b, ph, TQ_P_CUSTOMER);
    }
    if (q->has_category) {
        buf_puts(b, " AND category = ");
        param(b, ph, TQ_P_CATEGORY);
    }
}

static const char *sort_col(enum ticket_sort s)
{
    return s == TSORT_UPDATED ? "updated_at" : s == TSORT_PRIORITY ? "priority" : "created_at";
}

static void order_limit(const struct ticket_query *q, char ph, struct buf *b)
{
    const char *dir = q->ascending ? "ASC" : "DESC";
    buf_printf(b, " ORDER BY %s %s, id %s LIMIT ", sort_col(q->sort), dir, dir);
    param(b, ph, TQ_P_LIMIT);
}

static void status_in(const struct ticket_query *q, char ph, struct buf *b)
{
    buf_puts(b, " AND +status IN (");
    for (int i = 0; i < q->nstatus; i++) {
        if (i)
            buf_puts(b, ", ");
        param(b, ph, TQ_P_STATUS + i);
    }
    buf_puts(b, ")");
}

/* How a branch applies the keyset cursor (k0, id0) (for descending order;
 * ascending flips the comparisons):
 *   CUR_ROW:  (k, id) < (k0, id0)      one condition (customer lists)
 *   CUR_SAME: k = k0 AND id < id0      the rest of the cursor's key
 *   CUR_NEXT: k < k0                   the keys after it
 * SQLite seeks an index only on the first column of a row-value range and
 * would walk every row that shares the cursor's key; split in two, both
 * halves are exact index seeks, so a deep page costs what the first does. */
enum cur { CUR_NONE, CUR_ROW, CUR_SAME, CUR_NEXT };

/* One SELECT: the rows of status number i (i < 0: of every status in q). */
static void branch(const struct ticket_query *q, int i, enum cur cur, char ph, struct buf *b)
{
    const char *k = sort_col(q->sort);
    char op = q->ascending ? '>' : '<';

    buf_puts(b, "SELECT " TICKET_COLS " FROM tickets WHERE ");
    if (i >= 0) {
        buf_puts(b, "status = ");
        param(b, ph, TQ_P_STATUS + i);
    } else {
        buf_puts(b, "1 = 1");
        if (q->nstatus < STATUS__COUNT)
            status_in(q, ph, b);
    }
    filters(q, ph, b);
    switch (cur) {
    case CUR_ROW:
        buf_printf(b, " AND (%s, id) %c (", k, op);
        param(b, ph, TQ_P_CKEY);
        buf_puts(b, ", ");
        param(b, ph, TQ_P_CID);
        buf_puts(b, ")");
        break;
    case CUR_SAME:
        buf_printf(b, " AND %s = ", k);
        param(b, ph, TQ_P_CKEY);
        buf_printf(b, " AND id %c ", op);
        param(b, ph, TQ_P_CID);
        break;
    case CUR_NEXT:
        buf_printf(b, " AND %s %c ", k, op);
        param(b, ph, TQ_P_CKEY);
        break;
    case CUR_NONE:
        break;
    }
    order_limit(q, ph, b);
}

void ticket_query_sql(const struct ticket_query *q, char ph, struct buf *b)
{
    if (q->shape & 1u) {       /* count */
        buf_puts(b, "SELECT count(*) FROM tickets WHERE 1 = 1");
        if (q->nstatus && q->has_customer) {
            status_in(q, ph, b);
        } else if (q->nstatus) {
            buf_puts(b, " AND status IN (");
            for (int i = 0; i < q->nstatus; i++) {
                if (i)
                    buf_puts(b, ", ");
                param(b, ph, TQ_P_STATUS + i);
            }
            buf_puts(b, ")");
        }
        filters(q, ph, b);
        return;
    }
    if (q->has_customer) {
        branch(q, -1, q->has_cursor ? CUR_ROW : CUR_NONE, ph, b);
        return;
    }
    if (q->nstatus == 1 && !q->has_cursor) {
        branch(q, 0, CUR_NONE, ph, b);
        return;
    }
    int n = 0;
    for (int i = 0; i < q->nstatus; i++)
        for (int half = 0; half < (q->has_cursor ? 2 : 1); half++) {
            if (n)
                buf_puts(b, " UNION ALL ");
            buf_puts(b, "SELECT * FROM (");
            branch(q, i, !q->has_cursor ? CUR_NONE : half ? CUR_NEXT : CUR_SAME, ph, b);
            buf_printf(b, ") AS b%d", n++);
        }
    order_limit(q, ph, b);
}

int64_t event_limit(int limit)
{
    return limit <= 0 ? EVENT_LIST_DEFAULT : limit > EVENT_LIST_MAX ? EVENT_LIST_MAX : limit;
}
