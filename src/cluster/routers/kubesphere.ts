import type { KubeSphereFlavour, ReleaseJob, StrategyObject, TrafficPolicy } from "../../release/index.ts";
import { desiredStrategy, overExisting, readStrategy, STRATEGY_API_VERSION } from "../../release/index.ts";
import type { KubeObject } from "../kube.ts";
import { versionDeployments } from "../workloads.ts";
import { deleteStep, gaining, hasOriginals, waitReadyStep, writeStep } from "./steps.ts";
import { joinParts, type PlanPart, type RouterDeps, type TrafficRouter } from "./types.ts";

const APP_VERSION_LABEL = "app.kubernetes.io/version";

export interface KubeSphereRouterDeps extends RouterDeps {
  flavour: KubeSphereFlavour;
}

/**
 * KubeSphere: a Strategy object per job, which KubeSphere's controller turns into the VirtualService.
 * Jobs made in the console are Strategy objects too, so Graydesk operates them the same way.
 */
export function kubesphereRouter(deps: KubeSphereRouterDeps): TrafficRouter {
  const { kube, flavour } = deps;
  const ref = (job: ReleaseJob) => ({
    apiVersion: STRATEGY_API_VERSION,
    kind: "Strategy",
    namespace: job.namespace,
    name: job.name,
  });
  const read = (job: ReleaseJob) => kube.get<KubeObject>(ref(job));

  return {
    kind: "kubesphere",

    async reconcile(job) {
      if (hasOriginals(job)) return { steps: [], preconditions: [], notes: [] };
      const existing = await read(job);
      return {
        steps: [],
        preconditions: [],
        notes: [],
        originals: [
          {
            apiVersion: STRATEGY_API_VERSION,
            kind: "Strategy",
            name: job.name,
            ...(existing ? { spec: existing.spec } : {}),
          },
        ],
      };
    },

    async setRoutes(job, policy: TrafficPolicy) {
      const existing = await read(job);
      const takenOver = policy.kind === "serve" ? { takenOverBy: policy.version } : {};
      const current = existing as unknown as StrategyObject | undefined;
      const desired = overExisting(
        desiredStrategy({ ...job, ...takenOver, traffic: policy }, policy, flavour),
        current,
      );
      if (!current) {
        // KubeSphere's controller acts on a Strategy only when it carries all three of the component's app
        // labels, app.kubernetes.io/version included, with the Service's values.
        const service = await kube.get<KubeObject>({
          apiVersion: "v1",
          kind: "Service",
          namespace: job.namespace,
          name: job.service.name,
        });
        const version = service?.metadata.labels?.[APP_VERSION_LABEL];
        if (version) desired.metadata.labels = { ...desired.metadata.labels, [APP_VERSION_LABEL]: version };
      }
      const parts: PlanPart[] = [];
      if (current?.spec.strategyPolicy === "Paused")
        parts.push({
          steps: [],
          preconditions: [],
          notes: [
            `Strategy ${job.name} is paused in the KubeSphere console: KubeSphere routes by it only once it is resumed there.`,
          ],
        });
      const versions = gaining(job, policy);
      if (versions.length > 0) {
        const deployments = await versionDeployments(kube, job.namespace, job.service.name);
        for (const version of versions) {
          const deployment = deployments.get(version);
          if (deployment)
            parts.push({
              steps: [waitReadyStep(job.namespace, deployment.metadata.name)],
              preconditions: [],
              notes: [],
            });
        }
      }
      parts.push(writeStep(ref(job), existing, desired as unknown as KubeObject));
      return joinParts(...parts);
    },

    async getRoutes(job) {
      const existing = await read(job);
      return existing ? readStrategy(existing as unknown as StrategyObject).split : undefined;
    },

    // KubeSphere's "offline" removes the Strategy; its controller then leaves the kept version serving.
    async finalize(job) {
      return deleteStep(ref(job), await read(job));
    },

    async objects(job) {
      const existing = await read(job);
      return existing ? [existing] : [];
    },
  };
}
