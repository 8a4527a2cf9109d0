/* transfer.h — what the channels' libcurl transfers share. */
#ifndef PARLEY_CHANNEL_TRANSFER_H
#define PARLEY_CHANNEL_TRANSFER_H

#include <stdatomic.h>

/* Makes the libcurl easy handle h abort as soon as *stop is non-zero (a
 * server that is stopping must not wait for a slow receiver). stop NULL:
 * nothing. */
void transfer_abort_on(void *h, const atomic_int *stop);

#endif
