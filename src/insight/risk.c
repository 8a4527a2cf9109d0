/* risk.c — logistic risk models: features, Newton training, explanations,
 * AUC, calibration and the checksummed model file. */
#include "insight/risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fnv.h"
#include "base/xalloc.h"
#include "model/model.h"

struct feat {
    const char *name, *en, *ru;
};

static const struct feat ticket_feats[] = {
    {"anger_max", "strongest anger", "максимальный гнев"},
    {"negativity_max", "most negative message", "самое негативное сообщение"},
    {"negativity_trend", "mood getting worse", "настроение ухудшается"},
    {"cues", "escalation cues (leave, sue, go public)", "сигналы эскалации (уйти, суд, огласка)"},
    {"log_wait_hours", "customer waiting", "ожидание клиента"},
    {"reopen_count", "reopened before", "повторные открытия"},
    {"log_repeat_contacts", "repeat contacts", "повторные обращения"},
    {"priority", "priority", "приоритет"},
    {"log_messages", "customer messages", "сообщения клиента"},
    {"log_agent_replies", "agent replies so far", "ответы сотрудников"},
    {"tier", "loyalty tier", "уровень лояльности"},
    {"log_first_response_hours", "slow first response", "долгий первый ответ"},
    {"channel_chat", "chat channel", "канал: чат"},
    {"channel_phone", "phone channel", "канал: телефон"},
    {"channel_social", "social media channel", "канал: соцсети"},
    {"channel_web", "web form channel", "канал: веб-форма"},
};
#define TICKET_D ((int)(sizeof ticket_feats / sizeof *ticket_feats))

static const struct feat customer_feats[] = {
    {"log_contacts_90d", "contacts in the last 90 days", "обращения за 90 дней"},
    {"negative_share", "share of negative messages", "доля негативных сообщений"},
    {"unresolved", "unresolved tickets", "нерешённые обращения"},
    {"csat_gap", "low satisfaction scores", "низкие оценки удовлетворённости"},
    {"low_csat", "surveys rated 1–2", "оценки 1–2"},
    {"log_tenure_days", "long-standing customer", "давний клиент"},
    {"log_days_since_contact", "time since last contact", "время с последнего обращения"},
    {"escalations", "escalations", "эскалации"},
    {"tier", "loyalty tier", "уровень лояльности"},
};
#define CUSTOMER_D ((int)(sizeof customer_feats / sizeof *customer_feats))

static const char *const kind_names[INSIGHT_RISK__COUNT] = {"escalation", "low_csat", "churn"};

const char *insight_risk_kind_name(enum insight_risk_kind k)
{
    return (unsigned)k < INSIGHT_RISK__COUNT ? kind_names[k] : "?";
}

int insight_risk_kind_parse(const char *s, enum insight_risk_kind *out)
{
    for (int i = 0; s && i < INSIGHT_RISK__COUNT; i++)
        if (!strcmp(s, kind_names[i])) {
            *out = (enum insight_risk_kind)i;
            return 0;
        }
    return PL_EINVAL;
}

static const struct feat *feats(enum insight_risk_kind k, int *d)
{
    if (k == INSIGHT_RISK_CHURN) {
        *d = CUSTOMER_D;
        return customer_feats;
    }
    *d = TICKET_D;
    return ticket_feats;
}

int insight_risk_nfeatures(enum insight_risk_kind k)
{
    int d;
    feats(k, &d);
    return d;
}

const char *insight_risk_feature_name(enum insight_risk_kind k, int j)
{
    int d;
    const struct feat *f = feats(k, &d);
    return j >= 0 && j < d ? f[j].name : "?";
}

const char *insight_risk_feature_label(enum insight_risk_kind k, int j, const char *lang)
{
    int d;
    const struct feat *f = feats(k, &d);
    if (j < 0 || j >= d)
        return "?";
    return lang && !strcmp(lang, "ru") ? f[j].ru : f[j].en;
}

