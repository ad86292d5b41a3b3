import {
  checkPreconditions,
  closeJournal,
  Interrupted,
  openJournal,
  runSteps,
  WrittenObjects,
} from "../cluster/index.ts";

import { ReleaseError, transition } from "../release/index.ts";
import type { StoredRecord } from "../store/index.ts";
import { applyDeps, audit, type DeskContext, operation } from "./context.ts";
import { assertAllowed, completeChange, failJob, reasonOf } from "./job-changes.ts";
import { assertApprovedPlan } from "./plan-integrity.ts";
import { closeNotDeployed, prepared, undoPrepare } from "./prepared.ts";
import { movePlan, movePlanIn, mustJob, type PlanRecord, readPlan } from "./records.ts";
import type { ApplyOutcome, PlanStart } from "./types.ts";

/**
 * Applies an approved plan exactly as approved. The plan moves proposed → applying in one store update,
 * so a double click applies it once; first the plan is hashed again and must be the one approved (`approvedHash`,
 * the hash on the approval request); the same update opens its journal with the first step started, so
 * the path from the approval to the first change makes one store write here, not two. A stale plan is refused without touching the job; a failed step
 * leaves the job failed (retryable when the cluster may recover), with the steps done so far in safe order.
 * `start`: what the caller commits in that same write (the approval that completes the request).
 */
export async function applyPlan(
  ctx: DeskContext,
  planId: string,
  actor: string,
  approvedHash?: string,
  start?: PlanStart,
): Promise<ApplyOutcome> {
  const record = readPlan(ctx, planId);
  if (!record)
    throw new ReleaseError("not-found", "That change's plan is no longer kept; request the change again.");
  const job = mustJob(ctx, record.plan.jobId);
  if (record.status !== "proposed") throw alreadyDecided(record);
  assertAllowed(job, record);
  await assertApprovedPlan(ctx, record, actor, approvedHash);
  const first = record.plan.steps.length > 0 ? 0 : undefined;
  // An approved new version: the job is deploying from the same write that starts its plan.
  const deploying =
    record.change.kind === "prepare" && job.state === "awaiting-approval"
      ? transition(job, {
          kind: "deployApproved",
          at: ctx.now(),
          actor,
          detail: `${job.newVersion.version} approved by ${actor}; deploying it beside ${job.stableVersion}`,
        })
      : undefined;
  const started = await ctx.store.update((draft) => {
    if (start && !start.together(draft)) return false;
    if (!movePlanIn(draft, planId, "proposed", "applying")) return false;
    openJournal(draft, planId, record.plan.jobId, ctx.now(), first, ctx.identity);
    if (deploying) draft.jobs[job.id] = deploying as unknown as StoredRecord;
    return true;
  });
  start?.committed?.();
  if (!started) throw alreadyDecided(readPlan(ctx, planId) ?? record);
  return execute(ctx, record, actor, true);
}

/**
 * Runs a plan whose status is already `applying`: preconditions, steps, then the job's state change.
 * `opened`: its journal was opened with that status change (see applyPlan).
 */
export async function execute(
  ctx: DeskContext,
  record: PlanRecord,
  actor: string,
  opened = false,
): Promise<ApplyOutcome> {
  const { plan } = record;
  const base = { actor, job: plan.jobId, namespace: mustJob(ctx, plan.jobId).namespace };
  // A stale plan changed nothing: the job stays as it was. An unreachable cluster fails the job.
  const refuse = async (error: unknown, stale: boolean) => {
    // A journal opened before the refusal closes with it: nothing ran, so nothing is left to resume.
    await ctx.store.update((draft) => {
      movePlanIn(draft, plan.id, "applying", stale ? "stale" : "failed", reasonOf(error));
      closeJournal(draft, plan.id, "failed", reasonOf(error));
    });
    await audit(ctx, { kind: "plan.refused", ...base, detail: { plan: plan.id, reason: reasonOf(error) } });
    // An approved new version that could not start: nothing was written, so the job closes undeployed.
    if (record.change.kind === "prepare") await closeNotDeployed(ctx, plan.jobId, reasonOf(error), actor);
    else if (!stale) await failJob(ctx, plan.jobId, error, actor);
    return error;
  };
  let versions: Awaited<ReturnType<typeof checkPreconditions>>;
  try {
    versions = await checkPreconditions(ctx.kube, plan);
  } catch (error) {
    throw await refuse(error, isStale(error));
  }
  try {
    const written = new WrittenObjects();
    const applied = await runSteps({ ...applyDeps(ctx), written }, plan, versions, { opened });
    const before = ctx.recent.takePlan(plan.id) ?? operation(ctx).reads;
    // The card drawn for the change reads what the plan read, with what the writes answered laid over.
    ctx.recent.keep(mustJob(ctx, plan.jobId), written.over(before, ctx.shared));
    const job =
      record.change.kind === "prepare"
        ? await prepared(ctx, record, actor)
        : await completeChange(ctx, record, actor);
    // The change's card is drawn (the job's change event is awaited): later statuses read the cluster anew.
    ctx.recent.drop(job.id);
    await movePlan(ctx, plan.id, "applying", "applied");
    await audit(ctx, {
      kind: "plan.applied",
      ...base,
      detail: { plan: plan.id, summary: plan.summary, hash: plan.hash },
    });
    return { job, plan, applied };
  } catch (error) {
    // An interruption is not a failure: the journal says where it stopped and recover() resumes it.
    if (error instanceof Interrupted) throw error;
    // The first write found the plan stale (runSteps says so only then): nothing was written.
    if (isStale(error)) throw await refuse(error, true);
    if (record.change.kind === "prepare") {
      // As when a job is created without approval: what the preparation wrote is put back.
      await ctx.store.update((draft) => {
        const entry = draft.journal[plan.id] as { state?: string } | undefined;
        if (entry) entry.state = "failed";
      });
      await undoPrepare(ctx, record, error, actor);
      throw error;
    }
    await ctx.store.update((draft) => {
      const entry = draft.journal[plan.id] as { state?: string } | undefined;
      if (entry) entry.state = "failed";
    });
    await movePlan(ctx, plan.id, "applying", "failed", reasonOf(error));
    await failJob(ctx, plan.jobId, error, actor);
    throw error;
  }
}

const isStale = (error: unknown) => error instanceof ReleaseError && error.code === "stale-plan";

function alreadyDecided(record: PlanRecord): ReleaseError {
  const words: Record<string, string> = {
    applying: "is being applied right now",
    applied: "was already applied",
    failed: "failed; retry the job instead",
    stale: "is out of date; request the change again",
    superseded: "was replaced by a newer plan for the same job",
  };
  // People never see plan ids: the plan is "this change's".
  return new ReleaseError(
    "not-allowed",
    `This change's plan ${words[record.status] ?? "cannot be applied"}.`,
  );
}
