import type { ApprovalRequest } from "../../approvals/index.ts";
import type { AuditLog, Store } from "../../store/index.ts";
import { type ReconcileOptions, reconcileDecisions } from "./reconcile-decisions.ts";

/** Outcomes that changed (or tried to change) the cluster, and the audit kind that records each. */
const OUTCOME_KIND: Record<string, string> = { applied: "applied", failed: "failed", stale: "failed" };

/**
 * After a crash, every decision and every applied (or failed) change has exactly one record. A decision written
 * ahead of a commit that never happened is voided (reconcileDecisions). A request the store closed whose outcome
 * record never reached the audit trail (killed between the two, or closed by start-up recovery) gets it now,
 * marked `recovered`; one that has it gets nothing. Returns how many records were added. With the file store's
 * trail, a checkpoint then says how far this got, so the next start-up reads only the records after it.
 */
export async function reconcileAudit(
  store: Store,
  audit: AuditLog,
  options: ReconcileOptions = {},
): Promise<number> {
  // Only what was written since the last start-up's pass, when the trail kept where that pass got to (a trail
  // shared by replicas, with its grace for records still being committed elsewhere, is read whole).
  const since = options.graceMs ? undefined : await audit.sinceCheckpoint?.();
  const records = since ? since.records : await audit.readAll();
  let added = await reconcileDecisions(store, audit, records, options);
  const recorded = new Set<string>(since?.outcomes);
  for (const record of records) {
    const requestId = record.detail?.requestId;
    if (typeof requestId === "string") recorded.add(`${record.kind}:${requestId}`);
  }
  const outcomes: string[] = [];
  for (const stored of Object.values(store.data().approvals)) {
    const request = stored as unknown as ApprovalRequest;
    const kind = OUTCOME_KIND[request.state];
    // A request superseded before anyone decided it (stale, no decidedBy) changed nothing: no outcome to record.
    if (!kind || !request.decidedBy) continue;
    outcomes.push(`${kind}:${request.id}`);
    if (recorded.has(`${kind}:${request.id}`)) continue;
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
  // A record dated after this clock's now was left for a later pass (reconcileDecisions): no checkpoint past it.
  const now = (options.now ?? (() => new Date()))().getTime();
  if (!options.graceMs && !records.some((record) => Date.parse(record.at) > now))
    await audit.checkpoint?.(outcomes);
  return added;
}
