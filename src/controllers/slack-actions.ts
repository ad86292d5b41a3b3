import type { App } from "@slack/bolt";
import { GATE_WORDS } from "../../views/controllers/gated-card.ts";
import { buildNote } from "../../views/desk-message.ts";
import { ids } from "../../views/ids.ts";
import type { Action } from "../approvals/index.ts";
import { escapeText } from "../release/index.ts";
import type { SlackDeps } from "../slack/deps.ts";
import { type ActionCall, onButton } from "../slack/desk/on-action.ts";
import type { Reply } from "../slack/reply.ts";
import type { GateDecision, GateDesk } from "./gate-desk.ts";

export interface GateActionParts {
  desk: GateDesk;
  /** Argo Rollouts' Abort, when Rollouts are watched. */
  abort?: (releaseId: string, user: string) => Promise<string>;
}

/** Approve, Reject, Request rollback, Request full promotion and Abort on gated releases' cards. */
export function registerGateActions(
  app: App,
  deps: Pick<SlackDeps, "logger" | "inFlight" | "authorizer">,
  parts: GateActionParts,
): void {
  const { desk } = parts;
  // Every press asks the one authorization decision first, about the release's namespace.
  const may = async (call: ActionCall, action: Action, namespace: string | undefined) => {
    if (namespace !== undefined) await deps.authorizer.require(call.actor, action, namespace);
  };
  const ofRelease = (call: ActionCall) => desk.releases.get(call.value)?.namespace;
  for (const choice of ["approve", "reject"] as const) {
    onButton(app, deps, ids.gated[choice], async (call) => {
      const request = desk.request(call.value);
      // The requester's own press is answered by the gate in its words (withdraw, or "someone else must").
      const own = request?.requestedBy === call.user;
      await may(call, own ? "change.request" : "change.decide", request?.namespace);
      const result = await desk.decide(call.value, call.user, choice);
      if (result.kind === "already" && call.retryNum > 0) return;
      const reply = answerFor(result);
      if (reply) await call.answer(reply);
    });
  }
  onButton(app, deps, ids.gated.requestRollback, async (call) => {
    await may(call, "change.request", ofRelease(call));
    const request = await desk.ask(
      call.value,
      "rollback",
      call.user,
      "Roll back the canary: Flagger's rollback gate answers 200 once approved",
    );
    await call.answer(
      buildNote(
        `:hourglass: Asked for approval to *${GATE_WORDS[request.gate]}* ${request.namespace}/${request.jobName}.`,
      ),
    );
  });
  onButton(app, deps, ids.gated.promoteFull, async (call) => {
    await may(call, "change.request", ofRelease(call));
    const request = await desk.ask(
      call.value,
      "promote-full",
      call.user,
      "Promote fully, as kubectl argo rollouts promote --full does: skips the remaining steps, pauses and analysis",
    );
    await call.answer(
      buildNote(
        `:hourglass: Asked for approval to *${GATE_WORDS[request.gate]}* ${request.namespace}/${request.jobName}.`,
      ),
    );
  });
  onButton(app, deps, ids.gated.abort, async (call) => {
    // Abort changes the Rollout at once, with no request in between: it takes the right to approve.
    await may(call, "change.decide", ofRelease(call));
    if (!parts.abort) return call.answer(buildNote("Aborting is only offered for Argo Rollouts."));
    await call.answer(buildNote(await parts.abort(call.value, call.user)));
  });
}

/** What the person who pressed sees; the card shows the outcome to everyone. */
export function answerFor(result: GateDecision): Reply | undefined {
  switch (result.kind) {
    case "done":
    case "rejected":
      return undefined;
    case "recorded":
      return buildNote(
        `Your approval is recorded; ${result.remaining} more ${result.remaining === 1 ? "approval is" : "approvals are"} needed.`,
      );
    case "already": {
      const by = result.request.decidedBy ? ` by <@${result.request.decidedBy}>` : "";
      return buildNote(
        `This request was already decided${by}: it is ${result.request.state}. Nothing more happened.`,
      );
    }
    case "expired":
      return buildNote(":alarm_clock: This request expired before anyone approved it; nothing was done.");
    case "stale":
      return buildNote(`:warning: Not done: ${escapeText(result.reason)}`);
    case "failed":
      return buildNote(`:x: Approved, but it failed: ${escapeText(result.reason)}`);
    case "refused":
      return buildNote(`:no_entry: ${result.rule} Nothing changed.`);
    case "not-found":
      return buildNote("That request does not exist (any more). Nothing changed.");
  }
}
