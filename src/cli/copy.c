/* copy.c — `parley copy --from SQLITE --to POSTGRESQL`: moves a database
 * from SQLite to PostgreSQL (store_copy(), docs/cli/copy.md), then says
 * which files kept beside the SQLite database go with it. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/err.h"
#include "desk/desk.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: parley copy --from sqlite:PATH --to postgresql://...\n"
    "\n"
    "Copies every row of every table of a SQLite Parley database into an empty\n"
    "PostgreSQL one (ids, events, the log's leaves and checkpoints, everything),\n"
    "in one transaction: on any error the target is left as it was. Both are\n"
    "migrated to this build's schema first; neither may be in use by a server or\n"
    "another writing command. Progress goes to stderr. See docs/cli/copy.md.\n";

/* Opens url and claims it for the copy, then migrates it (as the writing
 * commands do); says why on stderr when it cannot. */
static int open_claimed(const char *url, struct store **st)
{
    char *err = NULL;
    int rc = store_open(url, 0, st, &err);
    if (rc == 0 && (rc = desk_claim(*st, "copy", &err)) == 0)
        rc = store_migrate(*st, &err);
    if (rc) {
        if (rc == PL_EBUSY)
            fprintf(stderr, "parley copy: %s: %s\n", url, err ? err : "the database is busy");
        else
            fprintf(stderr, "parley copy: cannot open %s: %s\n", url, err ? err : "?");
        store_close(*st);
        *st = NULL;
    }
    free(err);
    return rc;
}

static void progress(void *ctx, const char *step, int64_t rows, double secs, int done)
{
    (void)ctx;
    double rate = secs > 0 ? (double)rows / secs : 0;
    if (strcmp(step, "indexes") == 0)
        fprintf(stderr, "parley copy: %lld indexes and foreign keys %s in %.1f s\n",
                (long long)rows, done ? "put back" : "so far", secs);
    else if (strcmp(step, "analyze") == 0)
        fprintf(stderr, "parley copy: %lld tables analysed in %.1f s\n", (long long)rows, secs);
    else if (done && rows == 0)
        fprintf(stderr, "parley copy: %-22s %10d rows\n", step, 0);
    else if (done)
        fprintf(stderr, "parley copy: %-22s %10lld rows in %6.1f s (%.0f rows/s)\n", step,
                (long long)rows, secs, rate);
    else
        fprintf(stderr, "parley copy: %-22s %10lld rows so far (%.0f rows/s)\n", step,
                (long long)rows, rate);
}

/* One line per file kept beside the SQLite database that the server on
 * the new database needs, with where that server looks for it. */
static void carry(const char *what, char *from, char *to, const char *option)
{
    if (access(from, F_OK) == 0 && strcmp(from, to) != 0)
        printf("  %-13s %s -> %s (or serve with %s %s)\n", what, from, to, option, from);
    free(from);
    free(to);
}

static void files_to_move(const char *from, const char *to)
{
    printf("Files beside the SQLite database that go with it (docs/cli/copy.md):\n");
    carry("data key", desk_data_key_default(from), desk_data_key_default(to), "--data-key");
    carry("ledger key", cli_ledger_key(from, NULL), cli_ledger_key(to, NULL), "--ledger-key");
    carry("metrics", cli_metrics_snapshot(from, NULL), cli_metrics_snapshot(to, NULL),
          "--metrics-snapshot");
}

int cmd_copy(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    const struct cli_option opts[] = {{"from", &from}, {"to", &to}, {NULL}};
    int rc = cli_parse("copy", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!from || !to) {
        fprintf(stderr, "parley copy: --from and --to are required\n%s", usage_text);
        return 2;
    }
    if (strncmp(from, "sqlite:", 7) != 0) {
        fprintf(stderr, "parley copy: --from must be a SQLite database (sqlite:PATH): %s\n", from);
        return 2;
    }
    if (strncmp(to, "postgresql://", 13) != 0 && strncmp(to, "postgres://", 11) != 0) {
        fprintf(stderr, "parley copy: --to must be a PostgreSQL database (postgresql://...)\n");
        return 2;
    }
    /* Opening would create an empty database: a typo would copy nothing. */
    const char *path = from + 7 + (strncmp(from + 7, "//", 2) == 0 ? 2 : 0);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "parley copy: no SQLite database at %s\n", path);
        return 1;
    }

    struct store *src = NULL, *dst = NULL;
    char *err = NULL;
    int64_t rows = 0, t0 = clock_mono_ns();
    rc = open_claimed(from, &src);
    if (rc == 0)
        rc = open_claimed(to, &dst);
    if (rc == 0 && (rc = store_copy(src, dst, progress, NULL, &rows, &err)) != 0)
        fprintf(stderr, "parley copy: %s\nparley copy: nothing was copied\n", err ? err : "?");
    store_close(dst);
    store_close(src);
    free(err);
    if (rc)
        return 1;
    double secs = (double)(clock_mono_ns() - t0) / 1e9;
    printf("copied %lld rows from %s in %.1f s (%.0f rows/s)\n", (long long)rows, from, secs,
           secs > 0 ? (double)rows / secs : 0);
    files_to_move(from, to);
    return 0;
}
