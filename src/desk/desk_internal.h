/* desk_internal.h — what the desk's files share; not for other modules. */
#ifndef PARLEY_DESK_INTERNAL_H
#define PARLEY_DESK_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "desk/desk.h"

struct job;

struct desk {
    char *url;
    struct store *writer;
    pthread_t thread;

    pthread_mutex_t mu;          /* guards the job queue and stopping */
    pthread_cond_t cv_work;
    pthread_cond_t cv_done;
    struct job *head, *tail;
    _Atomic int stopping;

    pthread_mutex_t ev_mu;       /* guards last_event */
    pthread_cond_t ev_cv;
    int64_t last_event;

    pthread_key_t reader_key;
    pthread_mutex_t readers_mu;
    struct store **readers;
    size_t nreaders;
};

/* Returns a new compact JSON text with sorted keys (the canonical form of
 * event payloads); consumes j; NULL in, NULL out. Caller frees. */
char *desk_json_text(json_t *j);

#endif
