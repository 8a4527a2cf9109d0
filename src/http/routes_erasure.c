/* routes_erasure.c — a customer's data: export it, erase it
 * (docs/api.md "Customer data: export and erasure"; docs/ledger.md
 * "Erasure"). Listed in the route table of routes.c. */
#include "http/http_internal.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

enum MHD_Result http_customer_export(struct req *r)
{
    char *json = NULL;
    int rc = desk_customer_export(r->srv->d, &r->who, r->id, &json);
    if (rc)
        return http_fail(r, rc);
    return http_raw(r, 200, "application/json; charset=utf-8", json, strlen(json),
                    "Content-Disposition", "attachment; filename=\"customer-export.json\"");
}

/* The body must repeat the id: {"confirm": ID}, so a wrong path erases
 * nothing. */
enum MHD_Result http_customer_erase(struct req *r)
{
    json_t *b = http_body_object(r);
    if (!b)
        return MHD_YES;
    json_t *confirm = json_object_get(b, "confirm");
    bool ok = json_is_integer(confirm) && json_integer_value(confirm) == r->id;
    json_decref(b);
    if (!ok)
        return http_error(r, 400, confirm ? "not_confirmed" : "missing_field",
                          "'confirm' must repeat the id of the customer to erase (%lld)",
                          (long long)r->id);
    struct desk_erase_result res;
    int rc = desk_customer_erase(r->srv->d, &r->who, r->id, &res);
    if (rc == PL_EEXISTS)
        return http_error(r, 409, "already_erased", "customer %lld was already erased",
                          (long long)r->id);
    if (rc == PL_ESTATE)
        return http_error(r, 409, "merged", "customer %lld was merged into another; erase that "
                          "one", (long long)r->id);
    if (rc)
        return http_fail(r, rc);
    return http_json(r, 200, json_pack("{s:I,s:o,s:I,s:I,s:I,s:b}", "customer_id",
                                       (json_int_t)res.customer_id, "erased_at",
                                       http_time(res.erased_at), "tickets",
                                       (json_int_t)res.tickets, "messages",
                                       (json_int_t)res.messages, "merged_customers",
                                       (json_int_t)res.merged, "scrubbed", res.scrubbed));
}
