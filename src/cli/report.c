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

/* -1 to go on, else the exit status (cli_parse). */
static int parse(int argc, char **argv, struct opts *o)
{
    const struct cli_option opts[] = {
        {"db", &o->db},     {"metric", &o->metric}, {"group", &o->group},
        {"period", &o->period}, {"from", &o->from}, {"to", &o->to},
        {"format", &o->format}, {"key", &o->key},   {"limit", &o->limit},
        {"tickets", NULL, &o->tickets}, {NULL}};
    int rc = cli_parse("report", usage_text, argc, argv, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (o->format && strcmp(o->format, "json") && strcmp(o->format, "csv")) {
        fprintf(stderr, "parley report: --format is json or csv\n");
        return 2;
    }
    return -1;
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
    struct opts o = {.db = cli_default_db()};
    int prc = parse(argc, argv, &o);
    if (prc >= 0)
        return prc;
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
    static const char *const names[] = {"db", "from", "to", "baseline-from", "baseline-to",
                                        "lang"};
    const char *v[6] = {cli_default_db(), NULL, NULL, NULL, NULL, "en"};
    const struct cli_option opts[] = {{names[0], &v[0]}, {names[1], &v[1]}, {names[2], &v[2]},
                                      {names[3], &v[3]}, {names[4], &v[4]}, {names[5], &v[5]},
                                      {NULL}};
    int prc = cli_parse("roi", roi_usage, argc, argv, opts, NULL, 0, NULL);
    if (prc >= 0)
        return prc;
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
