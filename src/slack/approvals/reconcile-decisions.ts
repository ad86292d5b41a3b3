import { type ApprovalRequest, VOIDED, voidRecord } from "../../approvals/index.ts";
import { DEFAULT_RETENTION } from "../../desk/index.ts";
import type { AuditLog, AuditRecord, Store } from "../../store/index.ts";

export interface ReconcileOptions {
  now?: () => Date;
  /**
   * Decided requests are deleted from the store after this long (Retention.keepMs): an older record whose
   * request is gone was pruned, not lost, and is left alone.
   */
  keepMs?: number;
  /**
   * Records younger than this are left for a later pass: with a trail shared by replicas, another replica may
   * be between its write-ahead record and its commit. 0 when this process is the only writer (the DATA_DIR lock).
   */
  graceMs?: number;
}

/** Whether the store holds the decision `record` wrote ahead of it. */
function committed(record: AuditRecord, request: ApprovalRequest | undefined): boolean {
  if (!request) return false;
  switch (record.kind) {
    case "requested":
      return true;
    case "approved":
      return request.approvals.some((a) => a.user === record.actor);
    case "rejected":
      return request.state === "rejected" && request.decidedBy === record.actor;
    case "applying":
      // Written with the approval that completes the request, ahead of the write that commits both.
      return request.decidedBy === record.actor && request.approvals.some((a) => a.user === record.actor);
    default:
      return true;
  }
}

const WRITTEN_AHEAD = new Set(["requested", "approved", "rejected", "applying"]);

/**
 * Decisions are written to the trail before the store commits them (see writeAhead), so a crash can leave a
 * record whose decision never reached the store. Each such record gets a "voided" record after it, marked
 * `recovered`, saying the decision did not take effect (the person asks or decides again); a record whose
 * decision is in the store, or that was voided already, gets nothing. Returns how many were voided.
 */
export async function reconcileDecisions(
  store: Store,
  audit: AuditLog,
  records: readonly AuditRecord[],
  options: ReconcileOptions = {},
): Promise<number> {
  const now = (options.now ?? (() => new Date()))().getTime();
  const oldest = now - (options.keepMs ?? DEFAULT_RETENTION.keepMs);
  const newest = now - (options.graceMs ?? 0);
  const voided = new Set<number>();
  for (const record of records) {
    const voids = (record.detail?.voids as { seq?: unknown } | undefined)?.seq;
    if (record.kind === VOIDED && typeof voids === "number") voided.add(voids);
  }
  const approvals = store.data().approvals as unknown as Record<string, ApprovalRequest | undefined>;
  let count = 0;
  for (const record of records) {
    const requestId = record.detail?.requestId;
    if (!WRITTEN_AHEAD.has(record.kind) || typeof requestId !== "string" || voided.has(record.seq)) continue;
    const at = Date.parse(record.at);
    if (!(at > oldest && at <= newest)) continue;
    if (committed(record, approvals[requestId])) continue;
    await voidRecord(
      audit,
      record,
      "interrupted (a crash or restart) before it was saved: it did not take effect",
      true,
    );
    count += 1;
  }
  return count;
}
