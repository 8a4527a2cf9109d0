/* stats.c — histograms, slope, median/MAD and the deterministic RNG. */
#include "insight/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

int insight_hist_bin(int64_t ms)
{
    if (ms < 1000)
        return 0;
    /* bin = floor(4 * log2(s)) + 1, computed in doubles; s >= 1 here. */
    double s = (double)ms / 1000.0;
    int b = (int)floor(4.0 * log2(s)) + 1;
    if (b < 1)
        b = 1;
    if (b > INSIGHT_HIST_BINS - 1)
        b = INSIGHT_HIST_BINS - 1;
    return b;
}

double insight_hist_lower_ms(int bin)
{
    if (bin <= 0)
        return 0.0;
    return 1000.0 * exp2((double)(bin - 1) / 4.0);
}

void insight_hist_add(struct insight_hist *h, int64_t ms)
{
    int b = insight_hist_bin(ms < 0 ? 0 : ms);
    if (h->n[b] < UINT32_MAX)
        h->n[b]++;
}

void insight_hist_sub(struct insight_hist *h, int64_t ms)
{
    int b = insight_hist_bin(ms < 0 ? 0 : ms);
    if (h->n[b] > 0)
        h->n[b]--;
}

void insight_hist_merge(struct insight_hist *dst, const struct insight_hist *src)
{
    for (int i = 0; i < INSIGHT_HIST_BINS; i++) {
        uint64_t v = (uint64_t)dst->n[i] + src->n[i];
        dst->n[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
}

uint64_t insight_hist_count(const struct insight_hist *h)
{
    uint64_t n = 0;
    for (int i = 0; i < INSIGHT_HIST_BINS; i++)
        n += h->n[i];
    return n;
}

double insight_hist_quantile(const struct insight_hist *h, double q)
{
    uint64_t n = insight_hist_count(h);
    if (n == 0 || !(q >= 0.0))
        return NAN;
    if (q > 1.0)
        q = 1.0;
    /* Rank in (0, n]: the smallest rank r with cum >= r. */
    double rank = q * (double)n;
    if (rank < 1.0)
        rank = 1.0;
    uint64_t cum = 0;
    for (int i = 0; i < INSIGHT_HIST_BINS; i++) {
        if (!h->n[i])
            continue;
        if ((double)(cum + h->n[i]) >= rank) {
            /* Position of the rank inside the bin, midpoints of equal
             * shares; interpolate geometrically between the edges. */
            double frac = (rank - (double)cum - 0.5) / (double)h->n[i];
            if (frac < 0)
                frac = 0;
            if (frac > 1)
                frac = 1;
            if (i == 0)
                return 1000.0 * frac;
            double lo = insight_hist_lower_ms(i);
            if (i == INSIGHT_HIST_BINS - 1)
                return lo;
            double hi = insight_hist_lower_ms(i + 1);
            return lo * pow(hi / lo, frac);
        }
        cum += h->n[i];
    }
    return insight_hist_lower_ms(INSIGHT_HIST_BINS - 1);
}

double insight_slope(const double *x, const double *y, size_t n, double *intercept)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i]) || isnan(x[i]))
            continue;
        sx += x[i];
        sy += y[i];
        m++;
    }
    if (intercept)
        *intercept = m ? sy / (double)m : 0.0;
    if (m < 2)
        return 0.0;
    double mx = sx / (double)m, my = sy / (double)m;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i]) || isnan(x[i]))
            continue;
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (sxx <= 0.0)
        return 0.0;
    double b = sxy / sxx;
    if (intercept)
        *intercept = my - b * mx;
    return b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double insight_median(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *c = xmalloc(n * sizeof *c);
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    free(c);
    return m;
}

double insight_mad(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double med = insight_median(v, n);
    double *d = xmalloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = fabs(v[i] - med);
    double m = insight_median(d, n);
    free(d);
    return m;
}

uint64_t insight_rng_next(struct insight_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double insight_rng_uniform(struct insight_rng *r)
{
    return (double)(insight_rng_next(r) >> 11) * 0x1.0p-53;
}

double insight_rng_normal(struct insight_rng *r)
{
    /* Box–Muller; u1 kept away from 0. */
    double u1 = insight_rng_uniform(r), u2 = insight_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

unsigned insight_rng_poisson(struct insight_rng *r, double lambda)
{
    if (!(lambda > 0))
        return 0;
    if (lambda > 60) {
        /* Normal approximation with continuity correction; fine for
         * synthetic series at these rates. */
        double v = lambda + sqrt(lambda) * insight_rng_normal(r) + 0.5;
        return v < 0 ? 0 : (unsigned)v;
    }
    double l = exp(-lambda), p = 1.0;
    unsigned k = 0;
    do {
        k++;
        p *= insight_rng_uniform(r);
    } while (p > l);
    return k - 1;
}

double insight_rng_gamma(struct insight_rng *r, double shape)
{
    if (!(shape >= 1.0) || !isfinite(shape))
        return NAN;
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = insight_rng_normal(r), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = insight_rng_uniform(r);
        if (u < 1e-300)
            continue;
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}
