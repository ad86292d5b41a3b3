import type { RecordedOriginal, ReleaseJob } from "../release/index.ts";
import { canDo, ReleaseError, transition, UserFacingError, userTextOf } from "../release/index.ts";
import { operationOf } from "./compute-plan.ts";
import { audit, type DeskContext } from "./context.ts";
import { mustJob, type PlanRecord, saveJob } from "./records.ts";

/** Applies the state change a completed plan stands for, and keeps the originals its first change found. */
export async function completeChange(
  ctx: DeskContext,
  record: PlanRecord,
  actor: string,
): Promise<ReleaseJob> {
  let job = mustJob(ctx, record.plan.jobId);
  const op = operationOf(record.change);
  if (op) job = transition(job, { ...op, at: ctx.now(), actor, detail: record.plan.summary });
  if (job.originals.length === 0 && record.originals && record.originals.length > 0) {
    job = { ...job, originals: record.originals as RecordedOriginal[] };
  }
  await saveJob(ctx, job, record.change.kind);
  return job;
}

/** Refuses an operation the job's state does not allow, in the state machine's words. */
export function assertAllowed(job: ReleaseJob, record: Pick<PlanRecord, "change">): void {
  const op = operationOf(record.change);
  if (!op) return;
  const verdict = canDo(job, op);
  if (!verdict.ok) throw new ReleaseError("not-allowed", verdict.reason);
}

/** Whether trying again later can succeed: API hiccups yes, a refused object or a bad image no. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UserFacingError) return error.retryable;
  return false;
}

/** The user-facing reason as plain text: jobs, plans and the audit trail keep it so, views escape it once. */
export function reasonOf(error: unknown): string {
  return userTextOf(error) ?? "an unexpected error stopped the change; see the logs";
}

/** Marks the job failed with the error's user-facing reason, and records it. */
export async function failJob(
  ctx: DeskContext,
  jobId: string,
  error: unknown,
  actor: string,
): Promise<ReleaseJob> {
  const job = mustJob(ctx, jobId);
  const reason = reasonOf(error);
  const retryable = isRetryable(error);
  ctx.logger.warn(
    { err: error, job: job.id, namespace: job.namespace, router: job.router },
    "release job failed",
  );
  if (job.state === "failed" || job.state === "offline" || job.state === "abandoned") return job;
  const failed = transition(job, { kind: "fail", reason, retryable, at: ctx.now(), actor });
  await saveJob(ctx, failed, "failed");
  await audit(ctx, {
    kind: "job.failed",
    actor,
    job: job.id,
    namespace: job.namespace,
    detail: { reason, retryable },
  });
  return failed;
}
