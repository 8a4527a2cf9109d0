/* spike_eval.c — measures the complaint-spike detector on synthetic hourly
 * series with daily and weekly seasonality, Poisson noise and injected
 * spikes; compares it with a naive fixed-threshold detector. The detector
 * runs as the desk wires it: fed message by message (insight_spikes_add,
 * arrival times spread over each hour) with the hours closed by a tick, so
 * an alert can come before its hour ends. Deterministic: the same
 * arguments print the same table (docs/insight-quality.md).
 *
 * usage: spike_eval [--seeds N] [--threshold H] [--shift R (0 = auto)]
 *                   [--alpha-level A] [--alpha-day A] [--alpha-week A]
 *                   [--young-margin M]
 *                   [--overdispersion K]   (negative binomial counts, shape K ≥ 1) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/spike.h"
#include "insight/stats.h"

#define HOUR_MS 3600000LL
#define WEEKS 12
#define WARM_WEEKS 3
#define HOURS (WEEKS * 168)
#define GRACE 6      /* an alarm up to 6 h after a spike ends still detects it */

/* Local-time activity profile of a help desk: quiet nights, busy days. */
static const double day_raw[24] = {0.25, 0.2, 0.15, 0.15, 0.15, 0.2, 0.35, 0.6, 1.0, 1.4, 1.6, 1.7,
                                   1.6,  1.6, 1.7,  1.6,  1.5,  1.3, 1.1,  0.9, 0.7, 0.55, 0.4, 0.3};
static const double week_raw[7] = {1.2, 1.1, 1.1, 1.1, 1.0, 0.6, 0.5}; /* Mon..Sun */
static double day_f[24], week_f[7];

static void profiles(void)
{
    double sd = 0, sw = 0;
    for (int i = 0; i < 24; i++)
        sd += day_raw[i];
    for (int i = 0; i < 7; i++)
        sw += week_raw[i];
    for (int i = 0; i < 24; i++)
        day_f[i] = day_raw[i] * 24 / sd;
    for (int i = 0; i < 7; i++)
        week_f[i] = week_raw[i] * 7 / sw;
}

/* Hour 0 of every series is Monday 00:00 UTC (2026-11-02). */
static const long long T0 = 1793577600000LL;

struct spike {
    int start, dur;
};

/* 0 = Poisson counts; k > 0 = negative binomial: each hour's rate is
 * multiplied by a Gamma(k, 1/k) factor (variance λ + λ²/k), the bursty
 * traffic of real desks. */
static double gamma_shape;

static double gamma_draw(struct insight_rng *r, double k)
{
    return insight_rng_gamma(r, k) / k;
}

struct result {
    int spikes, detected;
    double delay_sum;
    double delays[4096];
    int ndel;
    int false_alarms;
    double weeks;
};

static void series(struct insight_rng *r, double base, double size, int dur, int with_spikes,
                   double *x, struct spike *sp, int *nsp)
{
    double mult[HOURS];
    for (int t = 0; t < HOURS; t++)
        mult[t] = 1.0;
    *nsp = 0;
    if (with_spikes) {
        for (int w = WARM_WEEKS; w < WEEKS; w++) {
            int span = 168 - dur - GRACE - 12;
            int s = w * 168 + (int)(insight_rng_uniform(r) * span);
            sp[(*nsp)++] = (struct spike){s, dur};
            for (int t = s; t < s + dur && with_spikes == 1; t++)
                mult[t] = size;
        }
    }
    for (int t = 0; t < HOURS; t++) {
        double lam = base * day_f[t % 24] * week_f[(t / 24) % 7] * mult[t];
        if (gamma_shape > 0)
            lam *= gamma_draw(r, gamma_shape);
        x[t] = insight_rng_poisson(r, lam);
    }
}

static int in_window(const struct spike *sp, int nsp, int t)
{
    for (int i = 0; i < nsp; i++)
        if (t >= sp[i].start && t < sp[i].start + sp[i].dur + GRACE)
            return i;
    return -1;
}

/* with_spikes: 0 none, 1 injected, 2 windows placed but nothing injected
 * (to measure how often an alarm lands in a window by chance). */

