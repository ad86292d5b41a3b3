// Canary analysis: the checks taken since the last traffic change, judged per version against fixed limits and
// against the stable version, into pass, fail or inconclusive, counting consecutive failed checks as Flagger
// does. Pure: the watch feeds it samples, the views and policy act on its verdicts.
import type { Version } from "../release/index.ts";
import { type AnalysisMetric, failText, inconclusiveText } from "./analysis-words.ts";

export type { AnalysisMetric } from "./analysis-words.ts";

/** One version's numbers in one check, over the check's rate window. */
export interface VersionSample {
  /** Requests answered in the rate window (mirrored copies excluded). */
  requests: number;
  /** 0–1; undefined without requests. */
  successRate?: number | undefined;
  p99Ms?: number | undefined;
  /** Percent of the service's served traffic. */
  share?: number | undefined;
}

/** One check: every version's numbers at one moment (unix ms). */
export interface AnalysisSample {
  at: number;
  versions: Record<Version, VersionSample>;
}

/** A traffic change that was applied: when, the configured share per version, who approved it. */
export interface TrafficChange {
  at: number;
  configured: Record<Version, number>;
  by?: string;
  /** Whether observed shares should follow `configured` (weights and serve; not match or mirror). */
  judgeDrift: boolean;
}

export interface AnalysisSettings {
  /** No check is judged until this long after a change: rate windows still hold the old split. */
  settleSeconds: number;
  /** A version with fewer requests in a check is not judged in that check. */
  minRequests: number;
  minSuccessRate: number;
  maxP99Ms: number;
  maxDriftPoints: number;
  /** How far the new version's success rate may fall below the stable version's, in percentage points. */
  maxSuccessDropPoints: number;
  /** How many times the stable version's p99 the new version's may be. */
  maxP99VsStable: number;
}

/** Below this difference p99 is not judged against the stable version at all. */
export const P99_NOISE_MS = 25;

/**
 * The bounds (ms) of Istio's request-duration histogram. p99 comes from histogram_quantile, which interpolates
 * inside a bucket: two versions with the same latency can read 50 ms and 77 ms when their 99th percentiles
 * fall either side of the 50 ms bound. So the new version's p99 counts as worse than the stable one's only
 * beyond the bucket after the stable one's.
 */
export const P99_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
];

/** The upper bound of the bucket after the one `ms` falls in (`ms` itself beyond the last bound). */
export function bucketAfter(ms: number): number {
  const own = P99_BUCKETS_MS.findIndex((bound) => ms <= bound);
  if (own < 0) return ms;
  return P99_BUCKETS_MS[own + 1] ?? ms;
}

interface Counted {
  version: Version;
  /** Consecutive failed checks up to the latest judged one. */
  failedChecks: number;
}

export type Verdict =
  | (Counted & { kind: "pass"; at: number; sample: VersionSample })
  | (Counted & {
      kind: "fail";
      at: number;
      metric: AnalysisMetric;
      value: number;
      threshold: number;
      text: string;
      sample: VersionSample;
    })
  | (Counted & {
      kind: "inconclusive";
      reason: "settling" | "too-few-requests" | "no-data";
      text: string;
      /** When settling ends (unix ms). */
      settlesAt?: number;
      sample?: VersionSample;
    });

export interface AnalysisInput {
  now: number;
  stable: Version;
  /** Every version of the job, stable first. */
  versions: Version[];
  /** Applied traffic changes, oldest first; the last one at or before `now` starts the analysis. */
  history: TrafficChange[];
  samples: AnalysisSample[];
  settings: AnalysisSettings;
}

export interface Analysis {
  /** The change the analysis runs from; undefined when the job has none yet. */
  since: TrafficChange | undefined;
  settlesAt: number;
  verdicts: Record<Version, Verdict>;
}

/** The last change at or before `now`. */
export function lastChange(history: TrafficChange[], now: number): TrafficChange | undefined {
  let last: TrafficChange | undefined;
  for (const change of history) if (change.at <= now && (!last || change.at >= last.at)) last = change;
  return last;
}

