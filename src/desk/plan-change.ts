import { dryRunPlan } from "../cluster/index.ts";
import type { Plan } from "../release/index.ts";
import { assertNoFieldErrors, jobVersions, validateTrafficPolicy } from "../release/index.ts";
import { computePlan } from "./compute-plan.ts";
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
  const op = operation(ctx);
  primeDeployments(ctx, op.reads, job);
  const { plan, part } = await computePlan(op, await routerOf(op, job), job, change);
  await dryRunPlan(ctx.kube, plan);
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
