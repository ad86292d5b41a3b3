import {
  Journal,
  type JournalEntry,
  journalEntries,
  resumePlan,
  runSteps,
  type TrafficRouter,
} from "../cluster/index.ts";
import { ReleaseError, type ReleaseJob } from "../release/index.ts";
import { computePlan } from "./compute-plan.ts";
import { applyDeps, audit, type DeskContext, freshWord, operation, routerOf } from "./context.ts";
import { originalsAfterCrash } from "./crash-originals.ts";
import type { Deployments } from "./deploying.ts";
import { completeChange, failJob } from "./job-changes.ts";
import { computePreparePlan, runPreparePlan } from "./prepare-job.ts";
import { closeNotDeployed, prepared, undoPrepare } from "./prepared.ts";
import {
  allJobs,
  movePlan,
  mustJob,
  ownsJob,
  type PlanRecord,
  readPlan,
  saveJob,
  savePlan,
} from "./records.ts";
import { closeRecoveredRequests, refuseUnstartedRequests } from "./recovered-requests.ts";
import type { RecoveryCheck } from "./types.ts";

/**
 * Start-up. Each apply a crash interrupted is finished when its remaining steps still fit the cluster;
 * otherwise the job's last good routes are put back, so traffic is never left half-moved. Jobs whose
 * new version was still coming up are watched again.
 */
export async function recover(
  ctx: DeskContext,
  deployments: Deployments,
  check?: RecoveryCheck,
): Promise<void> {
  await recoverPlans(ctx, check, { sweep: false });
  await refuseUnstartedRequests(ctx);
  await closeUnaskedNewVersions(ctx);
  for (const job of allJobs(ctx)) if (job.state === "deploying") deployments.watch(job.id);
}

/**
 * With state shared by replicas (ReleaseDeskOptions.replicas), runs every `heartbeatMs`: renews this process's
 * word on the applies it has under way, then resumes those of a replica whose word went stale (it crashed, or
 * was stopped mid-apply), each taken over in a conditional write so that one replica alone resumes it, and judged
 * by `recovery.check` as start-up recovery judges (none before start-up recovery ran). The process that went
 * quiet, should it still be running, stops at its next step (TakenOver).
 */
export async function tendJournal(
  ctx: DeskContext,
  recovery: { check: RecoveryCheck | undefined } | undefined,
): Promise<void> {
  if (!ctx.replicas) return;
  const now = ctx.now();
  const mine = (entry: JournalEntry | undefined) =>
    entry?.state === "running" && entry.owner === ctx.identity;
  if (journalEntries(ctx.store.data()).some(mine)) {
    await ctx.store.update((draft) => {
      for (const stored of Object.values(draft.journal) as unknown as JournalEntry[])
        if (mine(stored)) stored.heartbeatAt = now;
    });
  }
  // Until start-up recovery ran, the policy's check it judges with is not known: nothing is taken over yet.
  if (!recovery) return;
  await recoverPlans(ctx, recovery.check, { sweep: true });
  await refuseUnstartedRequests(ctx);
}

/**
 * An apply another replica may still have under way: shared state, and that replica's word on it is fresh.
 * Entries from an older release carry no word: their start stands in for it.
 */
function inOtherHands(ctx: DeskContext, entry: JournalEntry): boolean {
  return entry.owner !== ctx.identity && freshWord(ctx, entry.heartbeatAt ?? entry.startedAt);
}

/** Makes the entry this process's, unless someone changed it since it was read (another replica was first). */
function takeOver(ctx: DeskContext, seen: JournalEntry): Promise<boolean> {
  return ctx.store.update((draft) => {
    const entry = draft.journal[seen.id] as unknown as JournalEntry | undefined;
    if (entry?.state !== "running" || entry.owner !== seen.owner || entry.heartbeatAt !== seen.heartbeatAt)
      return false;
    entry.owner = ctx.identity;
    entry.heartbeatAt = ctx.now();
    return true;
  });
}

/**
 * Finishes or reverts the applies a stop interrupted. At start-up every running one (this process has none of
 * its own yet); in a sweep (tendJournal), only those of other processes. Either way, with shared state, one
 * whose process's word is still fresh is left to that process.
 */
