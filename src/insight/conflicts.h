/* conflicts.h — the conflict tickets, their resolution facts and the
 * customers' orders in memory, for the ROI's "conflict customers of a
 * period, how many of them ordered within a window after their conflict, and the
 * handling time of those conflicts" without a scan of the database.
 *
 * A conflict ticket is one escalated or read as angry or frustrated (the
 * store's CONFLICT_TICKET). The index holds each such ticket as (created
 * at, id, customer, its facts) sorted by creation time, and every order as
 * the time of an order of its customer. A period's figures walk its
 * tickets once in memory, deduplicating customers with a bitmap: tens of
 * bytes a ticket, no I/O, no temporary B-tree. The numbers are exact: the
 * same as the SQL (store's conflict_customers and conflict_facts), which
 * stays the reference.
 *
 * Not thread-safe: the caller (desk/conflicts.c) holds a lock. */
#ifndef PARLEY_INSIGHT_CONFLICTS_H
#define PARLEY_INSIGHT_CONFLICTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct insight_conflicts;

/* A fact of a ticket: when, and its value (whole milliseconds). */
struct insight_conflict_fact {
    int64_t at, value;
};

struct insight_conflicts *insight_conflicts_new(void);
void insight_conflicts_free(struct insight_conflicts *c);

/* Loading: add conflict tickets in any order, sort once, then add the
 * facts (those of tickets not in the index are ignored). */
void insight_conflicts_load(struct insight_conflicts *c, int64_t id, int64_t created_at,
                            int64_t customer);
void insight_conflicts_sort(struct insight_conflicts *c);

/* The ticket id created at created_at, of customer, with these facts, is
 * (conflict) or is no longer (!conflict) a conflict ticket: its entry is
 * replaced or removed. A ticket's creation time never changes; its
 * customer may (a merge). Idempotent. */
void insight_conflicts_ticket(struct insight_conflicts *c, int64_t id, int64_t created_at,
                              int64_t customer, bool conflict,
                              const struct insight_conflict_fact *f, size_t nf);
/* A new fact of ticket id; ignored unless it is a conflict ticket. */
void insight_conflicts_fact(struct insight_conflicts *c, int64_t id, int64_t at, int64_t value);
/* Every conflict ticket of customer from now belongs to into (a merge;
 * orders stay with the customer they were recorded for). */
void insight_conflicts_move(struct insight_conflicts *c, int64_t from, int64_t into);
/* An order of customer at time at. */
void insight_conflicts_order(struct insight_conflicts *c, int64_t customer, int64_t at);

/* What the ROI asks of a period: the conflict tickets created in
 * [from, to), their facts before until, and each customer's retention —
 * an order within window after their first conflict ticket of the period,
 * measured for those whose first one is before cut (whose window has
 * passed by the time of asking). */
struct insight_conflicts_query {
    int64_t from, to, until, cut, window;
};
/* The distinct customers; how many were measured, how many of those
 * ordered; the sum of the values of the facts. */
struct insight_conflicts_count {
    int64_t customers, measured, retained, facts;
};
void insight_conflicts_count(const struct insight_conflicts *c,
                             const struct insight_conflicts_query *q,
                             struct insight_conflicts_count *out);

#endif