/* Scores a vector of alarm onsets against the spikes; frac[t] is when in
 * hour t the alarm came (1 = at its end; frac NULL: always at the end). */
static void score(const int *raised, const double *frac, const struct spike *sp, int nsp,
                  struct result *res)
{
    int hit[64] = {0};
    for (int t = WARM_WEEKS * 168 - 168; t < HOURS; t++) {
        if (!raised[t])
            continue;
        int w = in_window(sp, nsp, t);
        if (w < 0) {
            res->false_alarms++;
        } else if (!hit[w]) {
            hit[w] = 1;
            double d = t - sp[w].start + (frac ? frac[t] : 1.0);
            res->delay_sum += d;
            if (res->ndel < 4096)
                res->delays[res->ndel++] = d;
        }
    }
    for (int i = 0; i < nsp; i++) {
        res->spikes++;
        res->detected += hit[i];
    }
    res->weeks += WEEKS - WARM_WEEKS + 1;
}

static int cmpd(const void *a, const void *b);

/* The detector as the desk runs it: messages at uniform random instants of
 * their hour (their own random stream: the counts stay the same), each
 * hour closed by a tick at its end. frac[t]: when in hour t the alert came. */
static void run_cusum(const struct insight_spike_config *cfg, const double *x, uint64_t seed,
                      int *raised, double *frac)
{
    static double at[8192];
    struct insight_spikes *set = insight_spikes_new(cfg);
    struct insight_rng r = {seed};
    struct insight_spike_alert out[4];
    for (int t = 0; t < HOURS; t++) {
        int n = x[t] < 8192 ? (int)x[t] : 8192;
        raised[t] = 0;
        frac[t] = 1.0;
        for (int i = 0; i < n; i++)
            at[i] = insight_rng_uniform(&r);
        qsort(at, (size_t)n, sizeof at[0], cmpd);
        for (int i = 0; i < n; i++) {
            int k = insight_spikes_add(set, "c", T0 + t * HOUR_MS + (long long)(at[i] * HOUR_MS),
                                       0, out, 4);
            for (int j = 0; j < k && !raised[t]; j++)
                if (!out[j].cleared_at) {
                    raised[t] = 1;
                    frac[t] = at[i];
                }
        }
        int k = insight_spikes_tick(set, T0 + (t + 1) * HOUR_MS, out, 4);
        for (int j = 0; j < k && !raised[t]; j++)
            raised[t] = !out[j].cleared_at;
    }
    insight_spikes_free(set);
}

/* Alarms of spike-free series while the baseline is young (from the first
 * hour an alert is allowed to the end of the warm-up). */
static void score_young(const struct insight_spike_config *cfg, const int *raised,
                        struct result *res)
{
    for (int t = cfg->min_hours; t < cfg->warmup_hours && t < HOURS; t++)
        res->false_alarms += raised[t];
    res->weeks += (cfg->warmup_hours - cfg->min_hours) / 168.0;
}

/* The naive detector: threshold = mean + 3 sd of the first two weeks,
 * ignoring time of day; alarm on the first hour above, clear after 3 below. */
