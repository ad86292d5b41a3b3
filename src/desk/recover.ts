import { journalEntries, resumePlan, runSteps } from "../cluster/index.ts";
import { computePlan } from "./compute-plan.ts";
import { applyDeps, audit, type DeskContext, routerOf } from "./context.ts";
import type { Deployments } from "./deploying.ts";
import { completeChange, failJob } from "./job-changes.ts";
import { allJobs, movePlan, mustJob, readPlan, saveJob } from "./records.ts";

/**
 * Start-up. Each apply a crash interrupted is finished when its remaining steps still fit the cluster;
 * otherwise the job's last good routes are put back, so traffic is never left half-moved. Jobs whose
 * new version was still coming up are watched again.
 */
export async function recover(ctx: DeskContext, deployments: Deployments): Promise<void> {
  for (const entry of journalEntries(ctx.store.data())) {
    if (entry.state !== "running") continue;
    const record = readPlan(ctx, entry.planId);
    const finish = (state: "done" | "failed", error?: string) =>
      ctx.store.update((draft) => {
        const stored = draft.journal[entry.id] as { state?: string; error?: string } | undefined;
        if (stored) Object.assign(stored, { state, ...(error ? { error } : {}) });
      });
    if (!record) {
      await finish("failed", "plan not found");
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
      await completeChange(ctx, record, record.requestedBy);
      await movePlan(ctx, record.id, "applying", "applied");
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
    await movePlan(ctx, record.id, "applying", "failed", resumed.reason);
    await revert(ctx, record.plan.jobId, resumed.reason);
  }
  for (const job of allJobs(ctx)) if (job.state === "deploying") deployments.watch(job.id);
}

/** Puts back the routes the job last completed (the stable version alone if it never routed). */
async function revert(ctx: DeskContext, jobId: string, reason: string): Promise<void> {
  const job = mustJob(ctx, jobId);
  try {
    const { plan, part } = await computePlan(ctx, await routerOf(ctx, job), job, { kind: "revert" });
    await runSteps(applyDeps(ctx), plan, new Map());
    // Reverting a job that never routed creates its routing objects: remember them for the job's end.
    if (job.originals.length === 0 && part.originals?.length)
      await saveJob(ctx, { ...job, originals: part.originals }, "reverted");
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
