// The analysis's verdicts in the user's words: which number, which limit, and why nothing is judged yet.
import type { Version } from "../release/index.ts";
import { formatMs, formatRatio, formatShare } from "./format.ts";

export type AnalysisMetric = "success-rate" | "p99" | "success-rate-vs-stable" | "p99-vs-stable" | "drift";

/** Short names of the metrics for audit records and compact lines. */
export const METRIC_WORDS: Record<AnalysisMetric, string> = {
  "success-rate": "success rate",
  p99: "p99 latency",
  "success-rate-vs-stable": "success rate against stable",
  "p99-vs-stable": "p99 latency against stable",
  drift: "traffic share",
};

export function failText(f: {
  version: Version;
  stable: Version;
  metric: AnalysisMetric;
  value: number;
  threshold: number;
  base: number | undefined;
  settings: { maxDriftPoints: number; maxSuccessDropPoints: number; maxP99VsStable: number };
}): string {
  const { version, stable, value, threshold, base, settings } = f;
  switch (f.metric) {
    case "success-rate":
      return `${version}: ${formatRatio(value)} of requests succeeded, below the ${formatRatio(threshold)} minimum.`;
    case "p99":
      return `${version}: p99 latency is ${formatMs(value)}, above the ${formatMs(threshold)} limit.`;
    case "success-rate-vs-stable":
      return (
        `${version}: ${formatRatio(value)} of requests succeeded, ${(((base ?? 0) - value) * 100).toFixed(1)} points ` +
        `below ${stable}'s ${formatRatio(base)} (at most ${settings.maxSuccessDropPoints} allowed).`
      );
    case "p99-vs-stable":
      return (
        `${version}: p99 latency is ${formatMs(value)} against ${stable}'s ${formatMs(base)}, above the ` +
        `${formatMs(threshold)} allowed (${settings.maxP99VsStable}× ${stable}).`
      );
    case "drift":
      return (
        `${version}: gets ${formatShare(value)} of served traffic, ${Math.round(Math.abs(value - threshold))} points ` +
        `away from the configured ${formatShare(threshold)} (at most ${settings.maxDriftPoints} allowed).`
      );
  }
}

export function inconclusiveText(
  version: Version,
  reason: "settling" | "too-few-requests" | "no-data",
  n: { settlesAt?: number; requests?: number; minRequests?: number },
): string {
  switch (reason) {
    case "settling": {
      // A Slack date token: each reader sees the time in their own zone (the fallback for clients that cannot).
      const at = n.settlesAt ?? 0;
      const fallback = `${new Date(at).toISOString().slice(11, 19)} UTC`;
      return `${version}: settling after the last change until <!date^${Math.floor(at / 1000)}^{time_secs}|${fallback}>; nothing is judged before.`;
    }
    case "too-few-requests":
      return `${version}: ${Math.round(n.requests ?? 0)} requests in the last check, fewer than the ${n.minRequests} needed to judge.`;
    case "no-data":
      return `${version}: no check since the last change settled yet.`;
  }
}
