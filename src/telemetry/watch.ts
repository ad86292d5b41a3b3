// Keeps each live job's checks since its last traffic change and analyses them: the refresher records one check
// per refresh, everyone else (cards drawn on a click, approvals, steps) reads the analysis without adding one.
import type { NamespacePolicy } from "../approvals/policy.ts";
import { jobVersions, type ReleaseJob } from "../release/index.ts";
import { type Analysis, type AnalysisSample, analyze, lastChange } from "./analysis.ts";
import { type AnalysisTiming, analysisSettings, DEFAULT_TIMING } from "./analysis-settings.ts";
import { trafficHistory } from "./traffic-history.ts";
import type { VersionHealth, VersionHealthReport } from "./version-health.ts";

export type WatchedJob = Pick<
  ReleaseJob,
  "id" | "namespace" | "stableVersion" | "newVersion" | "history" | "traffic" | "createdAt"
> & { cluster?: string | undefined };

export interface JobAnalysis extends Analysis {
  stable: string;
  newVersion: string;
  checks: number;
}

export interface HealthWatchOptions {
  /** The job's namespace policy (in its cluster, with several). */
  policy(job: WatchedJob): Pick<NamespacePolicy, "thresholds" | "analysis"> | undefined;
  timing?: AnalysisTiming;
  now?: () => Date;
  /** Checks kept per job; older ones are dropped (the analysis needs only the latest run of failures). */
  maxChecks?: number;
}

const QUIET_MS = 60 * 60_000;

/** A health report as one check: requests in the rate window per version, mirrored copies left out. */
export function sampleOf(report: VersionHealthReport): AnalysisSample {
  const windowSeconds = durationSeconds(report.window.rate);
  const versions: AnalysisSample["versions"] = {};
  for (const [version, stats] of Object.entries(report.versions))
    versions[version] = {
      requests: Math.max(0, stats.rps - stats.mirroredRps) * windowSeconds,
      successRate: stats.successRate,
      p99Ms: stats.p99,
      share: stats.share,
    };
  return { at: Date.parse(report.at), versions };
}

export class HealthWatch {
  readonly #o: HealthWatchOptions;
  readonly #checks = new Map<string, AnalysisSample[]>();

  constructor(options: HealthWatchOptions) {
    this.#o = options;
  }

  /**
   * Records the report as a check of the job and returns the analysis with it. The check is timed by the same
   * clock as the job's history, so settling is measured on one clock.
   */
  check(job: WatchedJob, health: VersionHealth): JobAnalysis {
    if (health.status === "ok") {
      const at = this.#now();
      const since = lastChange(trafficHistory(job), at);
      const kept = (this.#checks.get(job.id) ?? []).filter((s) => !since || s.at >= since.at);
      kept.push({ ...sampleOf(health), at });
      this.#checks.set(job.id, kept.slice(-(this.#o.maxChecks ?? 200)));
      this.#forgetQuiet(at);
    }
    return this.analysis(job);
  }

  /** The analysis as if the report were one more check, without recording it. */
  preview(job: WatchedJob, health: VersionHealth): JobAnalysis {
    const extra = health.status === "ok" ? [{ ...sampleOf(health), at: this.#now() }] : [];
    return this.analysis(job, extra);
  }

  /** The analysis of the checks recorded so far, as of now. */
  analysis(job: WatchedJob, extra: AnalysisSample[] = []): JobAnalysis {
    const samples = [...(this.#checks.get(job.id) ?? []), ...extra];
    const result = analyze({
      now: this.#now(),
      stable: job.stableVersion,
      versions: jobVersions(job),
      history: trafficHistory(job),
      samples,
      settings: analysisSettings(this.#o.policy(job), this.#o.timing ?? DEFAULT_TIMING),
    });
    return {
      ...result,
      stable: job.stableVersion,
      newVersion: job.newVersion.version,
      checks: samples.length,
    };
  }

  #prunedAt = 0;

  /** Jobs no longer checked (finished, deleted) are forgotten after an hour, looked for once a minute. */
  #forgetQuiet(now: number): void {
    if (now - this.#prunedAt < 60_000) return;
    this.#prunedAt = now;
    for (const [id, samples] of this.#checks)
      if ((samples.at(-1)?.at ?? 0) < now - QUIET_MS) this.#checks.delete(id);
  }

  #now(): number {
    return (this.#o.now?.() ?? new Date()).getTime();
  }

  /** How many jobs have checks kept (for tests and monitoring). */
  get size(): number {
    return this.#checks.size;
  }
}

/** `30s`, `1m`, `1m30s`, `2h` → seconds. */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g))
    total += Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : unit === "s" ? 1 : 0.001);
  return total;
}
