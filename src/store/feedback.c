/* feedback.c — what both backends share for surveys and alerts: freeing
 * the rows. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void survey_clear(struct survey *s)
{
    if (!s)
        return;
    free(s->token_hash);
    free(s->comment);
    free(s->analysis);
    memset(s, 0, sizeof *s);
}

void alert_clear(struct alert *a)
{
    if (!a)
        return;
    free(a->kind);
    free(a->category);
    free(a->metric);
    free(a->ticket_ids);
    free(a->detail);
    memset(a, 0, sizeof *a);
}

void store_free_alerts(struct alert *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        alert_clear(&v[i]);
    free(v);
}