/* Clamp to a sane range so one absurd input cannot dominate a score. */
static double clampd(double v, double lo, double hi)
{
    if (!(v >= lo))
        return lo; /* also NaN */
    return v > hi ? hi : v;
}

static double log1pc(double v, double hi)
{
    return log1p(clampd(v, 0, hi));
}

int insight_ticket_vector(const struct insight_ticket_features *f, double *x)
{
    x[0] = clampd(f->anger_max, 0, 1);
    x[1] = clampd(f->negativity_max, 0, 1);
    x[2] = clampd(f->negativity_trend, -1, 1);
    x[3] = clampd(f->cues, 0, 10);
    x[4] = log1pc(f->wait_hours, 24 * 365);
    x[5] = clampd(f->reopen_count, 0, 20);
    x[6] = log1pc(f->repeat_contacts, 1000);
    x[7] = clampd(f->priority, 0, PRIORITY__COUNT - 1);
    x[8] = log1pc(f->messages, 10000);
    x[9] = log1pc(f->agent_replies, 10000);
    x[10] = clampd(f->tier, 0, 10);
    x[11] = log1pc(f->first_response_hours, 24 * 365);
    x[12] = f->channel == CHANNEL_CHAT;
    x[13] = f->channel == CHANNEL_PHONE;
    x[14] = f->channel == CHANNEL_SOCIAL;
    x[15] = f->channel == CHANNEL_WEB;
    return TICKET_D;
}

int insight_customer_vector(const struct insight_customer_features *f, double *x)
{
    x[0] = log1pc(f->contacts_90d, 100000);
    x[1] = clampd(f->negative_share, 0, 1);
    x[2] = clampd(f->unresolved, 0, 1000);
    x[3] = f->csat_mean >= 1 ? 5.0 - clampd(f->csat_mean, 1, 5) : 0.0;
    x[4] = clampd(f->low_csat, 0, 1000);
    x[5] = log1pc(f->tenure_days, 36500);
    x[6] = log1pc(f->days_since_contact, 36500);
    x[7] = clampd(f->escalations, 0, 1000);
    x[8] = clampd(f->tier, 0, 10);
    return CUSTOMER_D;
}

/* ---- training ----------------------------------------------------------- */

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* Solves A·x = b in place (A symmetric positive definite, k × k) by
 * Cholesky; returns -1 if A is not positive definite. */
static int cholesky_solve(double *A, double *b, int k)
{
    for (int j = 0; j < k; j++) {
        double s = A[j * k + j];
        for (int p = 0; p < j; p++)
            s -= A[j * k + p] * A[j * k + p];
        if (s <= 1e-300)
            return -1;
        A[j * k + j] = sqrt(s);
        for (int i = j + 1; i < k; i++) {
            double t = A[i * k + j];
            for (int p = 0; p < j; p++)
                t -= A[i * k + p] * A[j * k + p];
            A[i * k + j] = t / A[j * k + j];
        }
    }
    for (int i = 0; i < k; i++) {
        double t = b[i];
        for (int p = 0; p < i; p++)
            t -= A[i * k + p] * b[p];
        b[i] = t / A[i * k + i];
    }
    for (int i = k - 1; i >= 0; i--) {
        double t = b[i];
        for (int p = i + 1; p < k; p++)
            t -= A[p * k + i] * b[p];
        b[i] = t / A[i * k + i];
    }
    return 0;
}

