// Telemetry built from configuration: what the job card, approvals and digests call.
import type { NamespacePolicy } from "../approvals/policy.ts";
import { type AnalysisTiming, DEFAULT_TIMING } from "./analysis-settings.ts";
import { type Breach, findBreaches, thresholdsFor } from "./health.ts";
import type { TelemetryJob } from "./job-series.ts";
import { prometheusClient } from "./prometheus.ts";
import { recentTraces, traceLinks, type VersionTraces } from "./traces.ts";
import {
  DEFAULT_WINDOW,
  type HealthJob,
  type HealthWindow,
  healthOfJobs,
  type TelemetryUnavailable,
  type VersionHealth,
  type VersionHealthReport,
} from "./version-health.ts";

export interface TelemetryOptions {
  /** PROMETHEUS_URL; without it every health answer is "not configured". */
  prometheusUrl?: string;
  /** JAEGER_URL; without it there are no trace links. */
  jaegerUrl?: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
  /** PROMETHEUS_RATE_WINDOW_SECONDS and PROMETHEUS_SCRAPE_INTERVAL_SECONDS: checks and settling follow them. */
  timing?: AnalysisTiming;
}

export interface Telemetry {
  readonly prometheusConfigured: boolean;
  readonly jaegerConfigured: boolean;
  /** How Prometheus is read: the rate() window of every check and the scrape interval it settles by. */
  readonly timing: AnalysisTiming;
  versionHealth(job: HealthJob, window?: HealthWindow): Promise<VersionHealth>;
  /** One query per metric for all the jobs (digests, the refresher). */
  healthOfJobs(jobs: HealthJob[], window?: HealthWindow): Promise<Map<string, VersionHealth>>;
  /** Search links per version; undefined without JAEGER_URL. */
  traceLinks(job: TelemetryJob): VersionTraces[] | undefined;
  /** Search links plus slowest and failing traces per version, or why they are not available. */
  recentTraces(job: TelemetryJob): Promise<VersionTraces[] | TelemetryUnavailable>;
  /** The namespace's thresholds against a report. */
  breaches(
    job: Pick<HealthJob, "traffic">,
    report: VersionHealthReport,
    policy?: Pick<NamespacePolicy, "thresholds">,
  ): Breach[];
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const prometheus = options.prometheusUrl
    ? prometheusClient({
        url: options.prometheusUrl,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })
    : undefined;
  const deps = { prometheus, ...(options.now ? { now: options.now } : {}) };
  const jaegerUrl = options.jaegerUrl;
  const timing = options.timing ?? DEFAULT_TIMING;
  // The observed split is sampled once a scrape (at least every 5 s), so a chart shows a change as it settles.
  const window: HealthWindow = {
    ...DEFAULT_WINDOW,
    rate: promDuration(timing.rateWindowSeconds),
    stepSeconds: Math.max(5, Math.min(DEFAULT_WINDOW.stepSeconds, timing.scrapeIntervalSeconds)),
  };
  return {
    timing,
    prometheusConfigured: prometheus !== undefined,
    jaegerConfigured: jaegerUrl !== undefined,
    async versionHealth(job, over = window) {
      return (await healthOfJobs(deps, [job], over)).get(job.id) as VersionHealth;
    },
    healthOfJobs: (jobs, over = window) => healthOfJobs(deps, jobs, over),
    traceLinks: (job) => (jaegerUrl ? traceLinks(jaegerUrl, job) : undefined),
    async recentTraces(job) {
      if (!jaegerUrl)
        return {
          status: "unavailable",
          code: "not-configured",
          reason: "Trace links are off: JAEGER_URL is not set.",
        };
      try {
        return await recentTraces(
          {
            jaegerUrl,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          },
          job,
        );
      } catch (error) {
        return { status: "unavailable", code: "jaeger-unavailable", reason: (error as Error).message };
      }
    },
    breaches: (job, report, policy) => findBreaches(report, thresholdsFor(policy), job.traffic.kind),
  };
}

/** 60 → `1m`, 90 → `90s`: the rate window as Prometheus and the card's "last 1m" write it. */
function promDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
