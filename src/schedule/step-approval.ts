import { createHash } from "node:crypto";
import type { Store, StoredRecord } from "../store/index.ts";
import type { StepSchedule } from "./steps.ts";

/**
 * What approving a step schedule approves: the job, every step and the interval. The approval request carries
 * this hash; approving applies only to a schedule that still hashes the same.
 */
export function scheduleHash(schedule: Pick<StepSchedule, "jobId" | "percents" | "everyMinutes">): string {
  const text = JSON.stringify([schedule.jobId, schedule.percents, schedule.everyMinutes]);
  return createHash("sha256").update(text).digest("hex");
}

export type ScheduleApproval = { ok: true; schedule: StepSchedule } | { ok: false; reason: string };

/**
 * Marks the job's step schedule approved, by compare-and-set: it must still be the schedule that was asked for
 * (same hash, not approved yet). Its first step is then due at once.
 */
export function approveSchedule(
  store: Store,
  jobId: string,
  hash: string,
  by: string,
  now: Date,
): Promise<ScheduleApproval> {
  return store.update((d): ScheduleApproval => {
    const stored = d.steps[jobId] as unknown as StepSchedule | undefined;
    if (!stored) return { ok: false, reason: "the step schedule was cancelled since it was asked for." };
    if (stored.approval?.hash !== hash || scheduleHash(stored) !== hash)
      return { ok: false, reason: "the step schedule was changed since it was asked for." };
    if (stored.approval.state === "approved")
      return { ok: false, reason: "the step schedule is approved already." };
    const approved: StepSchedule = {
      ...stored,
      approval: { ...stored.approval, state: "approved", by, at: now.toISOString() },
      dueAt: now.toISOString(),
    };
    d.steps[jobId] = approved as unknown as StoredRecord;
    return { ok: true, schedule: approved };
  });
}

/** Remembers which approval request asks for the schedule (its message shows the outcome). */
export function scheduleRequested(
  store: Store,
  jobId: string,
  hash: string,
  requestId: string,
): Promise<void> {
  return store.update((d) => {
    const stored = d.steps[jobId] as unknown as StepSchedule | undefined;
    if (stored?.approval?.hash === hash) stored.approval = { ...stored.approval, requestId };
  });
}
