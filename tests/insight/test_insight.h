/* test_insight.h — the groups of the insight test executable. */
#ifndef PARLEY_TEST_INSIGHT_H
#define PARLEY_TEST_INSIGHT_H

int run_metrics_tests(void);
int run_spike_tests(void);
int run_roi_tests(void);
int run_goals_tests(void);
int run_risk_tests(void);
int run_risk_track_tests(void);
int run_deviation_tests(void);
int run_robust_tests(void);

#endif
