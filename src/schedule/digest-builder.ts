import type { KubernetesObject } from "@kubernetes/client-node";
import type { ApprovalRequest, Policy } from "../approvals/index.ts";
import {
  GATEWAY_API_VERSION,
  type HttpRouteObject,
  ISTIO_API_VERSION,
  MANAGED_BY,
  newVersionDeploymentName,
  type ReleaseJob,
  readHttpRoute,
  readSplit,
  readStrategy,
  routesService,
  STRATEGY_API_VERSION,
  type StrategyObject,
  TERMINAL_STATES,
  type TrafficPolicy,
  type VirtualServiceObject,
} from "../release/index.ts";
import { type Store, unreadChangedAt } from "../store/index.ts";
import type { HealthJob, JobAnalysis, VersionHealth } from "../telemetry/index.ts";
import type { DigestInput, DigestJob } from "./digest-content.ts";

/** The one Kubernetes call the builder needs: a list across all namespaces (ClusterClient.list fits). */
export type ListObjects = <T extends KubernetesObject>(
  apiVersion: string,
  kind: string,
  namespace?: string,
  labelSelector?: string,
) => Promise<{ items: T[] }>;

export interface DigestSources {
  store: Store;
  /** The cluster of jobs without a cluster name (a desk with one cluster). */
  list: ListObjects;
  /** With several clusters: each cluster's list by its name; a cluster that does not answer marks its jobs. */
  clusters?: Record<string, ListObjects>;
  /** Health of many jobs with one Prometheus query per metric (Telemetry.healthOfJobs); absent: not measured. */
  health?: (jobs: HealthJob[]) => Promise<Map<string, VersionHealth>>;
  /** The analysis of each job's checks since its last change; with it, health is its verdicts, settling included. */
  analysis?: (job: ReleaseJob) => Pick<JobAnalysis, "verdicts" | "newVersion" | "stable"> | undefined;
  policy: Policy;
  now?: () => Date;
}

/**
 * Gathers a digest's input with a fixed number of calls whatever the number of jobs: one list per routing kind
 * in use (VirtualServices, KubeSphere Strategies) and one of Graydesk's Deployments, each across all namespaces,
 * plus one Prometheus query per metric for all the active jobs. A list that fails leaves that part unknown
 * (the digest says "as last applied") rather than failing the whole digest.
 */
export async function gatherDigest(
  sources: DigestSources,
  options: { namespaces?: string[]; lastDigestAt?: Date } = {},
): Promise<DigestInput> {
  const data = sources.store.data();
  const wanted = options.namespaces ? new Set(options.namespaces) : undefined;
  const jobs = (Object.values(data.jobs) as unknown as ReleaseJob[]).filter(
    (j) => !wanted || wanted.has(j.namespace),
  );
  const approvals = (Object.values(data.approvals) as unknown as ApprovalRequest[]).filter(
    (a) => !wanted || wanted.has(a.namespace),
  );
  const active = jobs.filter((j) => !TERMINAL_STATES.includes(j.state));
  const health =
    sources.health && active.length > 0 ? await sources.health(active).catch(() => undefined) : undefined;
  const byCluster = groupBy(jobs, (job) => job.cluster ?? "");
  const digestJobs: DigestJob[] = [];
  for (const [cluster, clusterJobs] of byCluster) {
    const list = cluster === "" ? sources.list : sources.clusters?.[cluster];
    const read = list ? await readCluster(list, clusterJobs) : undefined;
    for (const job of clusterJobs) {
      const entry: DigestJob = { job };
      digestJobs.push(entry);
      if (TERMINAL_STATES.includes(job.state)) {
        // An archived finished job says when it last changed without its history being read.
        const changedAt = unreadChangedAt(job);
        if (changedAt) entry.changedAt = Date.parse(changedAt);
        continue;
      }
      if (!read?.reached) {
        entry.unreachable = true;
        continue;
      }
      const configured = read.configured(job);
      if (configured) entry.configured = configured;
      const jobHealth = health?.get(job.id);
      if (jobHealth) entry.health = jobHealth;
      const analysis = sources.analysis?.(job);
      if (analysis)
        entry.verdicts = [analysis.newVersion, analysis.stable].flatMap((v) => analysis.verdicts[v] ?? []);
      const pods = read.pods(job);
      if (pods) entry.newVersionPods = pods;
    }
  }
  return {
    now: (sources.now ?? (() => new Date()))(),
    ...(options.lastDigestAt ? { lastDigestAt: options.lastDigestAt } : {}),
    jobs: digestJobs,
    approvals,
    policy: sources.policy,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
  };
}

