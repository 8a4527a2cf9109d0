/* cli.c — helpers shared by the subcommands. */
#include "cli/cli.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The option of opts that argument a ("--name" or "--name=value") names,
 * or NULL; *eq points at the "=" when there is one. */
static const struct cli_option *find_option(const struct cli_option *opts, const char *a,
                                            const char **eq)
{
    if (a[0] != '-' || a[1] != '-')
        return NULL;
    a += 2;
    size_t n = strcspn(a, "=");
    *eq = a[n] ? a + n : NULL;
    for (; opts->name; opts++)
        if (strlen(opts->name) == n && memcmp(opts->name, a, n) == 0)
            return opts;
    return NULL;
}

static int usage_error(const char *cmd, const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "parley %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

int cli_parse(const char *cmd, const char *usage, int argc, char **argv,
              const struct cli_option *opts, const char **pos, int maxpos, int *npos)
{
    int n = 0, rest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq;
        if (!rest && strcmp(a, "--") == 0) {
            rest = 1;
            continue;
        }
        if (!rest && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(usage, stdout);
            return 0;
        }
        if (rest || a[0] != '-' || a[1] == '\0') {
            if (n >= maxpos)
                return usage_error(cmd, usage, "unexpected argument '%s'", a);
            pos[n++] = a;
            continue;
        }
        const struct cli_option *o = find_option(opts, a, &eq);
        if (!o || (!o->value && eq))
            return usage_error(cmd, usage, "unknown argument '%s'", a);
        if (!o->value)
            *o->flag = 1;
        else if (eq)
            *o->value = eq + 1;
        else if (i + 1 < argc)
            *o->value = argv[++i];
        else
            return usage_error(cmd, usage, "%s needs a value", a);
    }
    if (npos)
        *npos = n;
    return -1;
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
