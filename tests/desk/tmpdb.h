/* tmpdb.h — a desk over a fresh SQLite file in /tmp, for the desk tests. */
#ifndef PARLEY_TESTS_DESK_TMPDB_H
#define PARLEY_TESTS_DESK_TMPDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "desk/desk.h"

/* Removes the database file, its WAL companions and its data key. */
static inline void tmpdb_remove(const char *path)
{
    char p[320];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s.data-key", path);
    unlink(p);
}

/* Opens a desk on a new file /tmp/parley-TAG-PID.db (its path in path);
 * returns 0, or -1 with the reason on stderr. */
static inline int tmpdb_open(const char *tag, char *path, size_t len, struct desk **out)
{
    snprintf(path, len, "/tmp/parley-%s-%d.db", tag, (int)getpid());
    tmpdb_remove(path);
    char *url = xasprintf("sqlite:%s", path);
    char *err = NULL;
    int rc = desk_open(url, out, &err);
    free(url);
    if (rc) {
        fprintf(stderr, "desk_open %s: %s\n", path, err ? err : "?");
        free(err);
        return -1;
    }
    return 0;
}

#endif
