/* cli.c — helpers shared by the subcommands. */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    if (a[0] != '-' || a[1] != '-')
        return 0;
    size_t n = strlen(name);
    if (strncmp(a + 2, name, n) != 0)
        return 0;
    if (a[2 + n] == '=') {
        *value = a + 3 + n;
        return 1;
    }
    if (a[2 + n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

int cli_open_desk(const char *cmd, const char *db, int writes, struct desk **d)
{
    char *err = NULL;
    int rc = writes ? desk_open_claimed(db, cmd, d, &err) : desk_open(db, d, &err);
    if (rc == PL_EBUSY)
        fprintf(stderr, "parley %s: %s\n", cmd, err ? err : "the database is busy");
    else if (rc)
        fprintf(stderr, "parley %s: cannot open %s: %s\n", cmd, db, err ? err : "?");
    free(err);
    return rc;
}

const char *cli_default_db(void)
{
    const char *e = getenv("PARLEY_DB");
    return e && *e ? e : "sqlite:parley.db";
}

char *cli_metrics_snapshot(const char *db, const char *path)
{
    return path                             ? xstrdup(path)
           : strncmp(db, "sqlite:", 7) == 0 ? xasprintf("%s.metrics", db + 7)
                                            : xstrdup("parley-metrics.snapshot");
}

char *cli_ledger_key(const char *db, const char *path)
{
    return path                             ? xstrdup(path)
           : strncmp(db, "sqlite:", 7) == 0 ? xasprintf("%s.ledger-key", db + 7)
                                            : xstrdup("parley-ledger.key");
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

char *cli_slurp(const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp)
        return NULL;
    struct buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0 && b.len < (16u << 20))
        buf_add(&b, tmp, n);
    if (fp != stdin)
        fclose(fp);
    return buf_detach(&b, NULL);
}

char *cli_read_key(const char *arg)
{
    /* A file if there is one by that name: key strings hold '/' too. */
    char *s = cli_slurp(arg);
    if (!s)
        return strchr(arg, '+') ? xstrdup(arg) : NULL;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}
