// The analysis settings of a namespace: its policy over the defaults, settling derived from how Prometheus is read.
import type { NamespacePolicy } from "../approvals/policy.ts";
import type { AnalysisSettings } from "./analysis.ts";
import type { AnalysisMetric } from "./analysis-words.ts";
import { thresholdsFor } from "./health.ts";

/** How Prometheus is read: its scrape interval and the rate() window Graydesk queries with. */
export interface AnalysisTiming {
  rateWindowSeconds: number;
  scrapeIntervalSeconds: number;
}

export const DEFAULT_TIMING: AnalysisTiming = { rateWindowSeconds: 60, scrapeIntervalSeconds: 15 };

export const DEFAULT_MIN_REQUESTS = 50;

export const DEFAULT_REPOST_WORSE_BY = { successPoints: 5, p99Ms: 250, driftPoints: 10 };

type AnalysisPolicyPart = Pick<NamespacePolicy, "thresholds" | "analysis">;

/**
 * After a change, a rate() window holds only new traffic once the window has passed, plus up to one scrape
 * before it and one after: until then the observed numbers mix the old split with the new.
 */
export function defaultSettleSeconds(timing: AnalysisTiming): number {
  return timing.rateWindowSeconds + 2 * timing.scrapeIntervalSeconds;
}

export function analysisSettings(
  policy: AnalysisPolicyPart | undefined,
  timing: AnalysisTiming = DEFAULT_TIMING,
): AnalysisSettings {
  return {
    ...thresholdsFor(policy),
    settleSeconds: policy?.analysis?.settleSeconds ?? defaultSettleSeconds(timing),
    minRequests: policy?.analysis?.minRequests ?? DEFAULT_MIN_REQUESTS,
  };
}

/** How much worse a breach must get, in the metric's unit, before it is posted again. */
export function repostMargin(metric: AnalysisMetric, policy: AnalysisPolicyPart | undefined): number {
  const worse = { ...DEFAULT_REPOST_WORSE_BY, ...(policy?.analysis?.repostWorseBy ?? {}) };
  switch (metric) {
    case "success-rate":
    case "success-rate-vs-stable":
      return worse.successPoints;
    case "p99":
    case "p99-vs-stable":
      return worse.p99Ms;
    case "drift":
      return worse.driftPoints;
  }
}
