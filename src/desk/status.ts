import { stringify } from "yaml";
import { type KubeObject, versionDeployments } from "../cluster/index.ts";
import { canonicalJson, jobVersions } from "../release/index.ts";
import { type DeskContext, routerOf } from "./context.ts";
import { mustJob } from "./records.ts";
import type { JobStatus, VersionInfo } from "./types.ts";

/** The job as the cluster sees it now: routes read back, pods per version, the routing objects as YAML. */
export async function jobStatus(ctx: DeskContext, jobId: string): Promise<JobStatus> {
  const job = mustJob(ctx, jobId);
  const router = await routerOf(ctx, job);
  const [configured, objects, deployments] = await Promise.all([
    router.getRoutes(job),
    router.objects(job),
    versionDeployments(ctx.kube, job.namespace, job.service.name),
  ]);
  const versions: VersionInfo[] = jobVersions(job).flatMap((version) => {
    const deployment = deployments.get(version);
    if (!deployment) return [];
    const containers =
      (deployment.spec?.template as { spec?: { containers?: { image?: string }[] } } | undefined)?.spec
        ?.containers ?? [];
    return [
      {
        version,
        deployment: deployment.metadata.name,
        replicas: Number(deployment.spec?.replicas ?? 1),
        readyReplicas: Number(deployment.status?.readyReplicas ?? 0),
        images: containers.map((container) => container.image ?? ""),
      },
    ];
  });
  const notes: string[] = [];
  const routed = job.originals.length > 0 && !["offline", "abandoned", "failed"].includes(job.state);
  if (routed && configured && canonicalJson(configured) !== canonicalJson(job.traffic)) {
    notes.push(
      "The routes in the cluster differ from what Graydesk last set: someone changed them outside Graydesk.",
    );
  }
  if (routed && !configured) notes.push("The job's routes are missing from the cluster.");
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
  };
}

/** Like `kubectl get -o yaml`, without the bookkeeping nobody reads. */
function toYaml(object: KubeObject): string {
  const { managedFields: _managed, ...metadata } = object.metadata;
  return stringify(JSON.parse(JSON.stringify({ ...object, metadata })), { lineWidth: 0 });
}
