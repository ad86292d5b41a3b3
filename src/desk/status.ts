import { stringify } from "yaml";
import {
  currentPolicy,
  hasRouted,
  type Kube,
  type KubeObject,
  versionDeployments,
  versionsOf,
} from "../cluster/index.ts";
import type { ReleaseJob, TrafficPolicy } from "../release/index.ts";
import { canonicalJson, jobVersions, splitView } from "../release/index.ts";
import { bypassWarning } from "./bypass.ts";
import { type DeskContext, operation, routerOf } from "./context.ts";
import { mustJob } from "./records.ts";

/** States in which the job's routes split the service's traffic. */
const LIVE = new Set(["deploying", "ready", "active"]);

import type { JobStatus, VersionInfo } from "./types.ts";

/**
 * The job as the cluster sees it now: routes read back, pods per version, and with `objects` the routing
 * objects as YAML. `round`: the reads of a round over many jobs (see `roundReads`), shared by every status of
 * the round.
 */
export async function jobStatus(
  ctx: DeskContext,
  jobId: string,
  options: { round?: Kube; objects?: boolean } = {},
): Promise<JobStatus> {
  const { round } = options;
  const job = mustJob(ctx, jobId);
  // A status right after the job's plan (the card under its request) reads what the plan read.
  const recent = round ? undefined : ctx.recent.take(jobId);
  const op = round ? { ...ctx, reads: round } : recent ? { ...ctx, reads: recent } : operation(ctx);
  const kube = op.reads;
  const router = await routerOf(op, job);
  const serviceRef = { apiVersion: "v1", kind: "Service", namespace: job.namespace, name: job.service.name };
  const [configured, objects, deployments, service] = await Promise.all([
    router.getRoutes(job),
    // The routing objects' YAML is shown on request only; the card needs the routes alone.
    options.objects ? router.objects(job) : [],
    versionDeployments(kube, job.namespace, job.service.name),
    kube.get<KubeObject>(serviceRef),
  ]);
  // The same reading discovery gives, limited to the job's two versions.
  const versions: VersionInfo[] = service
    ? versionsOf(service, [...deployments.values()]).filter((v) => jobVersions(job).includes(v.version))
    : [];
  if (!recent && !round) ctx.recent.keep(job, kube);
  const notes: string[] = [];
  const routed = job.originals.length > 0 && !["offline", "abandoned", "failed"].includes(job.state);
  if (routed && configured && !sameRoutes(job, configured)) {
    notes.push(
      "The routes in the cluster differ from what Graydesk last set: someone changed them outside Graydesk.",
    );
  }
  if (routed && !configured) notes.push("The job's routes are missing from the cluster.");
  // Traffic that never meets the split: said on the card while the job splits traffic.
  const bypass = LIVE.has(job.state) ? await bypassWarning(op, job) : undefined;
  return {
    job,
    configured,
    versions,
    objects: objects.map((object) => ({
      kind: object.kind,
      name: object.metadata.name,
      yaml: toYaml(object),
    })),
    notes,
    ...(bypass ? { bypass } : {}),
  };
}

/**
 * Whether the routes read back are the ones Graydesk last set. Before the first approved change they
 * hold the stable version, which a canary's routes read back as 100/0 weights.
 */
function sameRoutes(job: ReleaseJob, configured: TrafficPolicy): boolean {
  if (hasRouted(job)) return canonicalJson(configured) === canonicalJson(job.traffic);
  return canonicalJson(splitView(job, configured)) === canonicalJson(splitView(job, currentPolicy(job)));
}

/** Like `kubectl get -o yaml`, without the API server's bookkeeping nobody reads (ids, times, counters). */
function toYaml(object: KubeObject): string {
  const {
    managedFields: _managed,
    uid: _uid,
    creationTimestamp: _created,
    resourceVersion: _version,
    generation: _generation,
    ...metadata
  } = object.metadata as KubeObject["metadata"] & Record<string, unknown>;
  return stringify(JSON.parse(JSON.stringify({ ...object, metadata })), { lineWidth: 0 });
}
