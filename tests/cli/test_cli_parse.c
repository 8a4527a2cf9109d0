/* test_cli_parse.c — the option parser every `parley` subcommand uses:
 * values with a space and with "=", flags, positional arguments and "--",
 * and each way a command line can be wrong (the exit status and that the
 * message goes to stderr are checked; nothing is read from argv past it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: parley t [--db DB] [--db-copy X] [--yes] [FILE]\n";

struct got {
    const char *db, *copy, *pos[2];
    int yes, npos;
};

static int parse(struct got *g, int maxpos, int argc, char **argv)
{
    memset(g, 0, sizeof *g);
    const struct cli_option opts[] = {
        {"db", &g->db}, {"db-copy", &g->copy}, {"yes", NULL, &g->yes}, {NULL}};
    /* the messages of the failing cases go to stderr: keep them out of the test log */
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = cli_parse("t", usage, argc, argv, opts, g->pos, maxpos, &g->npos);
    fclose(stderr);
    stderr = saved;
    return rc;
}

#define ARGV(...) (char *[]){"t", __VA_ARGS__, NULL}
#define ARGC(...) ((int)(sizeof((char *[]){"t", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(g, maxpos, ...) parse(g, maxpos, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_values_and_flags(void **st)
{
    (void)st;
    struct got g;
    assert_int_equal(PARSE(&g, 1, "--db", "sqlite:a.db", "--yes", "file.csv"), -1);
    assert_string_equal(g.db, "sqlite:a.db");
    assert_int_equal(g.yes, 1);
    assert_int_equal(g.npos, 1);
    assert_string_equal(g.pos[0], "file.csv");
    assert_null(g.copy);
    /* "=" form; a name that is a prefix of another is not confused with it */
    assert_int_equal(PARSE(&g, 0, "--db-copy=x", "--db=y"), -1);
    assert_string_equal(g.copy, "x");
    assert_string_equal(g.db, "y");
    assert_int_equal(PARSE(&g, 0, "--db="), -1);
    assert_string_equal(g.db, "");
    /* "-" is an argument (stdin), and after "--" so is anything */
    assert_int_equal(PARSE(&g, 2, "-", "--", "--yes"), -1);
    assert_int_equal(g.npos, 2);
    assert_string_equal(g.pos[0], "-");
    assert_string_equal(g.pos[1], "--yes");
    assert_int_equal(g.yes, 0);
}

static void test_errors(void **st)
{
    (void)st;
    struct got g;
    assert_int_equal(PARSE(&g, 0, "--db"), 2);             /* no value */
    assert_int_equal(PARSE(&g, 0, "--dbx", "v"), 2);       /* unknown */
    assert_int_equal(PARSE(&g, 0, "--d", "v"), 2);         /* a prefix is not an option */
    assert_int_equal(PARSE(&g, 0, "-x"), 2);
    assert_int_equal(PARSE(&g, 0, "--yes=1"), 2);          /* a flag takes no value */
    assert_int_equal(PARSE(&g, 1, "a", "b"), 2);           /* one argument too many */
    assert_int_equal(PARSE(&g, 0, "a"), 2);
}

static void test_help(void **st)
{
    (void)st;
    struct got g;
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    int a = PARSE(&g, 0, "--db", "x", "--help");
    int b = PARSE(&g, 0, "-h", "--unknown");
    fclose(stdout);
    stdout = saved;
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);                                 /* help wins over what follows */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_flags),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