int insight_risk_train(struct insight_risk_model *m, enum insight_risk_kind kind, const double *X,
                       const int *y, size_t n, double l2)
{
    if (!m || !X || !y || n < 2 || (unsigned)kind >= INSIGHT_RISK__COUNT || !(l2 >= 0) ||
        !isfinite(l2))
        return PL_EINVAL;
    memset(m, 0, sizeof *m);
    int d = insight_risk_nfeatures(kind);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return PL_EINVAL;
        pos += (size_t)y[i];
        for (int j = 0; j < d; j++)
            if (!isfinite(X[i * (size_t)d + (size_t)j]))
                return PL_EINVAL;
    }
    if (pos == 0 || pos == n)
        return PL_EINVAL;
    m->kind = kind;
    m->d = d;
    m->l2 = l2;
    m->n_train = (int64_t)n;
    m->prevalence = (double)pos / (double)n;
    /* Standardise so one penalty fits all features and weights compare. */
    for (int j = 0; j < d; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            s += X[i * (size_t)d + (size_t)j];
        double mu = s / (double)n;
        for (size_t i = 0; i < n; i++) {
            double v = X[i * (size_t)d + (size_t)j] - mu;
            ss += v * v;
        }
        double sd = sqrt(ss / (double)n);
        m->mean[j] = mu;
        m->sd[j] = sd > 1e-12 ? sd : 1.0; /* constant feature: weight stays ~0 */
    }
    int k = d + 1; /* bias last */
    double *H = xmalloc((size_t)k * (size_t)k * sizeof *H), *g = xmalloc((size_t)k * sizeof *g);
    double beta[INSIGHT_RISK_MAX_FEATURES + 1] = {0}, z[INSIGHT_RISK_MAX_FEATURES + 1];
    beta[d] = log(m->prevalence / (1.0 - m->prevalence));
    int rc = 0;
    for (int it = 0; it < 50; it++) {
        memset(H, 0, (size_t)k * (size_t)k * sizeof *H);
        memset(g, 0, (size_t)k * sizeof *g);
        for (size_t i = 0; i < n; i++) {
            double eta = beta[d];
            for (int j = 0; j < d; j++) {
                z[j] = (X[i * (size_t)d + (size_t)j] - m->mean[j]) / m->sd[j];
                eta += beta[j] * z[j];
            }
            z[d] = 1.0;
            double p = sigmoid(eta), w = p * (1.0 - p), r = p - y[i];
            if (w < 1e-10)
                w = 1e-10;
            for (int a = 0; a < k; a++) {
                g[a] += r * z[a];
                for (int b = 0; b <= a; b++)
                    H[a * k + b] += w * z[a] * z[b];
            }
        }
        for (int a = 0; a < k; a++)
            for (int b = 0; b < a; b++)
                H[b * k + a] = H[a * k + b];
        for (int j = 0; j < d; j++) {
            g[j] += l2 * beta[j];
            H[j * k + j] += l2;
        }
        for (int a = 0; a < k; a++)
            H[a * k + a] += 1e-9; /* keeps separable data solvable */
        if (cholesky_solve(H, g, k)) {
            rc = PL_EINVAL;
            break;
        }
        double step = 0;
        for (int a = 0; a < k; a++) {
            beta[a] -= g[a];
            step = fmax(step, fabs(g[a]));
        }
        if (step < 1e-9)
            break;
    }
    free(H);
    free(g);
    if (rc)
        return rc;
    for (int j = 0; j < d; j++)
        m->w[j] = beta[j];
    m->bias = beta[d];
    return 0;
}

static double logit(const struct insight_risk_model *m, const double *x)
{
    double eta = m->bias;
    for (int j = 0; j < m->d; j++)
        eta += m->w[j] * (x[j] - m->mean[j]) / m->sd[j];
    return eta;
}

double insight_risk_predict(const struct insight_risk_model *m, const double *x)
{
    return sigmoid(logit(m, x));
}

int insight_risk_explain(const struct insight_risk_model *m, const double *x, const char *lang,
                         struct insight_risk_factor *out, int k)
{
    struct insight_risk_factor all[INSIGHT_RISK_MAX_FEATURES];
    int d = m->d;
    for (int j = 0; j < d; j++) {
        all[j].feature = j;
        all[j].name = insight_risk_feature_name(m->kind, j);
        all[j].label = insight_risk_feature_label(m->kind, j, lang);
        all[j].value = x[j];
        all[j].contribution = m->w[j] * (x[j] - m->mean[j]) / m->sd[j];
    }
    /* Selection sort of the top k: d is at most 24. */
    int n = k < d ? k : d;
    for (int i = 0; i < n; i++) {
        int best = i;
        for (int j = i + 1; j < d; j++)
            if (fabs(all[j].contribution) > fabs(all[best].contribution))
                best = j;
        struct insight_risk_factor t = all[i];
        all[i] = all[best];
        all[best] = t;
        out[i] = all[i];
    }
    return n < 0 ? 0 : n;
}

