import { ClusterError, checkedByDryRun, dryRunPlan, refKey } from "../cluster/index.ts";
import type { ObjectRef, Plan, ReleaseJob } from "../release/index.ts";
import { assertNoFieldErrors, jobVersions, validateTrafficPolicy } from "../release/index.ts";
import { type ComputedPlan, computePlan } from "./compute-plan.ts";
import { audit, type DeskContext, operation, primeDeployments, routerOf } from "./context.ts";
import { assertAllowed } from "./job-changes.ts";
import { mustJob, type PlanRecord, plansOf } from "./records.ts";
import type { JobChange } from "./types.ts";

/**
 * Turns a requested change into a plan for approval: allowed by the job's state, valid, computed from
 * what the cluster holds now, and accepted by the API server's dry run. Older proposals for the same
 * job are superseded, so only the latest can be approved.
 */
export async function planChange(
  ctx: DeskContext,
  jobId: string,
  change: JobChange,
  actor: string,
): Promise<Plan> {
  const job = mustJob(ctx, jobId);
  assertAllowed(job, { change });
  if (change.kind === "shift") {
    const errors = validateTrafficPolicy(change.traffic, {
      strategy: job.strategy,
      versions: jobVersions(job),
    });
    assertNoFieldErrors(errors, "The traffic change cannot be planned");
  }
  const { op, plan, part } = await planChecked(ctx, job, change);
  // The card under the request redraws right after: it reads what the plan just read; so does the card after
  // the plan's apply, with what the writes answered laid over.
  ctx.recent.keep(job, op.reads);
  ctx.recent.keepPlan(plan.id, op.reads);
  const record: PlanRecord = {
    id: plan.id,
    plan,
    change,
    status: "proposed",
    requestedBy: actor,
    createdAt: ctx.now(),
    ...(part.originals && part.originals.length > 0 ? { originals: part.originals } : {}),
  };
  const older = plansOf(ctx, jobId)
    .filter((p) => p.status === "proposed")
    .map((p) => p.id);
  await ctx.store.update((draft) => {
    for (const id of older) {
      const stored = draft.plans[id] as unknown as PlanRecord | undefined;
      if (stored?.status === "proposed") stored.status = "superseded";
    }
    draft.plans[plan.id] = record as unknown as (typeof draft.plans)[string];
  });
  await audit(ctx, {
    kind: "plan.created",
    actor,
    job: jobId,
    namespace: job.namespace,
    detail: { plan: plan.id, change: change.kind, summary: plan.summary, hash: plan.hash },
  });
  return plan;
}

/**
 * Computes the plan and runs its dry run. The plan starts from the routing objects as Graydesk's own last write or
 * read answered them, instead of reading them again, wherever it patches them: the dry run of the patch is
 * conditioned on that version, so an object someone changed since is refused there (409), and the plan is made
 * again from new reads. An object the plan reads but does not patch (a delete, a subset check) is read anew.
 */
async function planChecked(
  ctx: DeskContext,
  job: ReleaseJob,
  change: JobChange,
): Promise<ComputedPlan & { op: ReturnType<typeof operation> }> {
  const compute = async (known: (key: string) => boolean) => {
    const op = operation(ctx);
    primeDeployments(ctx, op.reads, job);
    const primed: ObjectRef[] = [];
    for (const original of job.originals) {
      const ref: ObjectRef = { ...original, namespace: job.namespace };
      const object = ctx.objects.get(ref);
      if (!object || !known(refKey(ref))) continue;
      op.reads.primeObject(ref, object);
      primed.push(ref);
    }
    const computed = await computePlan(op, await routerOf(op, job), job, change);
    const checked = checkedByDryRun(computed.plan);
    const used = primed.filter((ref) => op.reads.usedPrimed(ref)).map(refKey);
    return { op, used, unchecked: used.filter((key) => !checked.has(key)), checked, ...computed };
  };
  let attempt = await compute(() => true);
  // Objects read as last answered that no patch checks: read anew, keeping those a patch does check.
  if (attempt.unchecked.length > 0) {
    const checked = attempt.checked;
    attempt = await compute((key) => checked.has(key));
    if (attempt.unchecked.length > 0) attempt = await compute(() => false);
  }
  try {
    await dryRunPlan(ctx.kube, attempt.plan);
    return attempt;
  } catch (error) {
    const conflict = error instanceof ClusterError && error.status === 409;
    if (!conflict || attempt.used.length === 0) throw error;
    const again = await compute(() => false);
    await dryRunPlan(ctx.kube, again.plan);
    return again;
  }
}