static void run_naive(const double *x, int *raised)
{
    double m = 0, v = 0;
    int n = 336;
    for (int t = 0; t < n; t++)
        m += x[t];
    m /= n;
    for (int t = 0; t < n; t++)
        v += (x[t] - m) * (x[t] - m);
    double thr = m + 3 * sqrt(v / (n - 1));
    int active = 0, below = 0;
    for (int t = 0; t < HOURS; t++) {
        raised[t] = 0;
        if (t < n)
            continue;
        if (!active && x[t] > thr) {
            active = 1;
            below = 0;
            raised[t] = 1;
        } else if (active) {
            below = x[t] > thr ? 0 : below + 1;
            if (below >= 3)
                active = 0;
        }
    }
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void cell(const struct result *r, char *out, size_t n)
{
    double rate = r->spikes ? 100.0 * r->detected / r->spikes : 0;
    double med = 0;
    if (r->ndel) {
        double *c = malloc(sizeof(double) * (size_t)r->ndel);
        memcpy(c, r->delays, sizeof(double) * (size_t)r->ndel);
        qsort(c, (size_t)r->ndel, sizeof(double), cmpd);
        med = r->ndel % 2 ? c[r->ndel / 2] : 0.5 * (c[r->ndel / 2 - 1] + c[r->ndel / 2]);
        free(c);
    }
    if (r->ndel)
        snprintf(out, n, "%5.1f%% / %4.1f / %4.1f", rate, r->delay_sum / r->ndel, med);
    else
        snprintf(out, n, "%5.1f%% /    – /    –", rate);
}

/* Spikes while the baseline is young (hours 48–300 of a fresh desk): one
 * 6-hour spike per series, its extra messages drawn on top of the counts. */
static void young_spikes(const struct insight_spike_config *cfg, int seeds, const double *bases,
                         int nb)
{
    static const double sizes[] = {3, 5, 10};
    static double x[HOURS], frac[HOURS];
    static int raised[HOURS];
    struct spike sp[64];
    int nsp;
    printf("\nSpikes while the baseline is young (one 6-hour spike between hours 48 and 300 of "
           "the history, %d series per cell): detection rate / mean delay h / median delay h\n\n",
           seeds * 4);
    printf("| base/h | 3× | 5× | 10× |\n|---:|---|---|---|\n");
    for (int b = 0; b < nb; b++) {
        char cells[3][64];
        for (int z = 0; z < 3; z++) {
            struct result res = {0};
            for (int s = 0; s < seeds * 4; s++) {
                struct insight_rng r = {0x5eed5ULL + 7717ULL * (uint64_t)b +
                                        104723ULL * (uint64_t)z + (uint64_t)s * 2654435761ULL};
                series(&r, bases[b], 1, 6, 0, x, sp, &nsp);
                int start = 48 + (int)(insight_rng_uniform(&r) * 252);
                for (int t = start; t < start + 6; t++)
                    x[t] += insight_rng_poisson(&r, bases[b] * day_f[t % 24] *
                                                        week_f[(t / 24) % 7] * (sizes[z] - 1));
                struct spike one = {start, 6};
                run_cusum(cfg, x, r.s, raised, frac);
                int hit = 0;
                for (int t = start; t < start + 6 + GRACE && !hit; t++)
                    if (raised[t]) {
                        hit = 1;
                        double d = t - one.start + frac[t];
                        res.delay_sum += d;
                        res.delays[res.ndel++] = d;
                    }
                res.spikes++;
                res.detected += hit;
            }
            cell(&res, cells[z], sizeof cells[z]);
        }
        printf("| %.2f | %s | %s | %s |\n", bases[b], cells[0], cells[1], cells[2]);
    }
}

int main(int argc, char **argv)
{
    struct insight_spike_config cfg;
    insight_spike_config_default(&cfg);
    int seeds = 8;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seeds"))
            seeds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threshold"))
            cfg.threshold = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--shift"))
            cfg.shift = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--overdispersion"))
            gamma_shape = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--alpha-level"))
            cfg.alpha_level = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--alpha-day"))
            cfg.alpha_day = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--alpha-week"))
            cfg.alpha_week = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--young-margin"))
            cfg.young_margin = atof(argv[i + 1]);
        else {
            fprintf(stderr, "usage: spike_eval [--seeds N] [--threshold H] [--shift R (0 = auto)] "
                            "[--alpha-level A] [--alpha-day A] [--alpha-week A] "
                            "[--young-margin M] [--overdispersion K (>= 1)]\n");
            return 2;
        }
    }
    if (seeds < 1 || seeds > 1000)
        seeds = 8;
    if (gamma_shape != 0 && !(gamma_shape >= 1 && gamma_shape <= 1e6)) {
        fprintf(stderr, "--overdispersion must be at least 1\n");
        return 2;
    }
    profiles();
    const double bases[] = {0.25, 1, 4, 16};
    const double sizes[] = {1.5, 2, 3, 5};
    const int durs[] = {2, 6, 24};
    static double x[HOURS];
    static int raised[HOURS];
    static double frac[HOURS];
    struct spike sp[64];
    int nsp;

    printf("CUSUM: shift %.2f, threshold %.2f, warm-up %d h (alerts from %d h, young margin "
           "%.1f), clear %d h, alpha level/day/week %.3f/%.3f/%.3f; fed message by message; %d "
           "series per cell, %d spikes each\n\n",
           cfg.shift, cfg.threshold, cfg.warmup_hours, cfg.min_hours, cfg.young_margin,
           cfg.clear_hours, cfg.alpha_level, cfg.alpha_day, cfg.alpha_week, seeds,
           WEEKS - WARM_WEEKS);
    if (gamma_shape > 0)
        printf("Counts: negative binomial, hourly rate × Gamma(%g, 1/%g) (variance λ + λ²/%g)\n\n",
               gamma_shape, gamma_shape, gamma_shape);
    printf("Detection rate / mean delay h / median delay h (CUSUM | naive fixed threshold)\n\n");
    printf("| base/h | size | dur h | CUSUM | naive |\n|---:|---:|---:|---|---|\n");
    struct result tot_c = {0}, tot_n = {0};
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++)
        for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++)
            for (size_t d = 0; d < sizeof durs / sizeof *durs; d++) {
                struct result rc = {0}, rn = {0};
                for (int s = 0; s < seeds; s++) {
                    struct insight_rng r = {1000003ULL * (b + 1) + 7919ULL * (z + 1) +
                                            104729ULL * (d + 1) + (uint64_t)s * 15485863ULL};
                    series(&r, bases[b], sizes[z], durs[d], 1, x, sp, &nsp);
                    run_cusum(&cfg, x, r.s, raised, frac);
                    score(raised, frac, sp, nsp, &rc);
                    run_naive(x, raised);
                    score(raised, NULL, sp, nsp, &rn);
                }
                char c1[64], c2[64];
                cell(&rc, c1, sizeof c1);
                cell(&rn, c2, sizeof c2);
                printf("| %.2f | %.1f× | %d | %s | %s |\n", bases[b], sizes[z], durs[d], c1, c2);
                tot_c.spikes += rc.spikes;
                tot_c.detected += rc.detected;
                tot_n.spikes += rn.spikes;
                tot_n.detected += rn.detected;
            }
    printf("\nAll spikes: CUSUM %d/%d detected, naive %d/%d.\n\n", tot_c.detected, tot_c.spikes,
           tot_n.detected, tot_n.spikes);

    /* False alarms on the same kind of series without any spike. */
    printf("False alarms per week per category, spike-free series (%d per base, %d weeks "
           "monitored each)\n\n",
           seeds * 12, WEEKS - WARM_WEEKS + 1);
    printf("| base/h | CUSUM FA/week | naive FA/week | CUSUM chance hits | naive chance hits "
           "| CUSUM FA/week, young baseline (h %d–%d) |\n|---:|---:|---:|---:|---:|---:|\n",
           cfg.min_hours, cfg.warmup_hours);
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
        struct result rc = {0}, rn = {0}, hc = {0}, hn = {0}, ry = {0};
        for (int s = 0; s < seeds * 12; s++) {
            struct insight_rng r = {0xabcdefULL + 31337ULL * b + (uint64_t)s * 2654435761ULL};
            series(&r, bases[b], 1, 6, 2, x, sp, &nsp);
            run_cusum(&cfg, x, r.s, raised, frac);
            score(raised, frac, sp, 0, &rc);
            score(raised, frac, sp, nsp, &hc);
            score_young(&cfg, raised, &ry);
            run_naive(x, raised);
            score(raised, NULL, sp, 0, &rn);
            score(raised, NULL, sp, nsp, &hn);
        }
        printf("| %.2f | %.3f | %.3f | %.1f%% | %.1f%% | %.3f |\n", bases[b],
               rc.false_alarms / rc.weeks, rn.false_alarms / rn.weeks,
               100.0 * hc.detected / hc.spikes, 100.0 * hn.detected / hn.spikes,
               ry.false_alarms / ry.weeks);
    }
    printf("\nChance hits: share of 6-hour windows (+%d h grace) \"detected\" on series where "
           "nothing was injected.\n",
           GRACE);
    young_spikes(&cfg, seeds, bases, (int)(sizeof bases / sizeof *bases));
    return 0;
}
