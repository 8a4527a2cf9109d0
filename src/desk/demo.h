/* demo.h — demo data: the team, and customer conversations in Russian and
 * English that show what Parley does (angry, frustrated, anxious, confused
 * and happy customers, on several channels). */
#ifndef PARLEY_DESK_DEMO_H
#define PARLEY_DESK_DEMO_H

#include "desk/desk.h"

#define DESK_DEMO_PASSWORD "parley-demo"

struct desk_demo_opts {
    long tickets;        /* 0 = the curated set only; N = also N generated tickets */
    bool history_once;   /* generate them only into a database without tickets */
    bool all_resolved;   /* every generated ticket ends resolved, so that the
                          * open work is the curated conversations */
    unsigned seed;       /* for generated tickets */
    void (*progress)(void *ctx, long done, long total);
    void *ctx;
    int team_created;    /* out: 1 when the demo team was created by this call */
};

/* Seeds the demo team (unless users exist) and conversations. Returns 0,
 * or a PL_E* code. */
int desk_demo_seed(struct desk *d, struct desk_demo_opts *o);
/* The demo log-ins, NULL-terminated: "email role". Static. */
extern const char *const desk_demo_logins[];

#endif
