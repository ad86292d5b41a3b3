import { escapeText } from "../../../views/escape.ts";
import type { ApprovalGate, ApprovalRequest } from "../../approvals/index.ts";
import type { ApplyOutcome, ReleaseDesk } from "../../desk/index.ts";
import type { Logger } from "../../log.ts";
import { UserFacingError, userTextOf } from "../../release/index.ts";
import type { AuditEvent, AuditLog } from "../../store/index.ts";
import type { ApprovalMessages } from "./approval-messages.ts";
import type { DecideResult } from "./approvals.ts";

export interface ApplyApprovedDeps {
  desk: ReleaseDesk;
  gate: ApprovalGate;
  audit: AuditLog;
  logger: Logger;
  messages: ApprovalMessages;
  /** Resolves when telling people may go ahead (see Pressing); at once when absent. */
  idle?: () => Promise<void>;
}

/** How long an apply runs before its approval message says "applying". */
export const APPLYING_NOTE_AFTER_MS = 300;

/** The audit record written ahead of an apply: the change is starting, before anything reaches the cluster. */
export function applyingEvent(request: ApprovalRequest, user: string): AuditEvent {
  return {
    kind: "applying",
    actor: user,
    job: request.jobName,
    namespace: request.namespace,
    detail: { requestId: request.id, planHash: request.planHash },
  };
}

/**
 * Applies a plan whose approvals were committed on their own (a request approved before its plan could start, or
 * recovery). Only the caller the gate handed `apply` to gets here, so this runs once per request. Write-ahead:
 * the trail says the change is starting before anything reaches the cluster; if it cannot be written (a full
 * disk), nothing is applied and the request is closed as failed, with those words.
 */
export function applyApproved(
  o: ApplyApprovedDeps,
  request: ApprovalRequest,
  user: string,
): Promise<DecideResult> {
  const applying = o.audit
    .append(applyingEvent(request, user))
    .then(() => o.desk.applyPlan(request.planId, user, request.planHash));
  return settleApply(o, request, user, applying);
}

/**
 * Waits for an approved plan's apply and closes its request with the outcome: a stale plan (the cluster changed
 * since) as stale, anything else as failed. Slack comes after the cluster and the records: nothing Slack does
 * (slow, down, rate limiting) holds the change.
 */
export async function settleApply(
  o: ApplyApprovedDeps,
  request: ApprovalRequest,
  user: string,
  applying: Promise<ApplyOutcome>,
): Promise<DecideResult> {
  const { gate, audit, logger, messages } = o;
  const about = { job: request.jobName, namespace: request.namespace };
  // Most applies finish in milliseconds and go straight to their outcome. One that waits (a new version
  // becoming ready) shows "applying" after a moment; drawing it earlier would put Slack work on the path to
  // the patch. The outbox keeps one message's updates in order, so the outcome's redraw still comes last.
  const applyingNote = setTimeout(() => void messages.redraw(request.id), APPLYING_NOTE_AFTER_MS);
  try {
    const outcome = await applying.finally(() => clearTimeout(applyingNote));
    const done = outcome.applied.filter((s) => s.result === "done").map((s) => s.step);
    const text = done.length > 0 ? done.join("\n") : "nothing needed changing";
    const finished = (await gate.finish(request.id, "applied", text)) ?? request;
    await audit.append({
      kind: "applied",
      actor: user,
      ...about,
      detail: { requestId: request.id, requestedBy: request.requestedBy, steps: done },
    });
    await o.idle?.();
    await messages.redraw(request.id);
    await messages.note(
      request.jobId,
      `:white_check_mark: *${escapeText(request.operation)}* applied — asked by <@${request.requestedBy}>, approved by <@${user}>.`,
      request.summary,
    );
    // No card refresh here: the engine's jobChanged event redraws it after an apply.
    return { kind: "applied", request: finished, outcome };
  } catch (error) {
    const stale = error instanceof UserFacingError && error.code === "stale-plan";
    // Plain text: the request's outcome and the audit trail keep it so; the note and the views escape it once.
    const reason = userTextOf(error) ?? "Graydesk could not apply the plan; the details are in its log.";
    if (!userTextOf(error)) logger.error({ err: error, request: request.id }, "apply failed");
    clearTimeout(applyingNote);
    const finished = (await gate.finish(request.id, stale ? "stale" : "failed", reason)) ?? request;
    // With the trail unwritable this record waits for start-up's reconciliation; the request is closed anyway.
    await audit
      .append({
        kind: "failed",
        actor: user,
        ...about,
        detail: { requestId: request.id, reason, ...(stale ? { stale: true } : {}) },
      })
      .catch((err) => logger.error({ err, request: request.id }, "audit append failed"));
    await o.idle?.();
    await messages.redraw(request.id);
    await messages.note(
      request.jobId,
      `:x: *${escapeText(request.operation)}* was not applied: ${escapeText(reason)}`,
    );
    await messages.refreshCard(request.jobId);
    return stale
      ? { kind: "stale", request: finished, reason }
      : { kind: "failed", request: finished, reason };
  }
}
