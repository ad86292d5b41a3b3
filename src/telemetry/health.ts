// Health judgement: the namespace's thresholds against a health report, in the user's words. Pure.
import type { NamespacePolicy } from "../approvals/policy.ts";
import type { Version } from "../release/index.ts";
import { formatMs, formatRatio, formatRps, formatShare, signed } from "./format.ts";
import type { VersionHealthReport, VersionStats } from "./version-health.ts";

export type Thresholds = NonNullable<NamespacePolicy["thresholds"]>;

/** Used for any threshold the namespace's policy leaves out. */
export const DEFAULT_THRESHOLDS: Required<Thresholds> = {
  minSuccessRate: 0.95,
  maxP99Ms: 1_000,
  maxDriftPoints: 5,
  maxSuccessDropPoints: 2,
  maxP99VsStable: 1.5,
};

/**
 * Below this rate a version is not judged: one failure among a handful of requests says little, and a version
 * that gets no traffic (0 % by design) must not look broken.
 */
export const MIN_JUDGED_RPS = 0.2;

export type BreachKind = "success-rate" | "p99" | "drift";

export interface Breach {
  version: Version;
  kind: BreachKind;
  observed: number;
  limit: number;
  /** One sentence for the job's thread. */
  text: string;
}

export function thresholdsFor(policy: Pick<NamespacePolicy, "thresholds"> | undefined): Required<Thresholds> {
  return { ...DEFAULT_THRESHOLDS, ...(policy?.thresholds ?? {}) };
}

/** A stable name for a breach, so the same breach is posted once while it lasts. */
export function breachKey(jobId: string, breach: Pick<Breach, "version" | "kind">): string {
  return `${jobId}/${breach.version}/${breach.kind}`;
}

/**
 * Breaches per version: success rate below the minimum, p99 above the maximum, and the observed share of served
 * traffic more than `maxDriftPoints` away from the configured one. Drift is not judged for request-parameter
 * canaries, whose share depends on who sends requests, not on a configured percentage.
 */
export function findBreaches(
  report: Pick<VersionHealthReport, "versions" | "configured">,
  thresholds: Pick<Required<Thresholds>, "minSuccessRate" | "maxP99Ms" | "maxDriftPoints">,
  policyKind: "weights" | "match" | "mirror" | "serve",
): Breach[] {
  const breaches: Breach[] = [];
  const totalServed = Object.values(report.versions).reduce((sum, s) => sum + (s.rps - s.mirroredRps), 0);
  for (const [version, stats] of Object.entries(report.versions)) {
    if (stats.rps >= MIN_JUDGED_RPS) {
      if (stats.successRate !== undefined && stats.successRate < thresholds.minSuccessRate)
        breaches.push({
          version,
          kind: "success-rate",
          observed: stats.successRate,
          limit: thresholds.minSuccessRate,
          text: `${version}: ${formatRatio(stats.successRate)} of requests succeeded, below the ${formatRatio(thresholds.minSuccessRate)} minimum.`,
        });
      if (stats.p99 !== undefined && stats.p99 > thresholds.maxP99Ms)
        breaches.push({
          version,
          kind: "p99",
          observed: stats.p99,
          limit: thresholds.maxP99Ms,
          text: `${version}: p99 latency is ${formatMs(stats.p99)}, above the ${formatMs(thresholds.maxP99Ms)} limit.`,
        });
    }
    const configured = report.configured[version];
    if (policyKind === "match" || configured === undefined || totalServed < MIN_JUDGED_RPS) continue;
    const observed = stats.share ?? 0;
    const drift = Math.abs(configured - observed);
    if (drift > thresholds.maxDriftPoints)
      breaches.push({
        version,
        kind: "drift",
        observed,
        limit: thresholds.maxDriftPoints,
        text: `${version}: gets ${formatShare(observed)} of served traffic, ${Math.round(drift)} points away from the configured ${formatShare(configured)} (at most ${thresholds.maxDriftPoints} allowed).`,
      });
  }
  return breaches;
}

export interface VersionEvidence {
  version: Version;
  rps: number;
  successRate: number | undefined;
  p99: number | undefined;
}

/** The snapshot an approval message shows: both versions, and how the new one differs from the stable one. */
export interface Evidence {
  stable: VersionEvidence;
  canary: VersionEvidence;
  /** New minus stable, in percentage points; undefined when either side has no data. */
  successRatePoints: number | undefined;
  /** New minus stable, in milliseconds. */
  p99Ms: number | undefined;
  lines: string[];
}

export function evidence(
  stable: { version: Version; stats: VersionStats },
  canary: { version: Version; stats: VersionStats },
): Evidence {
  const pick = (v: { version: Version; stats: VersionStats }): VersionEvidence => ({
    version: v.version,
    rps: v.stats.rps,
    successRate: v.stats.successRate,
    p99: v.stats.p99,
  });
  const s = pick(stable);
  const c = pick(canary);
  const successRatePoints =
    s.successRate === undefined || c.successRate === undefined
      ? undefined
      : (c.successRate - s.successRate) * 100;
  const p99Ms = s.p99 === undefined || c.p99 === undefined ? undefined : c.p99 - s.p99;
  const line = (v: VersionEvidence, role: string) =>
    `${v.version} (${role}): ${formatRps(v.rps)}, success ${formatRatio(v.successRate)}, p99 ${formatMs(v.p99)}`;
  const diffs: string[] = [];
  if (successRatePoints !== undefined) diffs.push(`success ${signed(successRatePoints, 1)} points`);
  if (p99Ms !== undefined) diffs.push(`p99 ${signed(p99Ms)} ms`);
  const lines = [line(s, "stable"), line(c, "new")];
  lines.push(
    diffs.length > 0
      ? `${c.version} against ${s.version}: ${diffs.join(", ")}`
      : `${c.version} against ${s.version}: not enough data to compare`,
  );
  return { stable: s, canary: c, successRatePoints, p99Ms, lines };
}
