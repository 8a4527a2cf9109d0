/* import.h — importing historical tickets from CSV (desk use case).
 *
 * The file has a header row; columns (order free, unknown ones ignored):
 *   ticket      required  the ticket's key in the old system; rows with the
 *                         same key form one ticket, in file order
 *   created_at  required  ISO 8601, UTC unless an offset is given
 *   direction   optional  inbound (default) | reply | note
 *   body        required
 *   channel     optional  email|chat|web|phone|social|api (default email)
 *   customer_email | customer_phone | customer_handle   one required on
 *                         inbound rows
 *   customer_name, subject, category     optional
 *   author_email          required on reply and note rows: an existing user
 *   status, priority      optional: the ticket's state after this row
 *
 * All rows are validated first; if any is bad, every bad row is reported
 * with its line number and nothing is written. Otherwise the whole file is
 * imported in ONE transaction: all or nothing. Each message gets the
 * external id "import:<ticket>:<n>", so importing the same file twice is
 * refused instead of duplicating history. */
#ifndef PARLEY_DESK_IMPORT_H
#define PARLEY_DESK_IMPORT_H

#include <stdio.h>

#include "desk/desk.h"

struct desk_import_report {
    long rows;          /* data rows read */
    long tickets;       /* tickets created */
    long messages;      /* messages written */
    long nerrors;
    char **errors;      /* "line N: ..." messages; at most 100 kept */
};

/* progress(ctx, done, total) is called from time to time while writing. */
int desk_import_csv(struct desk *d, const struct desk_actor *who, FILE *fp,
                    struct desk_import_report *rep,
                    void (*progress)(void *ctx, long done, long total), void *ctx);
void desk_import_report_clear(struct desk_import_report *rep);
/* Adds a "line N: ..." message to rep (the first 100 are kept). */
void desk_import_error(struct desk_import_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Orders for the ROI (docs/cli/import.md): columns order_id (optional,
 * unique), customer_email | customer_phone | customer_id (an existing
 * customer), amount (decimal, ≥ 0), currency (optional), ordered_at (ISO
 * 8601), upsell (optional: yes/no, 1/0, true/false). Checked first, bad
 * lines reported by number, then one transaction; rep->rows / messages
 * count rows and orders written. */
int desk_import_orders_csv(struct desk *d, const struct desk_actor *who, FILE *fp,
                           struct desk_import_report *rep);

#endif
