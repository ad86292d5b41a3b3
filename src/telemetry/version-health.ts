// Per-version health of release jobs from Prometheus: rates, served share, mirrored traffic, success, latency.
import { jobVersions, plainText, type ReleaseJob, splitView, type Version } from "../release/index.ts";
import { byVersion, type TelemetryJob, targetOf } from "./job-series.ts";
import {
  type PrometheusClient,
  PrometheusError,
  type PrometheusErrorCode,
  type RangeSeries,
  type Sample,
} from "./prometheus.ts";
import { type HealthMetric, healthQueries, type ServiceTarget, servedShare } from "./promql.ts";

export interface HealthWindow {
  /** The rate() window, a Prometheus duration such as `1m`. */
  rate: string;
  /** How far back the observed split series for charts goes. */
  rangeSeconds: number;
  stepSeconds: number;
}

export const DEFAULT_WINDOW: HealthWindow = { rate: "1m", rangeSeconds: 30 * 60, stepSeconds: 30 };

export interface VersionStats {
  /** Requests per second the version handled, mirrored copies included. */
  rps: number;
  /** Percent of the service's served (not mirrored) traffic; undefined when nothing was served. */
  share: number | undefined;
  mirroredRps: number;
  /** 0–1, requests answered without a 5xx; undefined without requests. */
  successRate: number | undefined;
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
}

/** A version's observed share of served traffic over time: [unix ms, percent]. */
export interface SplitSeries {
  version: Version;
  points: [number, number][];
}

export interface VersionHealthReport {
  status: "ok";
  jobId: string;
  service: ServiceTarget;
  at: string;
  window: HealthWindow;
  /** Every version of the job, stable first. */
  versions: Record<Version, VersionStats>;
  configured: Record<Version, number>;
  observedSplit: SplitSeries[];
}

export type UnavailableCode =
  | "not-configured"
  | "no-mesh-metrics"
  | "no-traffic"
  | "jaeger-unavailable"
  | PrometheusErrorCode;

/** Telemetry could not be had; `reason` says so in words, never with invented numbers. */
export interface TelemetryUnavailable {
  status: "unavailable";
  code: UnavailableCode;
  reason: string;
}

export type VersionHealth = VersionHealthReport | TelemetryUnavailable;

export type HealthJob = TelemetryJob & Pick<ReleaseJob, "router" | "traffic">;

export interface HealthDeps {
  /** Absent when PROMETHEUS_URL is not set. */
  prometheus: PrometheusClient | undefined;
  now?: () => Date;
}

export const NOT_CONFIGURED: TelemetryUnavailable = {
  status: "unavailable",
  code: "not-configured",
  reason: "Live health is off: PROMETHEUS_URL is not set, so Graydesk has no metrics to read.",
};

/** Health of many jobs with one query per metric, whatever the number of jobs. */
export async function healthOfJobs(
  deps: HealthDeps,
  jobs: HealthJob[],
  window: HealthWindow = DEFAULT_WINDOW,
): Promise<Map<string, VersionHealth>> {
  const out = new Map<string, VersionHealth>();
  if (jobs.length === 0) return out;
  const prometheus = deps.prometheus;
  if (!prometheus) {
    for (const job of jobs) out.set(job.id, NOT_CONFIGURED);
    return out;
  }
  const now = (deps.now ?? (() => new Date()))();
  const targets = jobs.map(targetOf);
  const queries = healthQueries(targets, window.rate);
  let results: Record<HealthMetric, Sample[]>;
  let split: RangeSeries[];
  try {
    const names = Object.keys(queries) as HealthMetric[];
    const metrics = Promise.all(names.map((name) => prometheus.query(queries[name], now)));
    const range = prometheus.queryRange(`${servedShare(targets, window.rate)} * 100`, {
      start: new Date(now.getTime() - window.rangeSeconds * 1000),
      end: now,
      stepSeconds: window.stepSeconds,
    });
    const [values, series] = await Promise.all([metrics, range]);
    results = Object.fromEntries(names.map((name, i) => [name, values[i] ?? []])) as typeof results;
    split = series;
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    const unavailable: TelemetryUnavailable = {
      status: "unavailable",
      code: error.code,
      // Kept as plain text, as every unavailable reason is: views escape it where they show it.
      reason: plainText(error.message),
    };
    for (const job of jobs) out.set(job.id, unavailable);
    return out;
  }
  const { rps, mirroredRps: mirrored, share, successRate: success, p50, p90, p99 } = results;
  for (const job of jobs) {
    const perVersion = {
      rps: byVersion(job, rps, "sum"),
      mirrored: byVersion(job, mirrored, "sum"),
      share: byVersion(job, share, "sum"),
      success: byVersion(job, success, "first"),
      p50: byVersion(job, p50, "first"),
      p90: byVersion(job, p90, "first"),
      p99: byVersion(job, p99, "first"),
    };
    if (perVersion.rps.size === 0) {
      out.set(job.id, noData(job, window));
      continue;
    }
    const versions: Record<Version, VersionStats> = {};
    for (const version of jobVersions(job)) {
      const shareOf = perVersion.share.get(version);
      versions[version] = {
        rps: perVersion.rps.get(version) ?? 0,
        share: shareOf === undefined ? undefined : shareOf * 100,
        mirroredRps: perVersion.mirrored.get(version) ?? 0,
        successRate: perVersion.success.get(version),
        p50: perVersion.p50.get(version),
        p90: perVersion.p90.get(version),
        p99: perVersion.p99.get(version),
      };
    }
    out.set(job.id, {
      status: "ok",
      jobId: job.id,
      service: targetOf(job),
      at: now.toISOString(),
      window,
      versions,
      configured: splitView(job, job.traffic).served,
      observedSplit: splitSeries(job, split),
    });
  }
  return out;
}

export async function versionHealth(
  deps: HealthDeps,
  job: HealthJob,
  window: HealthWindow = DEFAULT_WINDOW,
): Promise<VersionHealth> {
  return (await healthOfJobs(deps, [job], window)).get(job.id) ?? NOT_CONFIGURED;
}

function splitSeries(job: TelemetryJob, series: RangeSeries[]): SplitSeries[] {
  return jobVersions(job).map((version) => {
    const points = new Map<number, number>();
    for (const s of series) {
      if (byVersion(job, [{ metric: s.metric, value: 0 }], "first").get(version) === undefined) continue;
      for (const [at, value] of s.points)
        if (Number.isFinite(value)) points.set(at, (points.get(at) ?? 0) + value);
    }
    return { version, points: [...points].sort((a, b) => a[0] - b[0]) };
  });
}

function noData(job: HealthJob, window: HealthWindow): TelemetryUnavailable {
  const where = `${job.service.name}.${job.namespace}`;
  if (job.router === "replicas")
    return {
      status: "unavailable",
      code: "no-mesh-metrics",
      reason:
        `${where} is split by replica counts (no service mesh), so its observed split is not available: ` +
        "the service exports no Istio request metrics to measure it with.",
    };
  return {
    status: "unavailable",
    code: "no-traffic",
    reason: `No requests to ${where} were reported in the last ${window.rate}.`,
  };
}