async function recoverPlans(ctx: DeskContext, check: RecoveryCheck | undefined, o: { sweep: boolean }) {
  // A crash between storing a new job and the first step of its preparation left no journal: start one. With
  // shared state, another replica may be at that very point: only a plan older than a stale word is started.
  const begun = new Set<string>();
  for (const record of Object.values(ctx.store.data().plans) as unknown as PlanRecord[]) {
    if (!ownsJob(ctx, record.plan.jobId)) continue;
    if (
      record.status === "applying" &&
      record.change.kind === "prepare" &&
      !ctx.store.data().journal[record.id] &&
      !freshWord(ctx, record.createdAt)
    ) {
      await new Journal(ctx.store, record.id, ctx.identity).begin(record.plan.jobId, ctx.now());
      begun.add(record.id);
    }
  }
  for (const seen of journalEntries(ctx.store.data())) {
    if (seen.state !== "running") continue;
    // A sweep leaves this process's own applies alone: they are under way here (but not one it just began).
    if (o.sweep && seen.owner === ctx.identity && !begun.has(seen.id)) continue;
    if (inOtherHands(ctx, seen)) continue;
    const record = readPlan(ctx, seen.planId);
    // With several clusters, each cluster's desk finishes its own jobs' plans.
    if (record && !ownsJob(ctx, record.plan.jobId)) continue;
    if (!(await takeOver(ctx, seen))) continue;
    const entry = (ctx.store.data().journal[seen.id] as unknown as JournalEntry | undefined) ?? seen;
    const finish = (state: "done" | "failed", error?: string) =>
      ctx.store.update((draft) => {
        const stored = draft.journal[entry.id] as { state?: string; error?: string } | undefined;
        if (stored) Object.assign(stored, { state, ...(error ? { error } : {}) });
      });
    if (!record) {
      await finish("failed", "plan not found");
      continue;
    }
    // The people behind it must still hold the rights today's policy asks for; if not, nothing more is applied.
    const refusal = check ? await refusalOf(ctx, record, check) : undefined;
    if (refusal) {
      await finish("failed", refusal);
      await refuseRecovery(ctx, record, entry, refusal);
      continue;
    }
    const resumed = await resumePlan(applyDeps(ctx), record.plan, entry);
    const base = {
      actor: "graydesk",
      job: record.plan.jobId,
      namespace: mustJob(ctx, record.plan.jobId).namespace,
    };
    if (resumed.ok) {
      await finish("done");
      if (record.change.kind === "prepare") {
        await prepared(ctx, record, record.requestedBy);
        // An approved new version (approveNewVersions) has a request that says so now.
        await closeRecoveredRequests(ctx, record.id, "applied", "completed by Graydesk after a restart");
      } else {
        await completeChange(ctx, record, record.requestedBy);
        await movePlan(ctx, record.id, "applying", "applied");
        await closeRecoveredRequests(ctx, record.id, "applied", "completed by Graydesk after a restart");
      }
      await audit(ctx, {
        kind: "plan.recovered",
        ...base,
        detail: { plan: record.id, outcome: "completed" },
      });
      continue;
    }
    ctx.logger.warn(
      { plan: record.id, reason: resumed.reason },
      "interrupted plan cannot be completed; reverting",
    );
    await finish("failed", resumed.reason);
    if (record.change.kind === "prepare") {
      await prepareAgain(ctx, record, entry, resumed.reason);
      const job = mustJob(ctx, record.plan.jobId);
      const done = job.state !== "abandoned" && job.state !== "failed";
      await closeRecoveredRequests(
        ctx,
        record.id,
        done ? "applied" : "failed",
        done
          ? "completed by Graydesk after a restart (planned again against the cluster as it was)"
          : `interrupted by a restart and undone: ${resumed.reason}`,
      );
      continue;
    }
    await movePlan(ctx, record.id, "applying", "failed", resumed.reason);
    await closeRecoveredRequests(
      ctx,
      record.id,
      "failed",
      `interrupted by a restart and reverted: ${resumed.reason}`,
    );
    await revert(ctx, record, entry, resumed.reason);
  }
}

/**
 * A person's plan is judged by `check` with whoever asked and approved it; a step a schedule applied by itself,
 * with who set the schedule and who approved it. Graydesk's own plans (an undo, a revert) carry no one's rights.
 */
async function refusalOf(
  ctx: DeskContext,
  record: PlanRecord,
  check: RecoveryCheck,
): Promise<string | undefined> {
  if (record.change.kind === "revert") return undefined;
  if (record.requestedBy.startsWith("graydesk")) {
    const schedule = ctx.store.data().steps[record.plan.jobId] as
      | { setBy?: string; approval?: { by?: string } }
      | undefined;
    if (!schedule?.setBy || record.change.kind === "prepare") return undefined;
    const verdict = await check({
      job: mustJob(ctx, record.plan.jobId),
      change: record.change.kind,
      requestedBy: schedule.setBy,
      approvedBy: schedule.approval?.by ? [schedule.approval.by] : [],
    });
    return verdict.ok ? undefined : verdict.message;
  }
  const approvedBy = (
    Object.values(ctx.store.data().approvals) as { planId?: unknown; approvals?: unknown }[]
  )
    .filter((request) => request.planId === record.id && Array.isArray(request.approvals))
    .flatMap((request) => (request.approvals as { user: string }[]).map((a) => a.user));
  const verdict = await check({
    job: mustJob(ctx, record.plan.jobId),
    change: record.change.kind,
    requestedBy: record.requestedBy,
    approvedBy: [...new Set(approvedBy)],
  });
  return verdict.ok ? undefined : verdict.message;
}

