/* roi.h — orders and the ROI of conflict resolution (issue 6 point 6) as
 * use cases: orders linked to customers (API and CSV), the entered ROI
 * inputs, and the ROI of a period versus a baseline with every figure's
 * source: what the desk can compute (staff hours, conflict customers and
 * their retention, repeat and upsell revenue, sentiment) is filled from the
 * data unless the user entered it. Formulas: docs/insight.md. */
#ifndef PARLEY_DESK_ROI_H
#define PARLEY_DESK_ROI_H

#include <jansson.h>

#include "desk/desk.h"

struct desk_order_in {
    const char *external_id;       /* optional, unique */
    int64_t customer_id;           /* or 0 and an identity: */
    enum identity_kind id_kind;
    const char *id_value;
    int64_t amount_cents;
    const char *currency;          /* optional */
    int upsell;
    int64_t ordered_at;            /* 0 = now */
};

/* "12", "12.5", "12.50" → 1250; PL_EINVAL for anything else or < 0. */
int desk_parse_amount(const char *s, int64_t *cents);
/* Stores one order and its order.created event. PL_ENOTFOUND (err says
 * which customer) or PL_EEXISTS for a known external id. */
int desk_order_add(struct desk *d, const struct desk_actor *who, const struct desk_order_in *in,
                   struct order *out, char *err, size_t errlen);
/* The same inside a transaction the caller runs (the demo history); in a
 * history job the event is dated when the order was placed. */
int desk_order_add_tx(struct desk_tx *tx, const struct desk_actor *who,
                      const struct desk_order_in *in);

/* The entered inputs as stored (JSON text, "{}" when none; caller frees),
 * and replacing them after insight_roi_parse() accepts them (PL_EINVAL
 * with err otherwise). */
int desk_roi_inputs_get(struct desk *d, char **json);
int desk_roi_inputs_set(struct desk *d, const struct desk_actor *who, const char *json,
                        char *err, size_t errlen);

/* The ROI of [from, to) against [bfrom, bto) (0 = the entered dates, else
 * the last 90 days against the 90 before): insight_roi_report() plus
 * "data" (what was read from the database). lang "en" or "ru". */
int desk_roi(struct desk *d, int64_t from, int64_t to, int64_t bfrom, int64_t bto,
             const char *lang, json_t **out, char *err, size_t errlen);

#endif