export function analyze(input: AnalysisInput): Analysis {
  const { now, settings } = input;
  const since = lastChange(input.history, now);
  const settlesAt = (since?.at ?? Number.NEGATIVE_INFINITY) + settings.settleSeconds * 1000;
  const judged = input.samples.filter((s) => s.at >= settlesAt && s.at <= now).sort((a, b) => a.at - b.at);
  const verdicts: Record<Version, Verdict> = {};
  for (const version of input.versions) {
    if (now < settlesAt) {
      verdicts[version] = {
        kind: "inconclusive",
        version,
        reason: "settling",
        text: inconclusiveText(version, "settling", { settlesAt }),
        settlesAt,
        failedChecks: 0,
      };
      continue;
    }
    let failedChecks = 0;
    let latest: Verdict | undefined;
    for (const sample of judged) {
      const verdict = judge(sample, version, input.stable, since, settings);
      if (verdict.kind === "fail") failedChecks++;
      else if (verdict.kind === "pass") failedChecks = 0;
      latest = { ...verdict, failedChecks };
    }
    verdicts[version] = latest ?? {
      kind: "inconclusive",
      version,
      reason: "no-data",
      text: inconclusiveText(version, "no-data", {}),
      failedChecks: 0,
    };
  }
  return { since, settlesAt, verdicts };
}

/** One version in one check: the first limit it breaks, or pass, or too few requests to say. */
export function judge(
  sample: AnalysisSample,
  version: Version,
  stable: Version,
  since: TrafficChange | undefined,
  settings: AnalysisSettings,
): Verdict {
  const own = sample.versions[version] ?? { requests: 0 };
  const at = sample.at;
  if (own.requests < settings.minRequests)
    return {
      kind: "inconclusive",
      version,
      reason: "too-few-requests",
      text: inconclusiveText(version, "too-few-requests", {
        requests: own.requests,
        minRequests: settings.minRequests,
      }),
      sample: own,
      failedChecks: 0,
    };
  const fail = (metric: AnalysisMetric, value: number, threshold: number, base?: number): Verdict => ({
    kind: "fail",
    version,
    at,
    metric,
    value,
    threshold,
    text: failText({ version, stable, metric, value, threshold, base, settings }),
    sample: own,
    failedChecks: 1,
  });
  if (own.successRate !== undefined && own.successRate < settings.minSuccessRate)
    return fail("success-rate", own.successRate, settings.minSuccessRate);
  if (own.p99Ms !== undefined && own.p99Ms > settings.maxP99Ms)
    return fail("p99", own.p99Ms, settings.maxP99Ms);
  const base = version === stable ? undefined : sample.versions[stable];
  if (base && base.requests >= settings.minRequests) {
    if (own.successRate !== undefined && base.successRate !== undefined) {
      const floor = base.successRate - settings.maxSuccessDropPoints / 100;
      if (own.successRate < floor)
        return fail("success-rate-vs-stable", own.successRate, floor, base.successRate);
    }
    if (own.p99Ms !== undefined && base.p99Ms !== undefined) {
      const ceiling = Math.max(
        base.p99Ms * settings.maxP99VsStable,
        base.p99Ms + P99_NOISE_MS,
        bucketAfter(base.p99Ms),
      );
      if (own.p99Ms > ceiling) return fail("p99-vs-stable", own.p99Ms, ceiling, base.p99Ms);
    }
  }
  // Drift is a routing fault, not the version's: it is charged to the new version, whose share is asked for.
  const configured = since?.configured[version];
  if (version !== stable && since?.judgeDrift && configured !== undefined && own.share !== undefined) {
    const drift = Math.abs(own.share - configured);
    if (drift > settings.maxDriftPoints) return fail("drift", own.share, configured);
  }
  return { kind: "pass", version, at, sample: own, failedChecks: 0 };
}

/**
 * How much worse `now` is than `before` on the same metric, in the metric's unit (percentage points for
 * success rates and drift, milliseconds for p99); negative when better.
 */
export function worsening(metric: AnalysisMetric, before: number, now: number, threshold: number): number {
  switch (metric) {
    case "success-rate":
    case "success-rate-vs-stable":
      return (before - now) * 100;
    case "p99":
    case "p99-vs-stable":
      return now - before;
    case "drift":
      return Math.abs(now - threshold) - Math.abs(before - threshold);
  }
}
