/* report.c — `parley report`: service reports and drill-down on the
 * command line, the same as GET /api/v1/reports (docs/cli/report.md), and
 * `parley roi`, the same as GET /api/v1/roi (docs/cli/roi.md). */
#include "cli/cli.h"
#include "base/err.h"
#include "base/clock.h"
#include "desk/report.h"
#include "desk/roi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: parley report [--db DB] --metric M[,M...] [--group G] [--period P]\n"
    "                     [--from DATE] [--to DATE] [--format json|csv]\n"
    "       parley report [--db DB] --tickets --metric M [--group G --key K]\n"
    "                     [--from DATE] [--to DATE] [--limit N]\n"
    "\n"
    "Service metrics per day, week or month (UTC), grouped by agent, team,\n"
    "category, channel or priority; --tickets lists the tickets behind one\n"
    "metric. Metric names and definitions: docs/insight.md; see\n"
    "docs/cli/report.md.\n";

struct opts {
    const char *db, *metric, *group, *period, *from, *to, *format, *key, *limit;
    int tickets;
};

/* 0 ok, 2 usage error (printed). */
static int parse(int argc, char **argv, struct opts *o)
{
    static const char *const names[] = {"db",     "metric", "group", "period", "from",
                                        "to",     "format", "key",   "limit"};
    const char **slots[] = {&o->db,     &o->metric, &o->group, &o->period, &o->from,
                            &o->to,     &o->format, &o->key,   &o->limit};
    for (int i = 1; i < argc; i++) {
        int r = 0;
        for (size_t k = 0; k < sizeof names / sizeof *names && r == 0; k++)
            r = cli_opt(argc, argv, &i, names[k], slots[k]);
        if (r < 0) {
            fprintf(stderr, "parley report: %s needs a value\n", argv[i]);
            return 2;
        }
        if (r)
            continue;
        if (!strcmp(argv[i], "--tickets")) {
            o->tickets = 1;
            continue;
        }
        fprintf(stderr, "parley report: unknown argument '%s'\n%s", argv[i], usage_text);
        return 2;
    }
    if (o->format && strcmp(o->format, "json") && strcmp(o->format, "csv")) {
        fprintf(stderr, "parley report: --format is json or csv\n");
        return 2;
    }
    return 0;
}

static int run(struct desk *d, const struct opts *o, struct desk_report_req *q)
{
    char err[300];
    json_t *j = NULL;
    int rc;
    if (o->tickets) {
        q->key = o->key;
        if (o->limit)
            q->limit = atoi(o->limit);
        rc = desk_report_tickets(d, q, &j, err, sizeof err);
    } else if (o->format && !strcmp(o->format, "csv")) {
        struct buf b = BUF_INIT;
        rc = desk_report_csv(d, q, &b);
        if (rc == 0)
            fputs(buf_str(&b), stdout);
        buf_release(&b);
        snprintf(err, sizeof err, "%s", parley_strerror(rc));
    } else {
        rc = desk_report_json(d, q, &j);
        snprintf(err, sizeof err, "%s", parley_strerror(rc));
    }
    if (rc == PL_ETOOBIG)
        snprintf(err, sizeof err, "too many rows: use a longer --period or a shorter range");
    if (rc) {
        fprintf(stderr, "parley report: %s\n", err);
        return 1;
    }
    if (j) {
        json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(j);
    }
    return 0;
}

/* The server's snapshot at its default place, read only: a replay of the
 * newer events instead of the whole history. */
static void use_snapshot(struct desk *d, const char *db)
{
    char *path = cli_metrics_snapshot(db, NULL);
    desk_metrics_snapshot_at(d, path, 0);
    free(path);
}

int cmd_report(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return 0;
    }
    struct opts o = {.db = cli_default_db()};
    if (parse(argc, argv, &o))
        return 2;
    struct desk_report_req q;
    char err[300];
    if (desk_report_parse(&q, o.metric, o.group, o.period, o.from, o.to, err, sizeof err)) {
        fprintf(stderr, "parley report: %s\n", err);
        return 2;
    }
    struct desk *d;
    if (cli_open_desk("report", o.db, 0, &d))
        return 1;
    /* Drill-down reads the stored facts: record those of events no server
     * has fed yet (idempotent, so a server running next to us is fine). */
    int rc = 1;
    use_snapshot(d, o.db);
    if (o.tickets ? desk_metrics_enable(d) : desk_metrics_enable_aggregates(d))
        fprintf(stderr, "parley report: cannot read the events of %s\n", o.db);
    else
        rc = run(d, &o, &q);
    desk_close(d);
    return rc;
}

static const char roi_usage[] =
    "usage: parley roi [--db DB] [--from DATE --to DATE]\n"
    "                  [--baseline-from DATE --baseline-to DATE] [--lang en|ru]\n"
    "\n"
    "The ROI of conflict resolution for a period against a baseline, from the\n"
    "inputs entered with PUT /api/v1/roi/inputs and the data (docs/cli/roi.md).\n";

int cmd_roi(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(roi_usage, stdout);
        return 0;
    }
    static const char *const names[] = {"db", "from", "to", "baseline-from", "baseline-to",
                                        "lang"};
    const char *v[6] = {cli_default_db(), NULL, NULL, NULL, NULL, "en"};
    for (int i = 1; i < argc; i++) {
        int r = 0;
        for (size_t k = 0; k < 6 && r == 0; k++)
            r = cli_opt(argc, argv, &i, names[k], &v[k]);
        if (r <= 0) {
            fprintf(stderr, "parley roi: %s '%s'\n%s", r < 0 ? "no value for" : "unknown argument",
                    argv[i], roi_usage);
            return 2;
        }
    }
    int64_t t[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++)
        if (v[k + 1] && clock_parse(v[k + 1], &t[k])) {
            fprintf(stderr, "parley roi: --%s must be an ISO 8601 date\n", names[k + 1]);
            return 2;
        }
    if (strcmp(v[5], "en") && strcmp(v[5], "ru")) {
        fprintf(stderr, "parley roi: --lang is en or ru\n");
        return 2;
    }
    struct desk *d;
    if (cli_open_desk("roi", v[0], 0, &d))
        return 1;
    char err[300] = "";
    json_t *j = NULL;
    use_snapshot(d, v[0]);
    int rc = desk_metrics_enable_aggregates(d);
    if (rc == 0)
        rc = desk_roi(d, t[0], t[1], t[2], t[3], v[5], &j, err, sizeof err);
    desk_close(d);
    if (rc) {
        fprintf(stderr, "parley roi: %s\n", err[0] ? err : parley_strerror(rc));
        return rc == PL_EINVAL ? 2 : 1;
    }
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
    return 0;
}
