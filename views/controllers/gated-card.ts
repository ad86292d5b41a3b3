import type { ActionsBlock, Button, KnownBlock } from "@slack/types";
import type { GateRequest } from "../../src/controllers/gate-requests.ts";
import { CONTROLLER_NAMES, type GatedRelease, type GateKind } from "../../src/controllers/types.ts";
import { when } from "../approval.ts";
import { escapeText } from "../escape.ts";
import { ids } from "../ids.ts";

export interface GatedCardView {
  release: GatedRelease;
  /** The newest request of each kind for the current revision. */
  requests: GateRequest[];
  /** Buttons for the release itself (Request rollback, Promote fully, Abort), offered while it is not done. */
  actions: ("request-rollback" | "promote-full" | "abort")[];
}

/** What each gate asks, in the user's words. */
export const GATE_WORDS: Record<GateKind, string> = {
  "confirm-rollout": "start the canary analysis",
  "confirm-traffic-increase": "increase the canary's traffic",
  "confirm-promotion": "promote the canary",
  rollback: "roll back the canary",
  promote: "promote past this pause",
  "promote-full": "promote fully, skipping the remaining steps, pauses and analysis",
};

/** The card of a release run by Flagger or Argo Rollouts: where it is, and its requests with their buttons. */
export function buildGatedCard(view: GatedCardView): { text: string; blocks: KnownBlock[] } {
  const { release } = view;
  const who = CONTROLLER_NAMES[release.controller];
  const kind = release.controller === "flagger" ? "canary" : "Rollout";
  const title = `*${who}* ${kind} *${escapeText(release.namespace)}/${escapeText(release.name)}* · ${escapeText(release.phase || "unknown phase")}${release.done ? ` · ${escapeText(release.done)}` : ""}`;
  const blocks: KnownBlock[] = [
    { type: "section", block_id: ids.gated.title, text: { type: "mrkdwn", text: title } },
  ];
  const facts = release.facts.slice(0, 10).map((f) => ({
    type: "mrkdwn" as const,
    text: `*${escapeText(f.label)}*\n${escapeText(f.value)}`.slice(0, 2000),
  }));
  if (facts.length > 0) blocks.push({ type: "section", block_id: ids.gated.facts, fields: facts });
  view.requests.slice(0, 6).forEach((request, i) => {
    blocks.push({
      type: "section",
      block_id: `${ids.gated.request}_${i}`,
      text: { type: "mrkdwn", text: requestLine(request).slice(0, 3000) },
    });
    if (request.state === "pending" && !release.done) {
      blocks.push({
        type: "actions",
        block_id: `${ids.gated.requestActions}_${i}`,
        elements: [
          button(ids.gated.approve, "Approve", request.id, "primary"),
          button(ids.gated.reject, "Reject", request.id, "danger"),
        ],
      });
    }
  });
  const actions = release.done ? [] : view.actions.map((a) => releaseButton(a, release.id));
  if (actions.length > 0)
    blocks.push({ type: "actions", block_id: ids.gated.actions, elements: actions } satisfies ActionsBlock);
  const waiting = view.requests.filter((r) => r.state === "pending").length;
  const text = `${who} ${kind} ${release.namespace}/${release.name}: ${release.phase}${waiting > 0 ? `, ${waiting} waiting for approval` : ""}`;
  return { text, blocks };
}

function requestLine(request: GateRequest): string {
  const what = GATE_WORDS[request.gate];
  const asker = askedBy(request);
  const by = request.decidedBy ? ` by <@${request.decidedBy}>` : "";
  const outcome = request.outcome ? ` — ${escapeText(request.outcome)}` : "";
  switch (request.state) {
    case "pending": {
      const done = request.approvals.length;
      const quorum =
        request.requiredApprovals > 1 ? ` (${done} of ${request.requiredApprovals} approvals)` : "";
      return `:raised_hand: ${asker} asks to *${what}*${quorum}. Expires ${when(request.expiresAt)}.`;
    }
    case "approved":
      return `:hourglass_flowing_sand: *${what}* approved${by}, carrying it out…`;
    case "applied":
      return `:white_check_mark: *${what}* approved${by}${outcome}`;
    case "rejected":
      return `:no_entry_sign: *${what}* rejected${by}${outcome}`;
    case "expired":
      return `:alarm_clock: *${what}* expired before anyone approved it`;
    case "stale":
      return `:warning: *${what}* not done${outcome}`;
    case "failed":
      return `:x: *${what}* failed${outcome}`;
  }
}

function askedBy(request: GateRequest): string {
  if (request.requestedBy === request.controller) return CONTROLLER_NAMES[request.controller];
  return `<@${request.requestedBy}>`;
}

function button(actionId: string, text: string, value: string, style?: "primary" | "danger"): Button {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text },
    value,
    ...(style ? { style } : {}),
  };
}

function releaseButton(action: GatedCardView["actions"][number], releaseId: string): Button {
  switch (action) {
    case "request-rollback":
      return button(ids.gated.requestRollback, "Request rollback", releaseId, "danger");
    case "promote-full":
      return button(ids.gated.promoteFull, "Request full promotion", releaseId);
    case "abort":
      return {
        ...button(ids.gated.abort, "Abort", releaseId, "danger"),
        confirm: {
          title: { type: "plain_text", text: "Abort this Rollout?" },
          text: {
            type: "mrkdwn",
            text: "Argo Rollouts stops the update and scales the stable version back up, as `kubectl argo rollouts abort` does.",
          },
          confirm: { type: "plain_text", text: "Abort" },
          deny: { type: "plain_text", text: "Cancel" },
        },
      };
  }
}
