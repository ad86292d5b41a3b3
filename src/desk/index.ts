// The use-cases the Slack side calls. None of them knows which router a job uses.
import { type Kube, roundReads } from "../cluster/index.ts";
import type { Plan, ReleaseJob } from "../release/index.ts";
import { byText } from "../release/index.ts";
import { applyPlan } from "./apply-plan.ts";
import { adoptConsoleJobs, adoptConsoleJobsBefore } from "./console-jobs.ts";
import { deskContext, namespaceOperation, type ReleaseDeskOptions } from "./context.ts";
import { createJob } from "./create-job.ts";
import { Deployments } from "./deploying.ts";
import { newVersionGuard } from "./guard-new-version.ts";
import { imagePorts, searchImages } from "./images.ts";
import { abandon, retry } from "./lifecycle.ts";
import { planChange } from "./plan-change.ts";
import { closeNotDeployed } from "./prepared.ts";
import { prune, prunePeriodically } from "./prune.ts";
import { allJobs, isLive, readJob, readPlan } from "./records.ts";
import { recover, tendJournal } from "./recover.ts";
import type { Pruned } from "./retention.ts";
import { jobStatus } from "./status.ts";
import type { ReadRound, RecoveryCheck, ReleaseDesk, ServiceInfo } from "./types.ts";

export type { ReleaseDeskOptions } from "./context.ts";
export type { PlanRecord, PlanStatus } from "./records.ts";
export { DEFAULT_RETENTION, type Pruned, pruneStore, type Retention } from "./retention.ts";
export type * from "./types.ts";

export interface RunningReleaseDesk extends ReleaseDesk {
  /** Drops what the store no longer needs (finished plans' bodies, done journals, old requests); also hourly. */
  prune(): Promise<Pruned>;
  /** Stops waiting for new versions (they are watched again by recover() at the next start). */
  close(): Promise<void>;
  /**
   * With state shared by replicas: renews this process's word on its applies under way and resumes another
   * replica's whose word went stale (see tendJournal); every ReleaseDeskOptions.replicas.heartbeatMs on its own.
   */
  tendJournal(): Promise<void>;
  /**
   * Reads what the cluster serves (its routing APIs) now, so no user request pays for it; kept for the process.
   * Never rejects: a cluster that does not answer is asked again at the first use.
   */
  readCapabilities(): Promise<void>;
}

