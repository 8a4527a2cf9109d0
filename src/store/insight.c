/* insight.c — what both backends share for the insight tables: freeing
 * drill-down facts and orders. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void store_free_facts(struct metric_fact *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].category);
    free(v);
}

void order_clear(struct order *o)
{
    if (!o)
        return;
    free(o->external_id);
    free(o->currency);
    memset(o, 0, sizeof *o);
}
