/* bench_text.c — throughput and latency of the full analysis (one
 * thread): bench_text MODELDIR FILE [REPEAT]. FILE holds one message per
 * line. Prints messages/s, mean and p50/p99 latency. Not a test. */
#include "text/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_text MODELDIR FILE [REPEAT]\n");
        return 2;
    }
    int rep = argc > 3 ? atoi(argv[3]) : 1;
    struct text_engine *e;
    char *err = NULL;
    if (text_engine_open(argv[1], &e, &err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *fp = fopen(argv[2], "r");
    if (!fp)
        return 1;
    size_t n = 0, cap = 1024, bytes = 0;
    char **lines = malloc(cap * sizeof *lines);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t k;
    while ((k = getline(&line, &lcap, fp)) > 0) {
        if (line[k - 1] == '\n')
            line[--k] = 0;
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[n++] = strdup(line);
        bytes += (size_t)k;
    }
    free(line);
    fclose(fp);
    double *lat = malloc(n * sizeof *lat);
    struct text_analysis a;
    double sink = 0;
    for (size_t i = 0; i < n && i < 1000; i++) {    /* warm up */
        text_analyze(e, lines[i], strlen(lines[i]), &a);
        sink += a.sentiment;
    }
    double t0 = now();
    for (int r = 0; r < rep; r++)
        for (size_t i = 0; i < n; i++) {
            double s = now();
            text_analyze(e, lines[i], strlen(lines[i]), &a);
            lat[i] = now() - s;
            sink += a.sentiment;
        }
    double dt = now() - t0;
    qsort(lat, n, sizeof *lat, cmpd);
    printf("messages %zu x %d, mean length %.1f bytes\n", n, rep, (double)bytes / (double)n);
    printf("throughput %.0f messages/s (one thread)\n", (double)n * rep / dt);
    printf("latency mean %.1f us, p50 %.1f us, p99 %.1f us (last pass)\n", dt / ((double)n * rep) * 1e6,
           lat[n / 2] * 1e6, lat[n * 99 / 100] * 1e6);
    (void)sink;
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    free(lat);
    text_engine_close(e);
    return 0;
}
