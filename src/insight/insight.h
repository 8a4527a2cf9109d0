/* insight.h — the insight engines in one include: service metrics,
 * deviation alerts, complaint spikes, risk scores, ROI and SMART goals.
 * Each engine's contract is in its own header; see docs/insight.md. */
#ifndef PARLEY_INSIGHT_INSIGHT_H
#define PARLEY_INSIGHT_INSIGHT_H

#include "insight/deviation.h"
#include "insight/goals.h"
#include "insight/metrics.h"
#include "insight/risk.h"
#include "insight/roi.h"
#include "insight/spike.h"
#include "insight/stats.h"

#endif
