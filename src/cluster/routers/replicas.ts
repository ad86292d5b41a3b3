import type { ReleaseJob, TrafficPolicy, Version } from "../../release/index.ts";
import { ReleaseError, replicaSplit } from "../../release/index.ts";
import type { KubeObject } from "../kube.ts";
import { versionDeployments } from "../workloads.ts";
import { hasOriginals, scaleStep, waitReadyStep } from "./steps.ts";
import type { PlanPart, RouterDeps, TrafficRouter } from "./types.ts";

/**
 * Without a mesh the Service spreads connections evenly over ready pods, so the split is the ratio of
 * replicas. The job starts from the stable version's replica count and may grow the total up to that
 * plus the new version's replicas to get closer to the asked share.
 */
export function replicasRouter(deps: RouterDeps): TrafficRouter {
  const { kube } = deps;

  async function pair(job: ReleaseJob): Promise<{ stable?: KubeObject; next?: KubeObject }> {
    const deployments = await versionDeployments(kube, job.namespace, job.service.name);
    const stable = deployments.get(job.stableVersion);
    const next = deployments.get(job.newVersion.version);
    return { ...(stable ? { stable } : {}), ...(next ? { next } : {}) };
  }

  function baseReplicas(job: ReleaseJob, stable: KubeObject | undefined): number {
    const recorded = job.originals.find((o) => o.kind === "Deployment")?.spec as
      | { replicas?: number }
      | undefined;
    return recorded?.replicas ?? Number(stable?.spec?.replicas ?? 1);
  }

  function percentNew(job: ReleaseJob, policy: TrafficPolicy): number {
    if (policy.kind === "weights") return policy.weights[job.newVersion.version] ?? 0;
    if (policy.kind === "serve") return policy.version === job.newVersion.version ? 100 : 0;
    throw new ReleaseError(
      "unsupported",
      `Splitting by replicas cannot ${policy.kind === "mirror" ? "mirror traffic" : "route by request parameters"}: it needs a service mesh (Istio or KubeSphere).`,
    );
  }

  return {
    kind: "replicas",

    async reconcile(job) {
      if (hasOriginals(job)) return { steps: [], preconditions: [], notes: [] };
      const { stable } = await pair(job);
      const name = stable?.metadata.name ?? "";
      return {
        steps: [],
        preconditions: [],
        notes: [],
        originals: [
          { apiVersion: "apps/v1", kind: "Deployment", name, spec: { replicas: baseReplicas(job, stable) } },
        ],
      };
    },

    async setRoutes(job, policy) {
      const { stable, next } = await pair(job);
      if (!stable || !next) throw missing(job, stable ? job.newVersion.version : job.stableVersion);
      const base = baseReplicas(job, stable);
      const asked = percentNew(job, policy);
      const split = replicaSplit(asked, {
        stableReplicas: base,
        max: base + job.newVersion.settings.replicas,
      });
      const steps = [];
      const up = scaleStep(job.namespace, next, split.canary);
      const down = scaleStep(job.namespace, stable, split.stable);
      // Grow before shrinking: the version taking connections must have ready pods before the other gives way.
      for (const [step, deployment, target] of [
        [up, next, split.canary],
        [down, stable, split.stable],
      ] as const) {
        if (!step) continue;
        steps.push(step);
        if (target > Number(deployment.spec?.replicas ?? 1))
          steps.push(waitReadyStep(job.namespace, deployment.metadata.name));
      }
      const note = `Replicas give ${job.stableVersion} ${split.stable} : ${job.newVersion.version} ${split.canary} pods = ${split.actualPercent} % to ${job.newVersion.version} (asked ${asked} %).`;
      return { steps, preconditions: [], notes: [note] } satisfies PlanPart;
    },

    async getRoutes(job) {
      const { stable, next } = await pair(job);
      const replicas = (d?: KubeObject) => Number(d?.spec?.replicas ?? 0);
      const total = replicas(stable) + replicas(next);
      if (total === 0) return undefined;
      const share = Math.round((replicas(next) / total) * 100);
      const weights: Record<Version, number> = {
        [job.stableVersion]: 100 - share,
        [job.newVersion.version]: share,
      };
      if (job.strategy === "blue-green" || job.traffic.kind === "serve") {
        if (share === 100) return { kind: "serve", version: job.newVersion.version };
        if (share === 0) return { kind: "serve", version: job.stableVersion };
      }
      return { kind: "weights", weights };
    },

    async finalize(job, keep) {
      const { stable, next } = await pair(job);
      const kept = keep === job.stableVersion ? stable : next;
      if (!kept) throw missing(job, keep);
      const target = Math.max(baseReplicas(job, stable), 1);
      const step = scaleStep(job.namespace, kept, target);
      const steps = step ? [step, waitReadyStep(job.namespace, kept.metadata.name)] : [];
      return { steps, preconditions: [], notes: [] };
    },

    async objects(job) {
      const { stable, next } = await pair(job);
      return [stable, next].filter((d): d is KubeObject => d !== undefined);
    },
  };
}

function missing(job: ReleaseJob, version: Version): ReleaseError {
  return new ReleaseError(
    "not-found",
    `Service ${job.namespace}/${job.service.name} has no Deployment for ${version}.`,
  );
}
