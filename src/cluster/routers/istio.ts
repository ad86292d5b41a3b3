import type {
  DestinationRuleObject,
  IngressBinding,
  RecordedOriginal,
  ReleaseJob,
  TrafficPolicy,
  Version,
  VirtualServiceObject,
} from "../../release/index.ts";
import {
  byText,
  desiredDestinationRule,
  desiredVirtualService,
  gatewayNotice,
  ISTIO_API_VERSION,
  jobVersions,
  readSplit,
  VERSION_LABEL,
} from "../../release/index.ts";
import type { KubeObject } from "../kube.ts";
import { versionDeployments } from "../workloads.ts";
import { restoredRule, restoredService } from "./restore.ts";
import { deleteStep, gaining, hasOriginals, waitReadyStep, writeStep } from "./steps.ts";
import { joinParts, type PlanPart, type RouterDeps, type TrafficRouter } from "./types.ts";

export interface IstioRouterDeps extends RouterDeps {
  /**
   * How the service is reached from outside the mesh, when it is. `existing`: the VirtualService the job's routes
   * are in, as the plan read it (undefined when it has none yet).
   */
  ingress?: (job: ReleaseJob, existing?: KubeObject) => Promise<IngressBinding | undefined>;
}

/** Istio: DestinationRule subsets per version and the VirtualService routes for the service host. */
export function istioRouter(deps: IstioRouterDeps): TrafficRouter {
  const { kube } = deps;

  async function find<T>(
    job: ReleaseJob,
    kind: "VirtualService" | "DestinationRule",
  ): Promise<T | undefined> {
    // Once the job recorded its routing objects, they are read by name; before, they are found by host.
    const known = job.originals.find((o) => o.apiVersion === ISTIO_API_VERSION && o.kind === kind);
    if (known) return (await kube.get<KubeObject>(ref(job, kind, { metadata: { name: known.name } }))) as T;
    const { items } = await kube.list<KubeObject>(ISTIO_API_VERSION, kind, job.namespace);
    const host = job.service.name;
    const names = [host, `${host}.${job.namespace}`, `${host}.${job.namespace}.svc.cluster.local`];
    const matches = items
      .filter((item) => {
        if (kind === "DestinationRule") return names.includes(String(item.spec?.host ?? ""));
        const gateways = (item.spec?.gateways as string[] | undefined) ?? [];
        const sidecars = gateways.length === 0 || gateways.includes("mesh");
        return sidecars && ((item.spec?.hosts as string[] | undefined) ?? []).some((h) => names.includes(h));
      })
      // Istio lets the oldest object win for a host; so does Graydesk.
      .sort((a, b) => byText(String(a.metadata.creationTimestamp), String(b.metadata.creationTimestamp)));
    return matches[0] as T | undefined;
  }

  const ref = (job: ReleaseJob, kind: string, existing?: { metadata: { name: string } }) => ({
    apiVersion: ISTIO_API_VERSION,
    kind,
    namespace: job.namespace,
    name: existing?.metadata.name ?? job.service.name,
  });

  async function waitFor(job: ReleaseJob, versions: Version[]): Promise<PlanPart> {
    if (versions.length === 0) return { steps: [], preconditions: [], notes: [] };
    const deployments = await versionDeployments(kube, job.namespace, job.service.name);
    const steps = versions.flatMap((version) => {
      const deployment = deployments.get(version);
      return deployment ? [waitReadyStep(job.namespace, deployment.metadata.name)] : [];
    });
    return { steps, preconditions: [], notes: [] };
  }

  return {
    kind: "istio",

    async reconcile(job) {
      const rule = await find<DestinationRuleObject>(job, "DestinationRule");
      const service = await find<VirtualServiceObject>(job, "VirtualService");
      const part = writeStep(
        ref(job, "DestinationRule", rule),
        rule as KubeObject | undefined,
        desiredDestinationRule(job, rule),
      );
      if (hasOriginals(job)) return part;
      const originals: RecordedOriginal[] = [
        {
          apiVersion: ISTIO_API_VERSION,
          kind: "DestinationRule",
          name: ref(job, "DestinationRule", rule).name,
          ...(rule ? { spec: rule.spec } : {}),
        },
        {
          apiVersion: ISTIO_API_VERSION,
          kind: "VirtualService",
          name: ref(job, "VirtualService", service).name,
          ...(service ? { spec: service.spec } : {}),
        },
      ];
      return { ...part, originals };
    },

    async setRoutes(job, policy: TrafficPolicy) {
      const existing = await find<VirtualServiceObject>(job, "VirtualService");
      const ingress = await deps.ingress?.(job, existing as KubeObject | undefined);
      const desired = desiredVirtualService(
        { ...job, traffic: policy },
        policy,
        existing,
        ingress ? { ingress } : {},
      );
      const write = writeStep(
        ref(job, "VirtualService", existing),
        existing as KubeObject | undefined,
        desired,
      );
      const notice = gatewayNotice(job, ingress);
      return joinParts(await waitFor(job, gaining(job, policy)), write, {
        steps: [],
        preconditions: [],
        notes: notice ? [notice] : [],
      });
    },

    async getRoutes(job) {
      const existing = await find<VirtualServiceObject>(job, "VirtualService");
      return existing ? readSplit(existing, job) : undefined;
    },

    async finalize(job, keep) {
      if (!hasOriginals(job)) return { steps: [], preconditions: [], notes: [] };
      const gone = jobVersions(job).find((version) => version !== keep) ?? "";
      const rule = await find<DestinationRuleObject>(job, "DestinationRule");
      const service = await find<VirtualServiceObject>(job, "VirtualService");
      const original = (kind: string) =>
        job.originals.find((o) => o.apiVersion === ISTIO_API_VERSION && o.kind === kind);
      const parts: PlanPart[] = [];
      const vsOriginal = original("VirtualService");
      if (service) {
        const vsRef = ref(job, "VirtualService", service);
        parts.push(
          vsOriginal?.spec === undefined
            ? deleteStep(vsRef, service as KubeObject)
            : writeStep(vsRef, service as KubeObject, { spec: restoredService(vsOriginal.spec, gone, keep) }),
        );
      }
      const drOriginal = original("DestinationRule");
      if (rule) {
        const drRef = ref(job, "DestinationRule", rule);
        parts.push(
          drOriginal?.spec === undefined
            ? deleteStep(drRef, rule as KubeObject)
            : writeStep(drRef, rule as KubeObject, {
                spec: restoredRule(drOriginal.spec, gone, { name: keep, labels: { [VERSION_LABEL]: keep } }),
              }),
        );
      }
      return joinParts(...parts);
    },

    async objects(job) {
      const found = await Promise.all([
        find<KubeObject>(job, "VirtualService"),
        find<KubeObject>(job, "DestinationRule"),
      ]);
      return found.filter((object): object is KubeObject => object !== undefined);
    },
  };
}
