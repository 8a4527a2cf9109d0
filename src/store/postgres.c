/* postgres.c — the PostgreSQL backend (placeholder until it lands). */
#include "store/store.h"
#include "base/err.h"
#include "base/xalloc.h"

int store_postgres_open(const char *conninfo, struct store **out, char **err)
{
    (void)conninfo;
    *out = NULL;
    if (err)
        *err = xstrdup("postgresql backend not built yet");
    return PL_EUNAVAIL;
}
