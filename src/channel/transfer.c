/* transfer.c — cancelling a libcurl transfer from another thread, through
 * its progress callback (libcurl calls it about once a second and on
 * every chunk, so a stop takes effect within a second). */
#include "channel/transfer.h"

#include <curl/curl.h>

static int stop_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                   curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load((const atomic_int *)arg) ? 1 : 0;
}

void transfer_abort_on(void *h, const atomic_int *stop)
{
    if (!stop)
        return;
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stop_cb);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}
