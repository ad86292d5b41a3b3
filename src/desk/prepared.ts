import { AlreadyExists, checkPreconditions, refKey, runSteps } from "../cluster/index.ts";
import type { ObjectRef, Plan, RecordedOriginal, ReleaseJob } from "../release/index.ts";
import { transition } from "../release/index.ts";
import type { StoredRecord } from "../store/index.ts";
import { computePlan } from "./compute-plan.ts";
import { applyDeps, audit, type DeskContext, operation, routerOf } from "./context.ts";
import { failJob, reasonOf } from "./job-changes.ts";
import { movePlan, movePlanIn, mustJob, type PlanRecord, saveJob } from "./records.ts";

/**
 * A job's prepare plan ran to the end: the job keeps the routing objects as they were found, its
 * history says the routes hold the stable version, and the outside world hears of the job.
 */
export async function prepared(ctx: DeskContext, record: PlanRecord, actor: string): Promise<ReleaseJob> {
  const found = mustJob(ctx, record.plan.jobId);
  const routed = record.plan.steps.some((step) => step.object.kind !== "Deployment");
  const job: ReleaseJob = {
    ...found,
    originals:
      found.originals.length > 0 ? found.originals : ((record.originals ?? []) as RecordedOriginal[]),
    history: routed
      ? [
          ...found.history,
          {
            at: ctx.now(),
            actor: "graydesk",
            kind: "routes-held",
            detail: `routes keep all traffic on ${found.stableVersion} until an approved change (set without approval: no traffic moved)`,
            traffic: { kind: "serve", version: found.stableVersion },
          },
        ]
      : found.history,
  };
  await saveJob(ctx, job, "created");
  await movePlan(ctx, record.id, "applying", "applied");
  await audit(ctx, {
    kind: "job.created",
    actor,
    job: job.id,
    namespace: job.namespace,
    detail: {
      name: job.name,
      service: job.service.name,
      strategy: job.strategy,
      router: job.router,
      version: job.newVersion.version,
      plan: record.id,
    },
  });
  return job;
}

/**
 * A prepare plan failed part-way: whatever it wrote is put back as found (routes restored or deleted,
 * the new Deployment removed) and the job is abandoned, as if it had never been created. When even that
 * fails, the job is left failed with its originals, so abandoning it later cleans up. An object whose create
 * was refused because someone else had made it (AlreadyExists) is theirs: it is not deleted. Resolves with
 * whether everything was put back.
 */
export async function undoPrepare(
  ctx: DeskContext,
  record: PlanRecord,
  error: unknown,
  actor: string,
): Promise<boolean> {
  const reason = reasonOf(error);
  await movePlan(ctx, record.id, "applying", "failed", reason);
  const found = mustJob(ctx, record.plan.jobId);
  const job: ReleaseJob = { ...found, originals: (record.originals ?? []) as RecordedOriginal[] };
  await ctx.store.update((draft) => {
    draft.jobs[job.id] = job as unknown as StoredRecord;
  });
  // Read again: the failed prepare may have written since the job's creation read.
  const fresh = operation(ctx);
  try {
    const { plan } = await computePlan(fresh, await routerOf(fresh, job), job, { kind: "abandon" });
    const undo = error instanceof AlreadyExists ? leaving(plan, error.ref) : plan;
    await runSteps(applyDeps(ctx), undo, await checkPreconditions(ctx.kube, undo));
  } catch (undoError) {
    ctx.logger.warn({ err: undoError, job: job.id }, "could not undo a job's preparation");
    await failJob(ctx, job.id, error, actor);
    return false;
  }
  const at = ctx.now();
  const failed = transition(job, { kind: "fail", reason, retryable: false, at, actor });
  const abandoned = transition(failed, { kind: "abandon", at, actor: "graydesk", detail: "undone" });
  // Nobody heard of the job yet: it is recorded, not announced.
  await ctx.store.update((draft) => {
    draft.jobs[job.id] = abandoned as unknown as StoredRecord;
  });
  await audit(ctx, {
    kind: "job.create-failed",
    actor,
    job: job.id,
    namespace: job.namespace,
    detail: { name: job.name, reason },
  });
  return true;
}

/** The undo without the steps on an object someone else made (not hashed again: nobody approves an undo). */
function leaving(plan: Plan, ref: ObjectRef): Plan {
  const other = (object: ObjectRef) => refKey(object) !== refKey(ref);
  return {
    ...plan,
    steps: plan.steps.filter((step) => other(step.object)),
    preconditions: plan.preconditions.filter((pre) => other(pre.ref)),
  };
}

/**
 * A job whose new version was never deployed ends here: its approval was rejected or expired, the approved
 * plan was refused before it wrote anything, or the rights behind it are gone. Its plan is closed unapplied.
 */
export async function closeNotDeployed(
  ctx: DeskContext,
  jobId: string,
  reason: string,
  actor: string,
): Promise<ReleaseJob> {
  const found = mustJob(ctx, jobId);
  if (found.state !== "awaiting-approval" && found.state !== "deploying") return found;
  const closed = transition(found, { kind: "close", reason, at: ctx.now(), actor });
  // The first traffic change promised with the job is for a version that will never exist.
  if (closed.promised?.state === "promised")
    closed.promised = {
      ...closed.promised,
      state: "broken",
      problem: `the new version was never deployed: ${reason}`,
    };
  const planId = found.proposal?.planId;
  await ctx.store.update((draft) => {
    if (planId) movePlanIn(draft, planId, "proposed", "failed", reason);
  });
  await saveJob(ctx, closed, "closed");
  await audit(ctx, {
    kind: "job.not-deployed",
    actor,
    job: jobId,
    namespace: closed.namespace,
    detail: { name: closed.name, reason },
  });
  return closed;
}
