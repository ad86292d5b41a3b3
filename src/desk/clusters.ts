// One desk for several clusters: a desk per cluster over the one store, each seeing its own cluster's jobs.
// Namespaces are written `cluster/namespace`; a bare namespace names the only cluster when there is one.
import { type Kube, withDeadline } from "../cluster/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import { byText, ReleaseError, splitScope, withScope } from "../release/index.ts";
import { createReleaseDesk, type ReleaseDeskOptions, type RunningReleaseDesk } from "./index.ts";
import type { CreateJobInput, JobRef, ServiceInfo } from "./types.ts";

export interface ClustersDeskOptions extends Omit<ReleaseDeskOptions, "cluster" | "clusterName"> {
  /** The clusters by their configured names (`prod-eu`, `staging`). */
  clusters: Record<string, Kube>;
  /** Bound on the request that tells whether a cluster answers (default 5 s). */
  probeTimeoutMs?: number;
}

export type ClusterReach = { reachable: true } | { reachable: false; reason: string };

export interface ClustersDesk extends RunningReleaseDesk {
  clusterNames(): string[];
  /** Asks each cluster one cheap question now; a cluster that does not answer is unreachable. */
  reachability(): Promise<Record<string, ClusterReach>>;
}

export function createClustersDesk(options: ClustersDeskOptions): ClustersDesk {
  const { clusters, probeTimeoutMs = 5000, ...shared } = options;
  const names = Object.keys(clusters).sort();
  if (names.length === 0) throw new ReleaseError("invalid-field", "Name at least one cluster.");
  const desks = new Map<string, RunningReleaseDesk>(
    names.map((name, index) => [
      name,
      createReleaseDesk({
        ...shared,
        cluster: clusters[name] as Kube,
        clusterName: name,
        // The store is shared: one desk prunes it.
        ...(index === 0 ? {} : { pruneEveryMs: 0 }),
      }),
    ]),
  );
  const first = desks.get(names[0] as string) as RunningReleaseDesk;

  function deskFor(scope: string): { desk: RunningReleaseDesk; cluster: string; namespace: string } {
    const { cluster, namespace } = splitScope(scope);
    const name = cluster ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined) {
      throw new ReleaseError(
        "invalid-field",
        `Say which cluster ${namespace} is in, as cluster/${namespace}: this desk has ${names.join(", ")}.`,
        { fields: [{ field: "namespace", message: `Write it as cluster/${namespace}.` }] },
      );
    }
    const desk = desks.get(name);
    if (!desk) {
      throw new ReleaseError(
        "not-found",
        `There is no cluster called ${name}; this desk has ${names.join(", ")}.`,
        { fields: [{ field: "cluster", message: `Choose ${names.join(" or ")}.` }] },
      );
    }
    return { desk, cluster: name, namespace };
  }

  const deskOfJob = (jobId: string): RunningReleaseDesk => {
    const job = first.job(jobId);
    if (!job?.cluster) throw new ReleaseError("not-found", "That release job no longer exists.");
    return deskFor(withScope(job.cluster, job.namespace)).desk;
  };
  const scoped = (cluster: string, service: ServiceInfo): ServiceInfo => ({
    ...service,
    namespace: withScope(cluster, service.namespace),
  });

  return {
    clusterNames: () => [...names],
    async reachability() {
      const entries = await Promise.all(
        names.map(async (name): Promise<[string, ClusterReach]> => {
          try {
            await withDeadline(clusters[name] as Kube, probeTimeoutMs).list("v1", "Namespace");
            return [name, { reachable: true }];
          } catch (error) {
            return [name, { reachable: false, reason: (error as Error).message }];
          }
        }),
      );
      return Object.fromEntries(entries);
    },

    async namespaces() {
      const lists = await Promise.all(
        names.map(async (name) =>
          (await (desks.get(name) as RunningReleaseDesk).namespaces().catch(() => [])).map((ns) =>
            withScope(name, ns),
          ),
        ),
      );
      return lists.flat();
    },
    apps(scope) {
      const { desk, namespace } = deskFor(scope);
      return desk.apps(namespace);
    },
    async services(scope, app, options) {
      const { desk, cluster, namespace } = deskFor(scope);
      return (await desk.services(namespace, app, options)).map((service) => scoped(cluster, service));
    },
    namespaceConfig(scope) {
      const { desk, namespace } = deskFor(scope);
      return desk.namespaceConfig(namespace);
    },
    newVersionGuard(scope, service) {
      const { desk, namespace } = deskFor(scope);
      return desk.newVersionGuard(namespace, service);
    },
    searchImages(scope, service, request) {
      const { desk, namespace } = deskFor(scope);
      return desk.searchImages(namespace, service, request);
    },
    imagePorts(scope, service, request) {
      const { desk, namespace } = deskFor(scope);
      return desk.imagePorts(namespace, service, request);
    },
    createJob(input: CreateJobInput, actor, options) {
      const { desk, namespace } = deskFor(input.namespace);
      return desk.createJob({ ...input, namespace }, actor, options);
    },
    closeNotDeployed: (jobId, reason, actor) => deskOfJob(jobId).closeNotDeployed(jobId, reason, actor),
    waitDeployed: (jobId, timeoutMs) => deskOfJob(jobId).waitDeployed(jobId, timeoutMs),
    job: (id) => first.job(id),
    findJob(ref: JobRef) {
      const { desk, namespace } = deskFor(ref.namespace);
      return desk.findJob({ namespace, name: ref.name });
    },
    jobs(scope) {
      if (scope !== undefined) {
        const { desk, namespace } = deskFor(scope);
        return desk.jobs(namespace);
      }
      return names
        .flatMap((name) => (desks.get(name) as RunningReleaseDesk).jobs())
        .sort((a: ReleaseJob, b: ReleaseJob) => byText(b.createdAt, a.createdAt));
    },
    async adoptConsoleJobs(scope) {
      if (scope !== undefined) {
        const { desk, namespace } = deskFor(scope);
        return desk.adoptConsoleJobs(namespace);
      }
      const adopted = await Promise.all(names.map((name) => desks.get(name)?.adoptConsoleJobs() ?? []));
      return adopted.flat();
    },
    planChange: (jobId, change, actor) => deskOfJob(jobId).planChange(jobId, change, actor),
    plan: (planId) => first.plan(planId),
    applyPlan(planId, actor, approvedHash, start) {
      const plan = first.plan(planId);
      if (!plan)
        throw new ReleaseError(
          "not-found",
          "That change's plan is no longer kept; ask for the change again.",
        );
      return deskOfJob(plan.jobId).applyPlan(planId, actor, approvedHash, start);
    },
    retry: (jobId, actor, options) => deskOfJob(jobId).retry(jobId, actor, options),
    abandon: (jobId, actor) => deskOfJob(jobId).abandon(jobId, actor),
    status: (jobId, options) => deskOfJob(jobId).status(jobId, options),
    // One round object for all clusters: each cluster's desk keeps its own reads for it.
    readRound: () => ({ round: true }),
    async recover(check) {
      // A cluster that does not answer is recovered at the next start; the others go on.
      for (const name of names) {
        await desks
          .get(name)
          ?.recover(check)
          .catch((error: unknown) => shared.logger.error({ err: error, cluster: name }, "recovery failed"));
      }
    },
    prune: () => first.prune(),
    async tendJournal() {
      for (const desk of desks.values()) await desk.tendJournal();
    },
    async readCapabilities() {
      await Promise.all([...desks.values()].map((desk) => desk.readCapabilities()));
    },
    async close() {
      for (const desk of desks.values()) await desk.close();
    },
  };
}
