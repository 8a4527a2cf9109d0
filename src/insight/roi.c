/* roi.c — ROI of conflict resolution with its full, explained breakdown. */
#include "insight/roi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/utf8.h"

struct field_info {
    const char *name;
    int sided;
    const char *en, *ru;
};

static const struct field_info fields[INSIGHT_ROI__COUNT] = {
#define INSIGHT_ROI_INFO_(name, sided, en, ru) {#name, sided, en, ru},
    INSIGHT_ROI_FIELDS(INSIGHT_ROI_INFO_)
#undef INSIGHT_ROI_INFO_
};

static const char *const src_names[] = {"missing", "data", "entered"};

const char *insight_roi_field_name(enum insight_roi_field f)
{
    return (unsigned)f < INSIGHT_ROI__COUNT ? fields[f].name : "?";
}

int insight_roi_field_parse(const char *name, enum insight_roi_field *out)
{
    for (int i = 0; name && i < INSIGHT_ROI__COUNT; i++)
        if (!strcmp(name, fields[i].name)) {
            *out = (enum insight_roi_field)i;
            return 0;
        }
    return PL_EINVAL;
}

const char *insight_roi_explain(enum insight_roi_field f, const char *lang)
{
    if ((unsigned)f >= INSIGHT_ROI__COUNT)
        return "";
    return lang && !strcmp(lang, "ru") ? fields[f].ru : fields[f].en;
}

void insight_roi_inputs_init(struct insight_roi_inputs *in)
{
    memset(in, 0, sizeof *in);
    snprintf(in->currency, sizeof in->currency, "%s", "RUB");
}

int insight_roi_set(struct insight_roi_inputs *in, enum insight_roi_field f, bool baseline,
                    double v, enum insight_roi_source src, const char *note)
{
    if ((unsigned)f >= INSIGHT_ROI__COUNT || !isfinite(v) || v > 1e15)
        return PL_EINVAL;
    if (f == INSIGHT_ROI_sentiment_mean ? (v < -1.0 || v > 1.0) : v < 0.0)
        return PL_EINVAL;
    if (f == INSIGHT_ROI_retention_rate && v > 1.0)
        return PL_EINVAL;
    if (src != INSIGHT_SRC_DATA && src != INSIGHT_SRC_ENTERED)
        return PL_EINVAL;
    struct insight_roi_value *x = baseline && fields[f].sided ? &in->baseline[f] : &in->period[f];
    x->v = v;
    x->src = src;
    snprintf(x->note, sizeof x->note, "%s", note ? note : "");
    /* A note cut at the buffer size (or given badly) must stay valid UTF-8:
     * drop everything from the first invalid byte. */
    x->note[utf8_invalid_at(x->note, strlen(x->note))] = 0;
    return 0;
}

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return PL_EINVAL;
}

static int parse_value(struct insight_roi_inputs *in, const char *key, const json_t *v,
                       int section, char *err, size_t errlen)
{
    enum insight_roi_field f;
    const char *where = section == 0 ? "period" : section == 1 ? "baseline" : "assumptions";
    if (insight_roi_field_parse(key, &f))
        return fail(err, errlen, "%s: unknown input \"%.60s\"", where, key);
    if ((section == 2) == (fields[f].sided != 0))
        return fail(err, errlen, "%s: \"%s\" belongs in %s", where, key,
                    fields[f].sided ? "period/baseline" : "assumptions");
    double num;
    enum insight_roi_source src = INSIGHT_SRC_ENTERED;
    const char *note = NULL;
    if (json_is_number(v)) {
        num = json_number_value(v);
    } else if (json_is_object(v)) {
        const json_t *x = json_object_get(v, "value"), *s = json_object_get(v, "source"),
                     *n = json_object_get(v, "note");
        if (!json_is_number(x))
            return fail(err, errlen, "%s.%s: \"value\" must be a number", where, key);
        num = json_number_value(x);
        if (s) {
            const char *ss = json_string_value(s);
            if (ss && !strcmp(ss, "data"))
                src = INSIGHT_SRC_DATA;
            else if (!ss || strcmp(ss, "entered"))
                return fail(err, errlen, "%s.%s: source must be \"data\" or \"entered\"", where,
                            key);
        }
        if (n && !json_is_string(n))
            return fail(err, errlen, "%s.%s: note must be a string", where, key);
        note = json_string_value(n);
    } else {
        return fail(err, errlen, "%s.%s: expected a number or {\"value\":...}", where, key);
    }
    if (insight_roi_set(in, f, section == 1, num, src, note))
        return fail(err, errlen, "%s.%s: value %g is out of range", where, key, num);
    return 0;
}

