/* roi.h — return on investment of conflict resolution (seed 002).
 *
 * ROI = (benefits − costs) / costs for a period, where
 *   costs    = direct (staff hours × hourly cost + technology + training)
 *            + indirect (opportunity + reputation repair + legal + turnover),
 *   benefits = incremental over a baseline period:
 *              retained customers × lifetime value
 *            + retained customers × acquisition cost avoided
 *            + (repeat revenue − baseline repeat revenue)
 *            + (upsell revenue − baseline upsell revenue)
 *            + intangible value, only if the user puts a number on it;
 *   retained customers = customers in conflict × (retention − baseline
 *   retention), unless entered directly.
 * Sentiment, reviews and employee satisfaction are reported side by side
 * for both periods, not monetised. Every input carries its source (computed
 * from data or entered), a note, and a built-in explanation in en and ru.
 * Worked example: docs/insight.md. */
#ifndef PARLEY_INSIGHT_ROI_H
#define PARLEY_INSIGHT_ROI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* name, per period (1) or one assumption for both (0), explanation en, ru */
#define INSIGHT_ROI_FIELDS(X)                                                                   \
    X(staff_hours, 1, "Agent hours spent on conflict cases in the period",                      \
      "Часы сотрудников, затраченные на конфликтные обращения за период")                      \
    X(hourly_cost, 0, "Fully loaded cost of one staff hour",                                    \
      "Полная стоимость одного часа работы сотрудника")                                         \
    X(technology, 1, "Technology: software, licences, infrastructure for the period",          \
      "Технологии: ПО, лицензии, инфраструктура за период")                                     \
    X(training, 1, "Training in conflict management for the period",                           \
      "Обучение конфликт-менеджменту за период")                                                \
    X(opportunity, 1, "Opportunity cost: work not done while handling conflicts",               \
      "Альтернативные издержки: работа, не сделанная из-за конфликтов")                        \
    X(reputation_repair, 1, "Reputation repair: PR, compensation, public responses",            \
      "Восстановление репутации: PR, компенсации, публичные ответы")                            \
    X(legal, 1, "Legal costs of disputes", "Юридические расходы по спорам")                     \
    X(turnover, 1, "Staff turnover caused by conflict work (hiring, onboarding)",               \
      "Текучесть персонала из-за конфликтной нагрузки (найм, адаптация)")                       \
    X(conflict_customers, 1, "Customers who had a complaint or conflict in the period",          \
      "Клиенты, у которых была жалоба или конфликт за период")                                  \
    X(retention_rate, 1, "Share of them who ordered again within 30 days of the conflict (0..1)", \
      "Доля из них, сделавших заказ в течение 30 дней после конфликта (0..1)")                  \
    X(retained_customers, 0, "Extra customers kept (overrides the retention computation)",      \
      "Дополнительно удержанные клиенты (заменяет расчёт по удержанию)")                         \
    X(clv, 0, "Customer lifetime value", "Пожизненная ценность клиента (CLV)")                  \
    X(acquisition_cost, 0, "Cost to acquire a new customer, avoided per customer kept",         \
      "Стоимость привлечения нового клиента, сэкономленная на каждом удержанном")              \
    X(repeat_revenue, 1, "Revenue from repeat orders of customers after a resolved conflict",   \
      "Выручка от повторных заказов клиентов после урегулированного конфликта")                 \
    X(upsell_revenue, 1, "Upsell and cross-sell revenue from those customers",                 \
      "Выручка от допродаж этим клиентам")                                                      \
    X(intangible_value, 0, "Money value the user assigns to intangible benefits (optional)",     \
      "Денежная оценка нематериальных выгод, если пользователь её задаёт")                     \
    X(sentiment_mean, 1, "Mean sentiment of customer messages (−1..1), reported only",           \
      "Средняя тональность сообщений клиентов (−1..1), только для отчёта")                      \
    X(review_score, 1, "Average public review score, reported only",                             \
      "Средняя оценка в отзывах, только для отчёта")                                            \
    X(review_count, 1, "Number of public reviews, reported only",                                \
      "Количество отзывов, только для отчёта")                                                  \
    X(employee_satisfaction, 1, "Employee satisfaction score, reported only",                    \
      "Удовлетворённость сотрудников, только для отчёта")

enum insight_roi_field {
#define INSIGHT_ROI_ENUM_(name, sided, en, ru) INSIGHT_ROI_##name,
    INSIGHT_ROI_FIELDS(INSIGHT_ROI_ENUM_)
#undef INSIGHT_ROI_ENUM_
    INSIGHT_ROI__COUNT
};

enum insight_roi_source { INSIGHT_SRC_MISSING, INSIGHT_SRC_DATA, INSIGHT_SRC_ENTERED };

struct insight_roi_value {
    double v;
    enum insight_roi_source src;
    char note[200];
};

/* Global (non per-period) fields live in period[]. */
struct insight_roi_inputs {
    char currency[8];
    int64_t period_from, period_to, baseline_from, baseline_to;   /* ms, 0 = not given */
    struct insight_roi_value period[INSIGHT_ROI__COUNT];
    struct insight_roi_value baseline[INSIGHT_ROI__COUNT];
};

const char *insight_roi_field_name(enum insight_roi_field f);
int insight_roi_field_parse(const char *name, enum insight_roi_field *out);
/* Static explanation of a field in "en" or "ru" (anything else → en). */
const char *insight_roi_explain(enum insight_roi_field f, const char *lang);

void insight_roi_inputs_init(struct insight_roi_inputs *in);
/* Sets one input, e.g. from data the desk computed. baseline selects the
 * baseline period (ignored for global fields). note may be NULL.
 * PL_EINVAL for a value out of range (negative; rates outside 0..1;
 * sentiment outside −1..1). */
int insight_roi_set(struct insight_roi_inputs *in, enum insight_roi_field f, bool baseline,
                    double v, enum insight_roi_source src, const char *note);

/* Parses
 *   {"currency":"RUB",
 *    "period":{"from":"2026-07-01","to":"2026-10-01","staff_hours":1200,...},
 *    "baseline":{...same per-period fields...},
 *    "assumptions":{"hourly_cost":{"value":800,"source":"entered","note":"HR"},...}}
 * where every value is a number or {"value":n,"source":"data|entered","note":s}.
 * Unknown fields, wrong types or out-of-range values → PL_EINVAL with a
 * message in err (may be NULL); never crashes. */
int insight_roi_parse(const json_t *j, struct insight_roi_inputs *in, char *err, size_t errlen);

struct insight_roi_result {
    double staff_cost, technology, training, direct;
    double opportunity, reputation_repair, legal, turnover, indirect;
    double costs, baseline_costs;
    double retained_customers, retention_benefit, acquisition_saving, repeat_lift, upsell_lift,
        intangible_value, benefits;
    double net;           /* benefits − costs */
    double roi;           /* net / costs; NAN when costs are 0 */
    int missing;          /* inputs used in the formula but not given (taken as 0) */
};

void insight_roi_compute(const struct insight_roi_inputs *in, struct insight_roi_result *out);
/* The full report: ROI, the breakdown with a formula per line, every input
 * with its source, note and explanation (lang "en"/"ru"), intangibles of
 * both periods. New JSON object; caller decrefs. */
json_t *insight_roi_report(const struct insight_roi_inputs *in, const struct insight_roi_result *r,
                           const char *lang);

#endif
