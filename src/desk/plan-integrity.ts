import { planHash, ReleaseError } from "../release/index.ts";
import { audit, type DeskContext } from "./context.ts";
import { movePlan, mustJob, type PlanRecord } from "./records.ts";

/**
 * What is approved is what is applied: the plan about to run is hashed again and must match both the hash it was
 * stored with and the hash the approvers approved. A plan changed in the store after the request is refused,
 * marked failed with the reason, and audited with all three hashes; the job and the cluster stay as they are.
 */
export async function assertApprovedPlan(
  ctx: DeskContext,
  record: PlanRecord,
  actor: string,
  approvedHash: string | undefined,
): Promise<void> {
  const computed = planHash(record.plan);
  const approved = approvedHash ?? record.plan.hash;
  if (computed === record.plan.hash && computed === approved) return;
  const reason = `Plan ${record.id} is not the plan that was approved: its steps changed after the request. Nothing was applied; request the change again.`;
  await movePlan(ctx, record.id, "proposed", "failed", reason);
  await audit(ctx, {
    kind: "plan.tampered",
    actor,
    job: record.plan.jobId,
    namespace: mustJob(ctx, record.plan.jobId).namespace,
    detail: { plan: record.id, approvedHash: approved, storedHash: record.plan.hash, computedHash: computed },
  });
  throw new ReleaseError("not-allowed", reason);
}
