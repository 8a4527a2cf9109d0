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

#endif
