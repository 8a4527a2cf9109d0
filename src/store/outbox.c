/* outbox.c — what both backends share for the outbox, webhooks and
 * attachments: the clearers. */
#include "store/outbox_internal.h"

#include <stdlib.h>
#include <string.h>

void delivery_clear(struct delivery *d)
{
    if (!d)
        return;
    free(d->payload);
    free(d->last_error);
    memset(d, 0, sizeof *d);
}

void store_free_deliveries(struct delivery *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        delivery_clear(&v[i]);
    free(v);
}

void webhook_clear(struct webhook *w)
{
    if (!w)
        return;
    free(w->url);
    free(w->events);
    free(w->secret);
    memset(w, 0, sizeof *w);
}

void store_free_webhooks(struct webhook *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        webhook_clear(&v[i]);
    free(v);
}

void attachment_clear(struct attachment *a)
{
    if (!a)
        return;
    free(a->filename);
    free(a->content_type);
    free(a->data);
    memset(a, 0, sizeof *a);
}

void store_free_attachments(struct attachment *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        attachment_clear(&v[i]);
    free(v);
}
