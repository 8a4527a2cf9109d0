/* test_insight.c — runs every insight test group. */
#include "insight/insight.h"
#include "test_insight.h"

int main(void)
{
    int fails = 0;
    fails += run_metrics_tests();
    fails += run_spike_tests();
    fails += run_roi_tests();
    fails += run_goals_tests();
    fails += run_risk_tests();
    fails += run_risk_track_tests();
    fails += run_deviation_tests();
    fails += run_robust_tests();
    return fails ? 1 : 0;
}
