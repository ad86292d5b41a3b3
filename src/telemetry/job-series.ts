// Which job and version a Prometheus series belongs to. Pure.
import { jobVersions, newVersionDeploymentName, type ReleaseJob, type Version } from "../release/index.ts";
import type { ServiceTarget } from "./promql.ts";

export type TelemetryJob = Pick<ReleaseJob, "id" | "namespace" | "service" | "stableVersion" | "newVersion">;

export function targetOf(job: Pick<ReleaseJob, "namespace" | "service">): ServiceTarget {
  return { namespace: job.namespace, service: job.service.name };
}

/**
 * The job version a series reports, or undefined when it is another service's or another version's.
 * `destination_version` decides when the pod has a version label; when Istio reports "unknown", the
 * workload (the Deployment) is matched against the names versions' Deployments have.
 */
export function versionOf(job: TelemetryJob, labels: Record<string, string>): Version | undefined {
  if (labels.destination_service_namespace !== job.namespace) return undefined;
  if (labels.destination_service_name !== job.service.name) return undefined;
  const versions = jobVersions(job);
  const reported = labels.destination_version;
  if (reported && reported !== "unknown") return versions.includes(reported) ? reported : undefined;
  const workload = labels.destination_workload;
  if (!workload || workload === "unknown") return undefined;
  return versions.find((v) => workload === newVersionDeploymentName(job.service.name, v) || workload === v);
}

/**
 * Per-version values of one metric for one job. Rates of two series of one version (two workloads with the same
 * version label) add up; ratios and quantiles cannot be added, so the first finite one is kept.
 */
export function byVersion(
  job: TelemetryJob,
  samples: { metric: Record<string, string>; value: number }[],
  combine: "sum" | "first",
): Map<Version, number> {
  const out = new Map<Version, number>();
  for (const sample of samples) {
    const version = versionOf(job, sample.metric);
    if (version === undefined || !Number.isFinite(sample.value)) continue;
    const seen = out.get(version);
    if (seen === undefined) out.set(version, sample.value);
    else if (combine === "sum") out.set(version, seen + sample.value);
  }
  return out;
}