json_t *insight_risk_prediction_json(const struct insight_risk_model *m, const double *x,
                                     const char *lang, int k)
{
    struct insight_risk_factor f[INSIGHT_RISK_MAX_FEATURES];
    if (k > INSIGHT_RISK_MAX_FEATURES)
        k = INSIGHT_RISK_MAX_FEATURES;
    int n = insight_risk_explain(m, x, lang, f, k);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:f}", "name", f[i].name, "label",
                                             f[i].label, "value", f[i].value, "contribution",
                                             f[i].contribution));
    return json_pack("{s:s,s:f,s:o}", "kind", insight_risk_kind_name(m->kind), "probability",
                     insight_risk_predict(m, x), "factors", arr);
}

/* ---- evaluation ----------------------------------------------------------- */

struct ranked {
    double s;
    int y;
};

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const struct ranked *)a)->s, y = ((const struct ranked *)b)->s;
    return (x > y) - (x < y);
}

double insight_auc(const double *score, const int *y, size_t n)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i] != 0;
    if (pos == 0 || pos == n)
        return NAN;
    struct ranked *r = xmalloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){score[i], y[i] != 0};
    qsort(r, n, sizeof *r, cmp_ranked);
    /* Mann–Whitney: sum of the positives' ranks, ties at their mid-rank. */
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && r[j + 1].s == r[i].s)
            j++;
        double mid = 0.5 * ((double)i + (double)j) + 1.0;
        for (size_t t = i; t <= j; t++)
            if (r[t].y)
                rank_sum += mid;
        i = j + 1;
    }
    free(r);
    double np = (double)pos, nn = (double)(n - pos);
    return (rank_sum - np * (np + 1) / 2) / (np * nn);
}

void insight_calibrate(const double *p, const int *y, size_t n, int bins,
                       struct insight_calibration *out)
{
    memset(out, 0, sizeof *out);
    if (bins < 1)
        bins = 1;
    if (bins > INSIGHT_CALIB_MAX_BINS)
        bins = INSIGHT_CALIB_MAX_BINS;
    out->bins = bins;
    double sp[INSIGHT_CALIB_MAX_BINS] = {0}, sy[INSIGHT_CALIB_MAX_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        double v = clampd(p[i], 0, 1);
        int b = (int)(v * bins);
        if (b >= bins)
            b = bins - 1;
        out->count[b]++;
        sp[b] += v;
        sy[b] += y[i] != 0;
        out->brier += (v - (y[i] != 0)) * (v - (y[i] != 0));
    }
    if (!n)
        return;
    out->brier /= (double)n;
    for (int b = 0; b < bins; b++) {
        if (!out->count[b]) {
            out->mean_pred[b] = out->observed[b] = NAN;
            continue;
        }
        out->mean_pred[b] = sp[b] / (double)out->count[b];
        out->observed[b] = sy[b] / (double)out->count[b];
        out->ece += (double)out->count[b] / (double)n * fabs(out->observed[b] - out->mean_pred[b]);
    }
}

/* ---- model file ------------------------------------------------------------ */

void insight_risk_save(const struct insight_risk_model *m, struct buf *out)
{
    size_t start = out->len;
    buf_printf(out, "parley-risk 1\nkind %s\nfeatures %d\nbias %.17g\nl2 %.17g\n",
               insight_risk_kind_name(m->kind), m->d, m->bias, m->l2);
    buf_printf(out, "n_train %lld\nprevalence %.17g\n", (long long)m->n_train, m->prevalence);
    for (int j = 0; j < m->d; j++)
        buf_printf(out, "w %s %.17g %.17g %.17g\n", insight_risk_feature_name(m->kind, j), m->w[j],
                   m->mean[j], m->sd[j]);
    uint64_t h = fnv1a(FNV1A_INIT, out->ptr + start, out->len - start);
    buf_printf(out, "checksum %016llx\n", (unsigned long long)h);
}