export function createReleaseDesk(options: ReleaseDeskOptions): RunningReleaseDesk {
  const ctx = deskContext(options);
  const deployments = new Deployments(ctx);
  const pruneEveryMs = options.pruneEveryMs ?? 3600_000;
  // Each round's reads, for as long as the round is in use.
  const rounds = new WeakMap<ReadRound, Kube>();
  const readsOf = (round: ReadRound): Kube => {
    const kept = rounds.get(round);
    if (kept) return kept;
    const reads = roundReads(ctx.shared);
    rounds.set(round, reads);
    return reads;
  };
  const stopPruning = pruneEveryMs > 0 ? prunePeriodically(ctx, pruneEveryMs) : () => undefined;
  // Start-up recovery's check (the policy's rights) also judges the applies taken over from other replicas;
  // before start-up recovery ran, a sweep only renews this process's word.
  let recovery: { check: RecoveryCheck | undefined } | undefined;
  let tending: Promise<void> | undefined;
  const tend = () => {
    tending ??= tendJournal(ctx, recovery).finally(() => {
      tending = undefined;
    });
    return tending;
  };
  const tendTimer = ctx.replicas
    ? setInterval(
        () =>
          void tend().catch((error) => ctx.logger.warn({ err: error }, "could not tend the apply journal")),
        ctx.replicas.heartbeatMs,
      )
    : undefined;
  tendTimer?.unref();

  return {
    namespaces: () => ctx.discovery.namespaces(),
    // The steps of one request in a namespace (services, apps, then the job created) share their reads.
    async apps(namespace) {
      return ctx.discovery.apps(namespace, namespaceOperation(ctx, namespace).reads);
    },
    async services(namespace, app, options) {
      const reads = namespaceOperation(ctx, namespace).reads;
      const found = await ctx.discovery.services(namespace, app, reads, options);
      await adoptConsoleJobs(ctx, namespace, found);
      const jobs = allJobs(ctx).filter((job) => isLive(job) && job.namespace === namespace);
      return found.map(({ template: _template, ...service }): ServiceInfo => {
        const active = jobs.find((job) => job.service.name === service.name);
        return { ...service, ...(active ? { activeJob: active.name } : {}) };
      });
    },
    namespaceConfig: (namespace) => ctx.discovery.namespaceConfig(namespace),
    newVersionGuard: (namespace, service) => newVersionGuard(ctx, namespace, service),
    searchImages: (namespace, service, request) => searchImages(ctx, namespace, service, request),
    imagePorts: (namespace, service, request) => imagePorts(ctx, namespace, service, request),

    async createJob(input, actor, options) {
      const job = await createJob(ctx, input, actor, options);
      if (job.state === "deploying") deployments.watch(job.id, { justCreated: true });
      return job;
    },
    closeNotDeployed: (jobId, reason, actor) => closeNotDeployed(ctx, jobId, reason, actor),
    waitDeployed: (jobId, timeoutMs) => deployments.until(jobId, timeoutMs),
    job: (id) => readJob(ctx, id),
    findJob: (ref) =>
      allJobs(ctx)
        .filter((job) => job.namespace === ref.namespace && job.name === ref.name)
        .sort((a, b) => Number(isLive(b)) - Number(isLive(a)) || byText(b.createdAt, a.createdAt))[0],
    adoptConsoleJobs: (namespace) => adoptConsoleJobsBefore(ctx, namespace),
    jobs: (namespace) =>
      allJobs(ctx)
        .filter((job) => namespace === undefined || job.namespace === namespace)
        // ISO times: newest first by plain string order (localeCompare costs ~0.1 s over 55,000 jobs).
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)),

    planChange: (jobId, change, actor) => planChange(ctx, jobId, change, actor),
    plan: (planId): Plan | undefined => readPlan(ctx, planId)?.plan,
    async applyPlan(planId, actor, approvedHash, start) {
      const outcome = await applyPlan(ctx, planId, actor, approvedHash, start);
      // An approved new version is coming up: watched like one created without approval.
      if (outcome.job.state === "deploying") deployments.watch(outcome.job.id, { justCreated: true });
      return outcome;
    },
    retry: (jobId, actor, options): Promise<ReleaseJob> => retry(ctx, deployments, jobId, actor, options),
    abandon: (jobId, actor) => abandon(ctx, jobId, actor),
    status: (jobId, options) =>
      jobStatus(ctx, jobId, {
        ...(options?.round ? { round: readsOf(options.round) } : {}),
        ...(options?.objects ? { objects: true } : {}),
      }),
    readRound: () => ({ round: true }),
    async recover(check) {
      recovery = { check };
      await recover(ctx, deployments, check);
      // After recovery: the journals it finished are the first things pruning drops.
      await prune(ctx).catch((error) => ctx.logger.warn({ err: error }, "store pruning failed"));
    },
    prune: () => prune(ctx),
    readCapabilities: () =>
      ctx.discovery.capabilities().then(
        () => undefined,
        (error: unknown) => ctx.logger.warn({ err: error }, "could not read the cluster's routing APIs yet"),
      ),
    tendJournal: tend,
    close: async () => {
      stopPruning();
      clearInterval(tendTimer);
      await tending?.catch(() => undefined);
      return deployments.close();
    },
  };
}
export {
  type ClusterReach,
  type ClustersDesk,
  type ClustersDeskOptions,
  createClustersDesk,
} from "./clusters.ts";
