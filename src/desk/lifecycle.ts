import { checkPreconditions, Interrupted, runSteps } from "../cluster/index.ts";
import type { ReleaseJob } from "../release/index.ts";
import { canDo, ReleaseError, transition } from "../release/index.ts";
import { execute } from "./apply-plan.ts";
import { computePlan } from "./compute-plan.ts";
import { applyDeps, audit, type DeskContext, operation, routerOf } from "./context.ts";
import type { Deployments } from "./deploying.ts";
import { completeChange, failJob, reasonOf } from "./job-changes.ts";
import { computePreparePlan, runPreparePlan } from "./prepare-job.ts";
import { movePlan, mustJob, type PlanRecord, plansOf, saveJob, savePlan } from "./records.ts";

/**
 * Retries a job that failed in a way that can clear up: back to the state it failed in. A failed deployment
 * is deployed again. A failed change goes on only as the plan that was approved (`resumePlan`), checked
 * against the cluster as planned; anything else is a new change, asked for and approved again.
 */
export async function retry(
  ctx: DeskContext,
  deployments: Deployments,
  jobId: string,
  actor: string,
  options: { resumePlan?: string } = {},
): Promise<ReleaseJob> {
  const failed = mustJob(ctx, jobId);
  const verdict = canDo(failed, { kind: "retry" });
  if (!verdict.ok) throw new ReleaseError("not-allowed", verdict.reason);
  const job = transition(failed, { kind: "retry", at: ctx.now(), actor });
  await saveJob(ctx, job, "retry");
  await audit(ctx, { kind: "job.retried", actor, job: jobId, namespace: job.namespace });
  if (job.state === "deploying") {
    await ensureNewVersion(ctx, job, actor).catch((error) =>
      failJob(ctx, jobId, error, actor).then(() => Promise.reject(error)),
    );
    return deployments.watch(jobId);
  }
  const last = plansOf(ctx, jobId)
    .filter((record) => record.status === "failed" && record.change.kind !== "prepare")
    .at(-1);
  if (!last || options.resumePlan !== last.id) return job;
  // The approved plan exactly as approved: its preconditions say whether the cluster is still as planned.
  const record: PlanRecord = { ...last, status: "applying" };
  await ctx.store.update((draft) => {
    const stored = draft.plans[last.id] as unknown as PlanRecord;
    stored.status = "applying";
  });
  return (await execute(ctx, record, actor)).job;
}

/** The new version again (routes holding the stable version first), when someone removed it. */
async function ensureNewVersion(ctx: DeskContext, job: ReleaseJob, actor: string): Promise<void> {
  const op = operation(ctx);
  const { plan, part } = await computePreparePlan(op, await routerOf(op, job), job);
  if (plan.steps.length === 0) return;
  const record: PlanRecord = {
    id: plan.id,
    plan,
    change: { kind: "prepare" },
    status: "applying",
    requestedBy: actor,
    createdAt: ctx.now(),
    ...(part.originals && part.originals.length > 0 ? { originals: part.originals } : {}),
  };
  await savePlan(ctx, record);
  try {
    await runPreparePlan(ctx, plan);
  } catch (error) {
    if (!(error instanceof Interrupted)) await movePlan(ctx, plan.id, "applying", "failed", reasonOf(error));
    throw error;
  }
  await movePlan(ctx, plan.id, "applying", "applied");
  const now = mustJob(ctx, job.id);
  if (now.originals.length === 0 && record.originals)
    await saveJob(ctx, { ...now, originals: record.originals }, "prepared");
}

/**
 * Gives up a failed job: removes the new version and whatever the job created, and puts the routing
 * objects back as the job found them. Runs at once (nothing for anyone to approve: it only undoes).
 */
export async function abandon(ctx: DeskContext, jobId: string, actor: string): Promise<ReleaseJob> {
  const job = mustJob(ctx, jobId);
  const verdict = canDo(job, { kind: "abandon" });
  if (!verdict.ok) throw new ReleaseError("not-allowed", verdict.reason);
  const op = operation(ctx);
  const { plan } = await computePlan(op, await routerOf(op, job), job, { kind: "abandon" });
  const record: PlanRecord = {
    id: plan.id,
    plan,
    change: { kind: "abandon" },
    status: "applying",
    requestedBy: actor,
    createdAt: ctx.now(),
  };
  await ctx.store.update((draft) => {
    draft.plans[plan.id] = record as unknown as (typeof draft.plans)[string];
  });
  try {
    await runSteps(applyDeps(ctx), plan, await checkPreconditions(ctx.kube, plan));
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      await ctx.store.update((draft) => {
        (draft.plans[plan.id] as unknown as PlanRecord).status = "failed";
      });
    }
    throw error;
  }
  const done = await completeChange(ctx, record, actor);
  await ctx.store.update((draft) => {
    (draft.plans[plan.id] as unknown as PlanRecord).status = "applied";
  });
  await audit(ctx, {
    kind: "job.abandoned",
    actor,
    job: jobId,
    namespace: job.namespace,
    detail: { plan: plan.id },
  });
  return done;
}
