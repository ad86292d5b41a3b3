import type { ApprovalRequest } from "../../approvals/index.ts";
import type { AuditLog, Store } from "../../store/index.ts";

/** Outcomes that changed (or tried to change) the cluster, and the audit kind that records each. */
const OUTCOME_KIND: Record<string, string> = { applied: "applied", failed: "failed", stale: "failed" };

/**
 * After a crash, every applied (or failed) change has exactly one outcome record: a request the store closed
 * whose outcome record never reached the audit trail (killed between the two, or closed by start-up recovery)
 * gets it now, marked `recovered`; one that has it gets nothing. Returns how many were added.
 */
export async function reconcileAudit(store: Store, audit: AuditLog): Promise<number> {
  const recorded = new Set<string>();
  for (const record of await audit.readAll()) {
    const requestId = record.detail?.requestId;
    if (typeof requestId === "string") recorded.add(`${record.kind}:${requestId}`);
  }
  let added = 0;
  for (const stored of Object.values(store.data().approvals)) {
    const request = stored as unknown as ApprovalRequest;
    const kind = OUTCOME_KIND[request.state];
    if (!kind || recorded.has(`${kind}:${request.id}`)) continue;
    await audit.append({
      kind,
      ...(request.decidedBy ? { actor: request.decidedBy } : {}),
      job: request.jobName,
      namespace: request.namespace,
      detail: {
        requestId: request.id,
        requestedBy: request.requestedBy,
        recovered: true,
        ...(request.outcome ? { outcome: request.outcome } : {}),
      },
    });
    added += 1;
  }
  return added;
}