/**
 * One cluster's part: a list per routing kind its active jobs use and one of Graydesk's Deployments. `reached`
 * is false when every list failed: the cluster did not answer.
 */
async function readCluster(list: ListObjects, jobs: ReleaseJob[]) {
  const active = jobs.filter((j) => !TERMINAL_STATES.includes(j.state));
  const uses = (router: ReleaseJob["router"]) => active.some((j) => j.router === router);
  let asked = 0;
  let answered = 0;
  const safely = async <T extends KubernetesObject>(apiVersion: string, kind: string, selector?: string) => {
    asked++;
    try {
      const items = (await list<T>(apiVersion, kind, undefined, selector)).items;
      answered++;
      return items;
    } catch {
      return undefined;
    }
  };
  const [services, strategies, routes, deployments] = await Promise.all([
    uses("istio") ? safely<VirtualServiceObject & KubernetesObject>(ISTIO_API_VERSION, "VirtualService") : [],
    uses("kubesphere") ? safely<StrategyObject & KubernetesObject>(STRATEGY_API_VERSION, "Strategy") : [],
    uses("gateway-api") ? safely<HttpRouteObject & KubernetesObject>(GATEWAY_API_VERSION, "HTTPRoute") : [],
    active.length > 0
      ? safely<DeploymentLike>("apps/v1", "Deployment", `app.kubernetes.io/managed-by=${MANAGED_BY}`)
      : [],
  ]);
  const byNamespace = groupBy(services ?? [], (vs) => vs.metadata?.namespace ?? "");
  const routesByNamespace = groupBy(routes ?? [], (route) => route.metadata?.namespace ?? "");
  const strategyOf = new Map(
    (strategies ?? []).map((s) => [`${s.metadata?.namespace}/${s.metadata?.name}`, s]),
  );
  const deploymentOf = new Map(
    (deployments ?? []).map((d) => [`${d.metadata?.namespace}/${d.metadata?.name}`, d]),
  );
  return {
    reached: asked === 0 || answered > 0,
    configured: (job: ReleaseJob) => configuredSplit(job, byNamespace, strategyOf, routesByNamespace),
    pods(job: ReleaseJob) {
      const deployment = deploymentOf.get(
        `${job.namespace}/${newVersionDeploymentName(job.service.name, job.newVersion.version)}`,
      );
      if (!deployment) return undefined;
      return { ready: deployment.status?.readyReplicas ?? 0, desired: deployment.spec?.replicas ?? 0 };
    },
  };
}

interface DeploymentLike extends KubernetesObject {
  spec?: { replicas?: number };
  status?: { readyReplicas?: number };
}

function configuredSplit(
  job: ReleaseJob,
  services: Map<string, VirtualServiceObject[]>,
  strategies: Map<string, StrategyObject>,
  routes: Map<string, HttpRouteObject[]>,
): TrafficPolicy | undefined {
  if (job.router === "gateway-api") {
    const candidates = (routes.get(job.namespace) ?? []).filter((route) => routesService(route, job));
    for (const route of candidates) {
      const split = readHttpRoute(route, job);
      if (split) return split;
    }
    return undefined;
  }
  if (job.router === "istio") {
    const candidates = services.get(job.namespace) ?? [];
    const own = candidates.filter((vs) => vs.metadata.name === job.service.name);
    for (const vs of [...own, ...candidates]) {
      const split = readSplit(vs, job);
      if (split) return split;
    }
    return undefined;
  }
  if (job.router === "kubesphere") {
    const strategy = strategies.get(`${job.namespace}/${job.name}`);
    return strategy ? readStrategy(strategy).split : undefined;
  }
  return undefined;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