static int parse_section(struct insight_roi_inputs *in, const json_t *sec, int section,
                         char *err, size_t errlen)
{
    const char *names[] = {"period", "baseline", "assumptions"};
    if (!sec)
        return 0;
    if (!json_is_object(sec))
        return fail(err, errlen, "\"%s\" must be an object", names[section]);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)sec, key, v) {
        if (section < 2 && (!strcmp(key, "from") || !strcmp(key, "to"))) {
            int64_t ms;
            if (!json_is_string(v) || clock_parse(json_string_value(v), &ms))
                return fail(err, errlen, "%s.%s: expected a date like \"2026-07-01\"",
                            names[section], key);
            int64_t *dst = section == 0 ? (key[0] == 'f' ? &in->period_from : &in->period_to)
                                        : (key[0] == 'f' ? &in->baseline_from : &in->baseline_to);
            *dst = ms;
            continue;
        }
        int rc = parse_value(in, key, v, section, err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

int insight_roi_parse(const json_t *j, struct insight_roi_inputs *in, char *err, size_t errlen)
{
    insight_roi_inputs_init(in);
    if (err && errlen)
        err[0] = 0;
    if (!json_is_object(j))
        return fail(err, errlen, "expected a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        if (strcmp(key, "currency") && strcmp(key, "period") && strcmp(key, "baseline") &&
            strcmp(key, "assumptions"))
            return fail(err, errlen, "unknown key \"%.60s\"", key);
    }
    const json_t *cur = json_object_get(j, "currency");
    if (cur) {
        const char *c = json_string_value(cur);
        if (!c || !*c || strlen(c) >= sizeof in->currency)
            return fail(err, errlen, "currency must be a short code like \"RUB\"");
        snprintf(in->currency, sizeof in->currency, "%s", c);
    }
    int rc;
    if ((rc = parse_section(in, json_object_get(j, "period"), 0, err, errlen)) ||
        (rc = parse_section(in, json_object_get(j, "baseline"), 1, err, errlen)) ||
        (rc = parse_section(in, json_object_get(j, "assumptions"), 2, err, errlen))) {
        insight_roi_inputs_init(in);
        return rc;
    }
    return 0;
}

/* Reads an input used by the formula; counts it if missing. */
static double use(const struct insight_roi_value *x, int *missing)
{
    if (x->src == INSIGHT_SRC_MISSING) {
        (*missing)++;
        return 0.0;
    }
    return x->v;
}

static double side_costs(const struct insight_roi_value *s, double hourly, int *missing,
                         struct insight_roi_result *r)
{
    double staff = use(&s[INSIGHT_ROI_staff_hours], missing) * hourly;
    double tech = use(&s[INSIGHT_ROI_technology], missing);
    double train = use(&s[INSIGHT_ROI_training], missing);
    double opp = use(&s[INSIGHT_ROI_opportunity], missing);
    double rep = use(&s[INSIGHT_ROI_reputation_repair], missing);
    double legal = use(&s[INSIGHT_ROI_legal], missing);
    double turn = use(&s[INSIGHT_ROI_turnover], missing);
    if (r) {
        r->staff_cost = staff;
        r->technology = tech;
        r->training = train;
        r->direct = staff + tech + train;
        r->opportunity = opp;
        r->reputation_repair = rep;
        r->legal = legal;
        r->turnover = turn;
        r->indirect = opp + rep + legal + turn;
    }
    return staff + tech + train + opp + rep + legal + turn;
}

void insight_roi_compute(const struct insight_roi_inputs *in, struct insight_roi_result *r)
{
    memset(r, 0, sizeof *r);
    const struct insight_roi_value *p = in->period, *b = in->baseline;
    int miss = 0, ignore = 0;
    double hourly = use(&p[INSIGHT_ROI_hourly_cost], &miss);
    r->costs = side_costs(p, hourly, &miss, r);
    r->baseline_costs = side_costs(b, hourly, &ignore, NULL);
    if (p[INSIGHT_ROI_retained_customers].src != INSIGHT_SRC_MISSING) {
        r->retained_customers = p[INSIGHT_ROI_retained_customers].v;
    } else {
        double n = use(&p[INSIGHT_ROI_conflict_customers], &miss);
        double lift = use(&p[INSIGHT_ROI_retention_rate], &miss) -
                      use(&b[INSIGHT_ROI_retention_rate], &miss);
        r->retained_customers = n * lift; /* may be negative: retention fell */
    }
    r->retention_benefit = r->retained_customers * use(&p[INSIGHT_ROI_clv], &miss);
    r->acquisition_saving = r->retained_customers * use(&p[INSIGHT_ROI_acquisition_cost], &miss);
    r->repeat_lift =
        use(&p[INSIGHT_ROI_repeat_revenue], &miss) - use(&b[INSIGHT_ROI_repeat_revenue], &miss);
    r->upsell_lift =
        use(&p[INSIGHT_ROI_upsell_revenue], &miss) - use(&b[INSIGHT_ROI_upsell_revenue], &miss);
    r->intangible_value = p[INSIGHT_ROI_intangible_value].v; /* optional: not "missing" */
    r->benefits = r->retention_benefit + r->acquisition_saving + r->repeat_lift +
                  r->upsell_lift + r->intangible_value;
    r->net = r->benefits - r->costs;
    r->roi = r->costs > 0 ? r->net / r->costs : NAN;
    r->missing = miss;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *line(const char *name, double v, const char *formula)
{
    return json_pack("{s:s,s:o,s:s}", "name", name, "value", num(v), "formula", formula);
}

static json_t *input_json(const struct insight_roi_value *x, enum insight_roi_field f,
                          const char *lang)
{
    return json_pack("{s:s,s:o,s:s,s:s,s:s}", "name", fields[f].name, "value",
                     x->src == INSIGHT_SRC_MISSING ? json_null() : num(x->v), "source",
                     src_names[x->src], "note", x->note, "explanation",
                     insight_roi_explain(f, lang));
}

static json_t *date_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[CLOCK_ISO_LEN];
    clock_format(ms, s);
    return json_string(s);
}

json_t *insight_roi_report(const struct insight_roi_inputs *in, const struct insight_roi_result *r,
                           const char *lang)
{
    json_t *direct = json_array(), *indirect = json_array(), *benefits = json_array();
    json_array_append_new(direct, line("staff", r->staff_cost, "staff_hours × hourly_cost"));
    json_array_append_new(direct, line("technology", r->technology, "technology"));
    json_array_append_new(direct, line("training", r->training, "training"));
    json_array_append_new(indirect, line("opportunity", r->opportunity, "opportunity"));
    json_array_append_new(indirect, line("reputation_repair", r->reputation_repair,
                                         "reputation_repair"));
    json_array_append_new(indirect, line("legal", r->legal, "legal"));
    json_array_append_new(indirect, line("turnover", r->turnover, "turnover"));
    json_array_append_new(benefits, line("retained_customers_value", r->retention_benefit,
                                         "retained_customers × clv"));
    json_array_append_new(benefits, line("acquisition_saving", r->acquisition_saving,
                                         "retained_customers × acquisition_cost"));
    json_array_append_new(benefits, line("repeat_revenue_lift", r->repeat_lift,
                                         "repeat_revenue − baseline repeat_revenue"));
    json_array_append_new(benefits, line("upsell_revenue_lift", r->upsell_lift,
                                         "upsell_revenue − baseline upsell_revenue"));
    json_array_append_new(benefits, line("intangible_value", r->intangible_value,
                                         "intangible_value (only if entered)"));
    json_t *inputs = json_array(), *intang = json_array();
    for (int f = 0; f < INSIGHT_ROI__COUNT; f++) {
        json_t *o = input_json(&in->period[f], (enum insight_roi_field)f, lang);
        json_object_set_new(o, "period", json_string(fields[f].sided ? "period" : "both"));
        json_array_append_new(inputs, o);
        if (fields[f].sided) {
            o = input_json(&in->baseline[f], (enum insight_roi_field)f, lang);
            json_object_set_new(o, "period", json_string("baseline"));
            json_array_append_new(inputs, o);
        }
    }
    const enum insight_roi_field soft[] = {INSIGHT_ROI_sentiment_mean, INSIGHT_ROI_review_score,
                                           INSIGHT_ROI_review_count,
                                           INSIGHT_ROI_employee_satisfaction};
    for (size_t i = 0; i < sizeof soft / sizeof *soft; i++) {
        const struct insight_roi_value *p = &in->period[soft[i]], *b = &in->baseline[soft[i]];
        bool both = p->src && b->src;
        json_array_append_new(
            intang, json_pack("{s:s,s:o,s:o,s:o,s:s}", "name", fields[soft[i]].name, "period",
                              p->src ? num(p->v) : json_null(), "baseline",
                              b->src ? num(b->v) : json_null(), "change",
                              both ? num(p->v - b->v) : json_null(), "explanation",
                              insight_roi_explain(soft[i], lang)));
    }
    bool ru = lang && !strcmp(lang, "ru");
    return json_pack(
        "{s:s,s:{s:o,s:o},s:{s:o,s:o},s:o,s:o,s:o,s:o,s:o,s:o,s:i,"
        "s:{s:o,s:o,s:o,s:o,s:o},s:{s:o,s:o,s:o},s:o,s:o,s:s}",
        "currency", in->currency, "period", "from", date_or_null(in->period_from), "to",
        date_or_null(in->period_to), "baseline", "from", date_or_null(in->baseline_from), "to",
        date_or_null(in->baseline_to), "roi", num(r->roi), "roi_percent", num(r->roi * 100.0),
        "net", num(r->net), "costs_total", num(r->costs), "benefits_total", num(r->benefits),
        "baseline_costs", num(r->baseline_costs), "missing_inputs", r->missing, "costs",
        "direct", num(r->direct), "indirect", num(r->indirect), "total", num(r->costs),
        "direct_lines", direct, "indirect_lines", indirect, "benefits", "total",
        num(r->benefits), "retained_customers", num(r->retained_customers), "lines", benefits,
        "intangible", intang, "inputs", inputs, "formula",
        ru ? "ROI = (выгоды − затраты) / затраты; выгоды — прирост относительно базового периода"
           : "ROI = (benefits − costs) / costs; benefits are the increment over the baseline "
             "period");
}
