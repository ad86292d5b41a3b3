import type { Logger } from "../log.ts";
import type { AuditEvent, AuditLog, AuditRecord } from "../store/index.ts";
import type { ApprovalGate, ApprovalRequest, Decision } from "./gate.ts";

/** The audit kind of a record saying that an earlier record's decision never took effect. */
export const VOIDED = "voided";

/**
 * A decision (a request opened, an approval, a rejection) is written to the audit trail and flushed before the
 * store commits it: a crash in between leaves a record whose decision is missing, never a decision without its
 * record, and start-up recovery voids such a record (reconcileDecisions). If the trail cannot be written (a full
 * disk) the AuditWriteError is thrown and nothing is committed: the person is told in its words. If the commit
 * fails, or the store decides otherwise (`notTaken` says why: another approver was first), the record is voided
 * at once.
 */
export async function writeAhead<T>(
  audit: AuditLog,
  logger: Logger,
  event: AuditEvent,
  commit: () => Promise<T>,
  notTaken: (result: T) => string | undefined = () => undefined,
): Promise<T> {
  const record = await audit.append(event);
  let result: T;
  try {
    result = await commit();
  } catch (error) {
    await voidRecord(audit, record, "the decision could not be saved").catch((err) =>
      logger.error({ err, seq: record.seq }, "audit append failed: voided record left to start-up"),
    );
    throw error;
  }
  const why = notTaken(result);
  if (why)
    await voidRecord(audit, record, why).catch((err) =>
      logger.error({ err, seq: record.seq }, "audit append failed: voided record left to start-up"),
    );
  return result;
}

/** Appends the record saying `record`'s decision did not take effect, and why. */
export function voidRecord(
  audit: AuditLog,
  record: AuditRecord,
  why: string,
  recovered = false,
): Promise<AuditRecord> {
  return audit.append({
    kind: VOIDED,
    ...(record.actor ? { actor: record.actor } : {}),
    ...(record.job ? { job: record.job } : {}),
    ...(record.namespace ? { namespace: record.namespace } : {}),
    detail: {
      ...(typeof record.detail?.requestId === "string" ? { requestId: record.detail.requestId } : {}),
      voids: { seq: record.seq, kind: record.kind },
      why,
      ...(recovered ? { recovered: true } : {}),
    },
  });
}

/** Why the gate's answer is not the decision written ahead of it (someone else was first), if it is not. */
export function decisionNotTaken(decision: Decision, choice: "approve" | "reject"): string | undefined {
  switch (decision.kind) {
    case "rejected":
      return choice === "reject" ? undefined : "the request was rejected";
    case "recorded":
    case "apply":
      return choice === "approve" ? undefined : "the request was approved";
    case "already":
      return "the request was decided before this";
    case "expired":
      return "the request had expired";
    case "not-found":
      return "the request is gone";
  }
}

/**
 * One person's decision on a request, written ahead (see writeAhead) and taken one at a time per request: a
 * request already decided, or already approved by this person, is answered `already` and writes nothing.
 * `event` is the audit record of the decision, given how many approvals it will still need after this one.
 * `completing`: how an approval that completes the request is written instead (its commit carries what the
 * approval starts: see approveAndApply), given the request as it stands and the decision's record.
 */
export function decideAhead<T = never>(
  o: { gate: ApprovalGate; audit: AuditLog; logger: Logger; deciding: OneAtATime },
  decision: { requestId: string; user: string; choice: "approve" | "reject"; reason?: string },
  event: (remaining: number) => AuditEvent,
  completing?: (request: ApprovalRequest, event: AuditEvent) => Promise<T>,
): Promise<Decision | T> {
  const { requestId, user, choice, reason } = decision;
  return o.deciding.run(requestId, async (): Promise<Decision | T> => {
    const latest = o.gate.get(requestId);
    if (!latest) return { kind: "not-found" };
    if (latest.state !== "pending" || (choice === "approve" && latest.approvals.some((a) => a.user === user)))
      return { kind: "already", request: latest };
    const remaining = latest.requiredApprovals - latest.approvals.length - 1;
    if (choice === "approve" && remaining <= 0 && completing) return completing(latest, event(0));
    return writeAhead(
      o.audit,
      o.logger,
      event(remaining),
      () => o.gate.decide(requestId, user, choice, reason),
      (d) => decisionNotTaken(d, choice),
    );
  });
}

/**
 * Decisions on one request run one at a time in this process, so a double click or a Slack retry finds the first
 * decided and writes nothing, rather than a record the gate then turns down (and a "voided" after it).
 */
export class OneAtATime {
  readonly #running = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#running.get(key) ?? Promise.resolve();
    const run = before.then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#running.get(key) === tail) this.#running.delete(key);
    }
  }
}
