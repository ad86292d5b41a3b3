import {
  type ApprovalRequest,
  type Decision,
  decideIn,
  decisionNotTaken,
  voidRecord,
} from "../../approvals/index.ts";
import type { ApplyOutcome } from "../../desk/index.ts";
import type { AuditEvent, AuditRecord, StoreData } from "../../store/index.ts";
import { type ApplyApprovedDeps, applyingEvent, settleApply } from "./apply-approved.ts";
import type { DecideResult } from "./approvals.ts";

/** The approval and the start of its apply are committed: `result` settles when the apply has. */
export type Started = { kind: "started"; result: Promise<DecideResult> };

/**
 * The approval that completes a request, and its plan's move to applying, in ONE store write before anything
 * reaches the cluster. Written ahead of that write in one flush of the trail: the approval and the apply's
 * "applying" record. Then the store write runs the gate's compare-and-set and, only if it hands out the apply,
 * moves the plan to applying and opens its journal. Every record that write does not bear out is voided at once
 * (the approval when someone else was first, the apply when more approvals are needed or the request expired);
 * a crash before the write leaves both for start-up to void (reconcileDecisions). A plan that cannot start
 * (gone, no longer proposed, changed since the request) is refused before the write: the approval is then
 * committed alone and the request closed with the reason, as any apply that failed.
 *
 * Resolves once the write is committed (or refused), so the next decision on the same request (a double click)
 * waits only for that; the apply itself goes on in `result`.
 */
export async function approveAndApply(
  o: ApplyApprovedDeps,
  request: ApprovalRequest,
  user: string,
  approved: AuditEvent,
): Promise<Decision | Started> {
  const { desk, gate, audit } = o;
  const written = await Promise.allSettled([
    audit.append(approved),
    audit.append(applyingEvent(request, user)),
  ]);
  const records = written.flatMap((w) => (w.status === "fulfilled" ? [w.value] : []));
  const refused = written.find((w): w is PromiseRejectedResult => w.status === "rejected");
  if (refused) {
    await voidAll(o, records, "the decision could not be recorded");
    throw refused.reason;
  }
  const [approvedRecord, applyingRecord] = records as [AuditRecord, AuditRecord];

  let decision: Decision | undefined;
  let committed = false;
  let signal = () => {};
  const commit = new Promise<void>((resolve) => {
    signal = resolve;
  });
  const now = gate.now();
  const start = {
    together(draft: StoreData) {
      decision = decideIn(draft, { id: request.id, user, choice: "approve", now });
      return decision.kind === "apply";
    },
    committed() {
      committed = true;
      signal();
    },
  };
  let applying: Promise<ApplyOutcome>;
  try {
    applying = desk.applyPlan(request.planId, user, request.planHash, start);
  } catch (error) {
    // A desk that refuses at once (the plan's cluster unknown) refuses like one that refuses before its write.
    applying = Promise.reject(error);
  }
  const failure = applying.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  await Promise.race([commit, failure]);

  if (committed && decision?.kind === "apply") return started(o, decision.request, user, applying);
  // The write committed the gate's answer, and the plan stayed proposed.
  if (committed && decision) return notApplied(o, decision, approvedRecord, applyingRecord);
  const error = (await failure)?.error;
  if (decision) {
    // The write itself failed: nothing was committed.
    await voidAll(o, [approvedRecord, applyingRecord], "the decision could not be saved");
    throw error;
  }
  // The plan was refused before the write: the approval is committed on its own, the request closed as failed.
  let alone: Decision;
  try {
    alone = await gate.decide(request.id, user, "approve");
  } catch (cause) {
    await voidAll(o, [approvedRecord, applyingRecord], "the decision could not be saved");
    throw cause;
  }
  if (alone.kind === "apply") return started(o, alone.request, user, Promise.reject(error));
  return notApplied(o, alone, approvedRecord, applyingRecord);
}

/**
 * A decision that did not hand out the apply: the "applying" record is voided, and the approval too when it did
 * not count (someone else was first, the request expired); one that waits for more approvals stands.
 */
async function notApplied(
  o: ApplyApprovedDeps,
  decision: Decision,
  approvedRecord: AuditRecord,
  applyingRecord: AuditRecord,
): Promise<Decision> {
  const why = decisionNotTaken(decision, "approve");
  await voidAll(o, [applyingRecord], why ?? "more approvals are needed");
  if (why) await voidAll(o, [approvedRecord], why);
  return decision;
}

function started(
  o: ApplyApprovedDeps,
  request: ApprovalRequest,
  user: string,
  applying: Promise<ApplyOutcome>,
): Started {
  return { kind: "started", result: settleApply(o, request, user, applying) };
}

/** Voided records say why their decision did not take effect; one that cannot be written is left to start-up. */
async function voidAll(o: ApplyApprovedDeps, records: AuditRecord[], why: string): Promise<void> {
  await Promise.all(
    records.map((record) =>
      voidRecord(o.audit, record, why).catch((err) =>
        o.logger.error({ err, seq: record.seq }, "audit append failed: voided record left to start-up"),
      ),
    ),
  );
}
