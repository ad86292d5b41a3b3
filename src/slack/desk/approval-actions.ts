import type { App } from "@slack/bolt";
import { rerequestButton, when } from "../../../views/approval.ts";
import { buildNote } from "../../../views/desk-message.ts";
import { escapeText } from "../../../views/escape.ts";
import { ids } from "../../../views/ids.ts";
import { buildPlanObjectsModal } from "../../../views/plan-steps.ts";
import { buildRejectModal } from "../../../views/reject-modal.ts";
import { UserFacingError } from "../../release/index.ts";
import type { DecideResult } from "../approvals/index.ts";
import type { SlackDeps } from "../deps.ts";
import type { Reply } from "../reply.ts";
import { publishHome } from "./home.ts";
import { onButton } from "./on-action.ts";

/** Approve, Reject, Re-request and Show objects on approval messages. */
export function registerApprovalActions(app: App, deps: SlackDeps): void {
  onButton(app, deps, ids.approval.approve, async (call) => {
    const result = await deps.approvals.decide({
      requestId: call.value,
      actor: call.actor,
      choice: "approve",
    });
    // Decided from Home: Home is drawn again, without the request it no longer waits for.
    if (call.fromHome) await publishHome(deps, call.client, call.actor);
    // A retried press that finds its own earlier decision has nothing new to say.
    if (result.kind === "already" && call.retryNum > 0) return;
    const reply = answerFor(result, call.user);
    if (reply) await call.answer(reply);
  });
  // Reject asks for a reason first; the decision is made when the dialog is submitted (reject-submission.ts).
  onButton(app, deps, ids.approval.reject, async (call) => {
    // A retried press: the first one already opened the dialog.
    if (call.retryNum > 0) return;
    const screened = await deps.approvals.screenReject(call.value, call.actor);
    if (screened.kind !== "ok") {
      const reply = answerFor(screened, call.user);
      if (reply) await call.answer(reply);
      return;
    }
    await call.client.views.open({
      trigger_id: call.triggerId,
      view: buildRejectModal(screened.request, {
        withdraw: screened.withdraw,
        ...(call.channel ? { channel: call.channel } : {}),
        ...(call.fromHome ? { home: true } : {}),
      }),
    });
  });
  onButton(app, deps, ids.approval.approveDespite, async (call) => {
    const result = await deps.approvals.decide({
      requestId: call.value,
      actor: call.actor,
      choice: "approve",
      despiteFailing: true,
    });
    if (result.kind === "already" && call.retryNum > 0) return;
    const reply = answerFor(result, call.user);
    if (reply) await call.answer(reply);
  });
  onButton(app, deps, ids.approval.rerequest, async (call) => {
    const request = await deps.approvals.rerequest(call.value, call.actor);
    await call.answer(
      buildNote(
        `:hourglass: Asked again for approval to *${escapeText(request.operation)}* on *${escapeText(request.jobName)}*.`,
        {
          context: request.summary,
        },
      ),
    );
  });
  // The full YAML of every step, for the approver who wants more than the listed steps and diffs.
  onButton(app, deps, ids.approval.showObjects, async (call) => {
    const request = deps.approvals.gate.get(call.value);
    const plan = request ? deps.desk.plan(request.planId) : undefined;
    if (!request || !plan) {
      throw new UserFacingError(
        "not-found",
        "That plan is no longer kept; its steps are listed on the request.",
      );
    }
    await deps.authorizer.require(call.actor, "job.objects", request.namespace);
    await call.client.views.open({
      trigger_id: call.triggerId,
      view: buildPlanObjectsModal(request.jobName, plan),
    });
  });
}

/** What the person who pressed sees; the request message itself shows the outcome to everyone. */
export function answerFor(result: DecideResult, user: string): Reply | undefined {
  switch (result.kind) {
    case "applied":
    case "schedule-approved":
      return undefined;
    case "recorded":
      return buildNote(
        `Your approval is recorded; ${result.remaining} more ${result.remaining === 1 ? "approval is" : "approvals are"} needed.`,
      );
    case "rejected":
      return undefined;
    case "already": {
      const by = result.request.decidedBy ? ` by <@${result.request.decidedBy}>` : "";
      const mine = result.request.decidedBy === user ? " (your earlier press)" : "";
      return buildNote(
        `This request was already decided${by}${mine}: it is ${result.request.state}. Nothing more happened.`,
      );
    }
    case "expired":
      return buildNote(
        `:alarm_clock: This request expired ${when(result.request.expiresAt)} before anyone approved it; nothing was applied.`,
        { actions: [rerequestButton(result.request.id)] },
      );
    case "stale":
      return buildNote(`:warning: Not applied: ${escapeText(result.reason)}`, {
        actions: [rerequestButton(result.request.id)],
      });
    case "failed":
      return buildNote(`:x: Approved, but applying failed: ${escapeText(result.reason)}`);
    case "refused":
      return buildNote(`:no_entry: ${result.rule} Nothing changed.`);
    case "not-found":
      return buildNote("That approval request does not exist (any more). Nothing changed.");
  }
}