/* Reads one line from *p (bounded by end) into line (NUL-terminated). */
static int next_line(const char **p, const char *end, char *line, size_t cap)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return -1;
    size_t len = (size_t)(nl - *p);
    if (len >= cap)
        return -1;
    memcpy(line, *p, len);
    line[len] = 0;
    *p = nl + 1;
    return 0;
}

static int parse_num(const char *s, double *out)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || *e || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int insight_risk_load(const char *text, size_t len, struct insight_risk_model *m)
{
    if (!text || !m || len < 14 || memcmp(text, "parley-risk ", 12))
        return PL_EFORMAT;
    if (memcmp(text, "parley-risk 1\n", 14))
        return PL_EFORMAT; /* another version */
    /* The checksum line is the last line; verify before trusting anything. */
    const char *end = text + len;
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    const char *cl = end;
    while (cl > text && cl[-1] != '\n')
        cl--;
    char tail[64], expect[64];
    size_t tl = (size_t)(end - cl);
    if (tl >= sizeof tail)
        return PL_EFORMAT;
    memcpy(tail, cl, tl);
    tail[tl] = 0;
    if (strncmp(tail, "checksum ", 9))
        return PL_EFORMAT;
    /* Compared as text, exactly as written: the same value in capitals or
     * with a sign is still a different file. */
    snprintf(expect, sizeof expect, "checksum %016llx",
             (unsigned long long)fnv1a(FNV1A_INIT, text, (size_t)(cl - text)));
    if (strcmp(tail, expect))
        return PL_ECHECKSUM;

    struct insight_risk_model t;
    memset(&t, 0, sizeof t);
    const char *p = text;
    char line[256], word[64], name[64];
    int d = -1;
    long long ntr = 0;
    next_line(&p, cl, line, sizeof line); /* header, already checked */
    if (next_line(&p, cl, line, sizeof line) || sscanf(line, "kind %63s", word) != 1 ||
        insight_risk_kind_parse(word, &t.kind))
        return PL_EFORMAT;
    if (next_line(&p, cl, line, sizeof line) || sscanf(line, "features %d", &d) != 1 ||
        d != insight_risk_nfeatures(t.kind))
        return PL_EFORMAT;
    t.d = d;
    if (next_line(&p, cl, line, sizeof line) || strncmp(line, "bias ", 5) ||
        parse_num(line + 5, &t.bias))
        return PL_EFORMAT;
    if (next_line(&p, cl, line, sizeof line) || strncmp(line, "l2 ", 3) ||
        parse_num(line + 3, &t.l2))
        return PL_EFORMAT;
    if (next_line(&p, cl, line, sizeof line) || sscanf(line, "n_train %lld", &ntr) != 1)
        return PL_EFORMAT;
    t.n_train = ntr;
    if (next_line(&p, cl, line, sizeof line) || strncmp(line, "prevalence ", 11) ||
        parse_num(line + 11, &t.prevalence))
        return PL_EFORMAT;
    for (int j = 0; j < d; j++) {
        double w, mu, sd;
        if (next_line(&p, cl, line, sizeof line) ||
            sscanf(line, "w %63s %lf %lf %lf", name, &w, &mu, &sd) != 4 ||
            strcmp(name, insight_risk_feature_name(t.kind, j)) || !isfinite(w) ||
            !isfinite(mu) || !(sd > 0) || !isfinite(sd))
            return PL_EFORMAT;
        t.w[j] = w;
        t.mean[j] = mu;
        t.sd[j] = sd;
    }
    if (p != cl)
        return PL_EFORMAT;
    *m = t;
    return 0;
}
