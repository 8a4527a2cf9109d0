/* user.c — `parley user add|list`: manage agents, supervisors, admins. */
#include "cli/cli.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "desk/desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: parley user add --email E --role admin|supervisor|agent [--name N]\n"
    "                       [--skills a,b] [--languages ru,en] [--db DB]\n"
    "       parley user list [--db DB]\n"
    "\n"
    "`add` reads the password (8 characters or more) from the first line of\n"
    "standard input, so it never appears in the shell history.\n";

/* Reads one line from stdin without its newline; caller frees. */
static char *read_password(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static int user_add(int argc, char **argv)
{
    const char *db = cli_default_db(), *email = NULL, *role = NULL, *name = NULL,
               *skills = NULL, *langs = NULL;
    const struct cli_option opts[] = {{"db", &db},         {"email", &email},   {"role", &role},
                                      {"name", &name},     {"skills", &skills}, {"languages", &langs},
                                      {NULL}};
    int rc = cli_parse("user add", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    struct user u = {0};
    if (!email || !role || role_parse(role, &u.role) || u.role == ROLE_INTEGRATION) {
        fprintf(stderr, "parley user add: --email and --role admin|supervisor|agent are required\n");
        return 2;
    }
    char *pw = read_password();
    if (!pw || strlen(pw) < 8) {
        fprintf(stderr, "parley user add: a password of 8 characters or more is expected on stdin\n");
        free(pw);
        return 1;
    }
    struct desk *d;
    if (cli_open_desk("user add", db, 1, &d)) {
        free(pw);
        return 1;
    }
    u.email = xstrdup(email);
    u.name = xstrdup(name);
    u.skills = xstrdup(skills);
    u.languages = xstrdup(langs);
    struct desk_actor sys = DESK_SYSTEM;
    rc = desk_user_add(d, &sys, &u, pw);
    free(pw);
    if (rc == 0)
        printf("user %lld %s (%s) created\n", (long long)u.id, u.email, role_name(u.role));
    else if (rc == PL_EEXISTS)
        fprintf(stderr, "parley user add: a user with e-mail %s already exists\n", email);
    else
        fprintf(stderr, "parley user add: %s\n", parley_strerror(rc));
    user_clear(&u);
    desk_close(d);
    return rc ? 1 : 0;
}

static int user_list(int argc, char **argv)
{
    const char *db = cli_default_db();
    const struct cli_option opts[] = {{"db", &db}, {NULL}};
    int rc = cli_parse("user list", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    struct store *st;
    char *err = NULL;
    if (store_open(db, 1, &st, &err)) {
        fprintf(stderr, "parley user list: cannot open %s: %s\n", db, err ? err : "?");
        free(err);
        return 1;
    }
    struct user *v = NULL;
    size_t n = 0;
    rc = st->ops->user_list(st, &v, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        printf("%lld\t%s\t%s\t%s\t%s\n", (long long)v[i].id, v[i].email, role_name(v[i].role),
               v[i].languages ? v[i].languages : "-", v[i].name ? v[i].name : "");
    store_free_users(v, n);
    store_close(st);
    return rc ? 1 : 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "add") == 0)
        return user_add(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return user_list(argc - 1, argv + 1);
    fprintf(stderr, "parley user: unknown subcommand '%s'\n%s", argv[1], usage_text);
    return 2;
}