/**
 * An interrupted plan whose people no longer hold the rights it needs: nothing more of it is applied. What it
 * wrote is put back (a new version's preparation undone, a traffic change reverted to the last good routes),
 * its request and plan are closed with the refusal, the job's history says so, and the trail records it.
 */
async function refuseRecovery(
  ctx: DeskContext,
  record: PlanRecord,
  entry: JournalEntry,
  refusal: string,
): Promise<void> {
  const reason = `Not finished after a restart: ${refusal}`;
  const job = mustJob(ctx, record.plan.jobId);
  await closeRecoveredRequests(ctx, record.id, "failed", reason);
  await audit(ctx, {
    kind: "plan.recovery-refused",
    actor: "graydesk",
    job: job.id,
    namespace: job.namespace,
    detail: { plan: record.id, requestedBy: record.requestedBy, reason: refusal },
  });
  if (record.change.kind === "prepare") {
    await undoPrepare(ctx, record, new ReleaseError("not-allowed", reason), "graydesk");
    return;
  }
  await movePlan(ctx, record.id, "applying", "failed", reason);
  await revert(ctx, record, entry, reason);
  const now = mustJob(ctx, job.id);
  const event = { at: ctx.now(), actor: "graydesk", kind: "recovery-refused", detail: reason };
  await saveJob(ctx, { ...now, history: [...now.history, event] }, "recovery-refused");
}

/** Puts back the routes the job last completed (the stable version alone if it never routed). */
async function revert(
  ctx: DeskContext,
  record: PlanRecord,
  entry: JournalEntry,
  reason: string,
): Promise<void> {
  const jobId = record.plan.jobId;
  const stored = mustJob(ctx, jobId);
  try {
    const op = operation(ctx);
    const router = await routerOf(op, stored);
    const job = await withOriginals(router, stored, record, entry);
    const { plan } = await computePlan(op, router, job, { kind: "revert" });
    await runSteps(applyDeps(ctx), plan, new Map());
    // Reverting a job's first change leaves its routing objects: remember them for the job's end.
    if (stored.originals.length === 0 && job.originals.length > 0) await saveJob(ctx, job, "reverted");
    await audit(ctx, {
      kind: "plan.recovered",
      actor: "graydesk",
      job: jobId,
      namespace: job.namespace,
      detail: { outcome: "reverted", reason },
    });
  } catch (error) {
    await failJob(ctx, jobId, error, "graydesk");
  }
}

/** The job with the originals its interrupted first change recorded (see originalsAfterCrash). */
async function withOriginals(
  router: TrafficRouter,
  job: ReleaseJob,
  record: PlanRecord,
  entry: JournalEntry,
): Promise<ReleaseJob> {
  if (job.originals.length > 0) return job;
  const now = (await router.reconcile(job)).originals ?? [];
  return { ...job, originals: originalsAfterCrash(record, entry, now) };
}

/**
 * A job's preparation cannot be finished as planned (the cluster moved on): it is planned again from
 * what the cluster holds now, keeping the originals read before the first attempt wrote anything.
 */
async function prepareAgain(
  ctx: DeskContext,
  interrupted: PlanRecord,
  entry: JournalEntry,
  reason: string,
): Promise<void> {
  await movePlan(ctx, interrupted.id, "applying", "failed", reason);
  const stored = mustJob(ctx, interrupted.plan.jobId);
  let record = interrupted;
  let job = stored;
  try {
    const op = operation(ctx);
    const router = await routerOf(op, stored);
    job = await withOriginals(router, stored, interrupted, entry);
    const { plan } = await computePreparePlan(op, router, job);
    record = { ...record, ...(job.originals.length > 0 ? { originals: job.originals } : {}) };
    record = { ...record, id: plan.id, plan, status: "applying", createdAt: ctx.now() };
    await savePlan(ctx, record);
    await runPreparePlan(ctx, plan);
  } catch (error) {
    await undoPrepare(ctx, record, error, "graydesk");
    return;
  }
  await prepared(ctx, record, interrupted.requestedBy);
  await audit(ctx, {
    kind: "plan.recovered",
    actor: "graydesk",
    job: job.id,
    namespace: job.namespace,
    detail: { plan: interrupted.id, outcome: "prepared again", reason },
  });
}

/**
 * A job waiting for approval of its new version whose request is no longer open (a restart came between storing
 * the job and asking, or between the approval and its apply): nothing was deployed, so the job closes saying so.
 */
async function closeUnaskedNewVersions(ctx: DeskContext): Promise<void> {
  const requests = Object.values(ctx.store.data().approvals) as { planId?: unknown; state?: unknown }[];
  for (const job of allJobs(ctx)) {
    const planId = job.proposal?.planId;
    if (job.state !== "awaiting-approval" || !planId) continue;
    if (requests.some((r) => r.planId === planId && (r.state === "pending" || r.state === "approved")))
      continue;
    await closeNotDeployed(
      ctx,
      job.id,
      "its approval request was interrupted by a restart before anything was deployed; create the job again",
      "graydesk",
    );
  }
}
