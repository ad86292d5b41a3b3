// The namespace's analysis settings in the policy file: settling, how many requests make a check, when a breach
// is posted again, and whether Graydesk rolls back by itself. Read here, judged by telemetry's analysis.

/** `analysis:` in a namespace's policy. Every key is optional; telemetry fills in defaults. */
export interface AnalysisPolicy {
  /** Seconds after each traffic change before checks are judged (default: rate window + 2 scrape intervals). */
  settleSeconds?: number;
  /** Requests a version needs in a check before it is judged. */
  minRequests?: number;
  /** A breach still failing is posted again only when it got worse by this much. */
  repostWorseBy?: { successPoints?: number; p99Ms?: number; driftPoints?: number };
}

/** `autoRollback:` in a namespace's policy: after this many consecutive failed checks, traffic goes back. */
export interface AutoRollbackPolicy {
  afterFailedChecks: number;
}

export const ANALYSIS_KEYS = ["analysis", "autoRollback"] as const;

export function readAnalysis(raw: unknown, at: string, problems: string[]): AnalysisPolicy | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push(`${at}: must be a mapping with settleSeconds, minRequests and/or repostWorseBy`);
    return undefined;
  }
  const out: AnalysisPolicy = {};
  for (const key of Object.keys(raw))
    if (!["settleSeconds", "minRequests", "repostWorseBy"].includes(key))
      problems.push(`${at}.${key}: unknown setting`);
  const settle = readNumber(raw.settleSeconds, `${at}.settleSeconds`, 0, 3_600, problems);
  if (settle !== undefined) out.settleSeconds = settle;
  const min = readNumber(raw.minRequests, `${at}.minRequests`, 1, 1_000_000, problems);
  if (min !== undefined) out.minRequests = min;
  const repost = raw.repostWorseBy;
  if (repost !== undefined) {
    if (!isObject(repost)) problems.push(`${at}.repostWorseBy: must be a mapping`);
    else {
      const worse: NonNullable<AnalysisPolicy["repostWorseBy"]> = {};
      for (const key of Object.keys(repost))
        if (!["successPoints", "p99Ms", "driftPoints"].includes(key))
          problems.push(`${at}.repostWorseBy.${key}: unknown setting`);
      const success = readNumber(repost.successPoints, `${at}.repostWorseBy.successPoints`, 0, 100, problems);
      if (success !== undefined) worse.successPoints = success;
      const p99 = readNumber(repost.p99Ms, `${at}.repostWorseBy.p99Ms`, 0, 600_000, problems);
      if (p99 !== undefined) worse.p99Ms = p99;
      const drift = readNumber(repost.driftPoints, `${at}.repostWorseBy.driftPoints`, 0, 100, problems);
      if (drift !== undefined) worse.driftPoints = drift;
      out.repostWorseBy = worse;
    }
  }
  return out;
}

export function readAutoRollback(
  raw: unknown,
  at: string,
  problems: string[],
): AutoRollbackPolicy | undefined {
  if (raw === undefined || raw === false) return undefined;
  const checks = isObject(raw) ? raw.afterFailedChecks : undefined;
  if (
    !isObject(raw) ||
    typeof checks !== "number" ||
    !Number.isInteger(checks) ||
    checks < 1 ||
    checks > 100
  ) {
    problems.push(`${at}.afterFailedChecks: must be a whole number of checks from 1 to 100`);
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (key !== "afterFailedChecks") problems.push(`${at}.${key}: unknown setting`);
  return { afterFailedChecks: checks };
}

/** The relative thresholds (new version against stable) beside the fixed ones under `thresholds:`. */
export const RELATIVE_THRESHOLDS = {
  maxSuccessDropPoints: [0, 100],
  maxP99VsStable: [1, 100],
} as const;

function readNumber(
  raw: unknown,
  at: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "number" || !Number.isFinite(raw) || raw < min || raw > max) {
    problems.push(`${at}: must be a number from ${min} to ${max}`);
    return undefined;
  }
  return raw;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
