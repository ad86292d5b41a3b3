import type { Plan, RecordedOriginal, ReleaseJob } from "../release/index.ts";
import { byText, ReleaseError, TERMINAL_STATES } from "../release/index.ts";
import type { StoreData, StoredRecord } from "../store/index.ts";
import type { DeskContext } from "./context.ts";
import type { JobChange } from "./types.ts";

/**
 * What a plan changes; `prepare` (routes holding all traffic on the stable version, then the new
 * Deployment), `abandon` and `revert` plans are made by the desk itself, never approved.
 */
export type PlannedChange = JobChange | { kind: "prepare" } | { kind: "abandon" } | { kind: "revert" };

export type PlanStatus = "proposed" | "applying" | "applied" | "failed" | "stale" | "superseded";

export interface PlanRecord {
  id: string;
  plan: Plan;
  change: PlannedChange;
  status: PlanStatus;
  requestedBy: string;
  createdAt: string;
  /** The routing objects as found, when this plan is the job's first routing change. */
  originals?: RecordedOriginal[];
  error?: string;
}

export function readJob(ctx: DeskContext, id: string): ReleaseJob | undefined {
  return ctx.store.data().jobs[id] as unknown as ReleaseJob | undefined;
}

export function mustJob(ctx: DeskContext, id: string): ReleaseJob {
  const job = readJob(ctx, id);
  if (!job)
    throw new ReleaseError("not-found", "That release job no longer exists; it may have been removed.");
  return job;
}

/** The jobs of this desk's cluster (every job, with a single cluster). */
export function allJobs(ctx: DeskContext): ReleaseJob[] {
  return (Object.values(ctx.store.data().jobs) as unknown as ReleaseJob[]).filter(
    (job) => job.cluster === ctx.clusterName,
  );
}

/** Whether a job belongs to this desk's cluster (a job no longer stored, to a desk without a cluster name). */
export function ownsJob(ctx: DeskContext, jobId: string): boolean {
  return readJob(ctx, jobId)?.cluster === ctx.clusterName;
}

export function isLive(job: ReleaseJob): boolean {
  return !TERMINAL_STATES.includes(job.state);
}

/** Stores the job and tells the outside world; a listener's failure never undoes the change. */
export async function saveJob(ctx: DeskContext, job: ReleaseJob, what: string): Promise<ReleaseJob> {
  await ctx.store.update((draft) => {
    draft.jobs[job.id] = job as unknown as StoredRecord;
  });
  try {
    await ctx.events?.jobChanged(job, what);
  } catch (error) {
    ctx.logger.warn({ err: error, job: job.id }, "job change listener failed");
  }
  return job;
}

export function readPlan(ctx: DeskContext, id: string): PlanRecord | undefined {
  return ctx.store.data().plans[id] as unknown as PlanRecord | undefined;
}

export function savePlan(ctx: DeskContext, record: PlanRecord): Promise<void> {
  return ctx.store.update((draft) => {
    draft.plans[record.id] = record as unknown as StoredRecord;
  });
}

/** Moves a plan from one status to another atomically; false when it was no longer in `from`. */
export function movePlan(
  ctx: DeskContext,
  id: string,
  from: PlanStatus,
  to: PlanStatus,
  error?: string,
): Promise<boolean> {
  return ctx.store.update((draft) => movePlanIn(draft, id, from, to, error));
}

/** movePlan inside a store update the caller makes anyway. */
export function movePlanIn(
  draft: StoreData,
  id: string,
  from: PlanStatus,
  to: PlanStatus,
  error?: string,
): boolean {
  const record = draft.plans[id] as unknown as PlanRecord | undefined;
  if (!record || record.status !== from) return false;
  record.status = to;
  if (error) record.error = error;
  return true;
}

export function plansOf(ctx: DeskContext, jobId: string): PlanRecord[] {
  return (Object.values(ctx.store.data().plans) as unknown as PlanRecord[])
    .filter((record) => record.plan.jobId === jobId)
    .sort((a, b) => byText(a.createdAt, b.createdAt));
}
