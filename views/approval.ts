import type { Button, KnownBlock } from "@slack/types";
import type { ApprovalRequest } from "../src/approvals/index.ts";
import type { Plan } from "../src/release/index.ts";
import { renderDiff } from "../src/release/index.ts";
import {
  type CopyFacts,
  copyBlock,
  mentions,
  type NewVersionFacts,
  newVersionBlock,
} from "./approval-lead.ts";
import { codeBlock, escapeText } from "./escape.ts";
import { ids } from "./ids.ts";
import { buildPlanSteps } from "./plan-steps.ts";

/** Slack takes 50 blocks in a message: diffs fill what the rest leaves; every step is still listed. */
const MESSAGE_BLOCKS = 50;

export interface ApprovalView {
  request: ApprovalRequest;
  /** The plan being approved; absent once it is gone from the store (the message still shows the summary). */
  plan?: Plan;
  /** Take-over and take-offline are hard to undo: Approve asks again. */
  confirm: boolean;
  /** Each version's health when the change was asked for, or why it is not known. */
  evidence?: string[];
  /** Each version's verdict, shown first; `failing` replaces Approve with "Approve despite failing analysis". */
  analysis?: { lines: string[]; failing?: string };
  /** No metrics source is configured: the request says that no check judged the new version. */
  unmeasured?: boolean;
  /** What the new version is: shown under who asks and what changes. */
  newVersion?: NewVersionFacts;
  /** Set on the approvers-channel copy (and DMs): links to the card and thread, and the approvers mentioned. */
  copy?: CopyFacts;
  /** False when an expired or stale request cannot be asked again (a new version's job closes instead). */
  rerequest?: boolean;
}

const OUTCOME_WORDS: Record<ApprovalRequest["state"], string> = {
  pending: "",
  approved: ":hourglass_flowing_sand: Approved, applying…",
  applied: ":white_check_mark: Applied",
  failed: ":x: Failed",
  rejected: ":no_entry_sign: Rejected",
  expired: ":alarm_clock: Expired before anyone approved it",
  stale: ":warning: Not applied: the cluster changed since this plan was made",
};

/**
 * The approval request, in the order an approver reads it: who asks and what changes in plain words, what the
 * new version is; then the health verdict; then the steps with the deletions first and marked, and the notes;
 * line diffs only for objects that are changed in place (created and deleted objects are whole objects, shown
 * in full YAML behind Show objects); then expiry and the buttons while pending, or the outcome.
 */
export function buildApprovalRequest(view: ApprovalView): { text: string; blocks: KnownBlock[] } {
  const { request, plan } = view;
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: ids.approval.title,
      text: {
        type: "mrkdwn",
        text: `:raised_hand: <@${request.requestedBy}> asks to *${escapeText(request.operation)}* on job *${escapeText(request.jobName)}* (\`${escapeText(request.namespace)}\`)`,
      },
    },
    {
      type: "section",
      block_id: ids.approval.summary,
      text: { type: "mrkdwn", text: `*What changes:* ${escapeText(request.summary)}`.slice(0, 3000) },
    },
    ...newVersionBlock(view.newVersion),
    ...(request.state === "pending" ? copyBlock(view.copy) : []),
    // Whether the new version passes is what the decision turns on: before the steps.
    ...verdictBlocks(view),
    ...evidenceBlocks(view.evidence),
  ];
  const steps = plan?.steps ?? [];
  const notes = [...(plan?.notes ?? [])];
  if (plan) blocks.push(...buildPlanSteps(plan));
  // Only what is changed in place gets a line diff; whole objects are behind Show objects.
  const changed = steps.filter((step) => step.action === "patch" || step.action === "scale");
  // Room for the notes, the objects button, expiry or outcome, and the buttons that follow the diffs.
  const room = Math.max(0, MESSAGE_BLOCKS - blocks.length - 5);
  const diffs = changed.slice(0, room);
  diffs.forEach((step, i) => {
    blocks.push({
      type: "section",
      block_id: `${ids.approval.diff}_${i}`,
      text: { type: "mrkdwn", text: codeBlock(renderDiff(step)) },
    });
  });
  if (changed.length > diffs.length)
    notes.push(
      `Line diffs are shown for the first ${diffs.length} changed objects; Show objects has every object in full.`,
    );
  if (notes.length > 0) {
    blocks.push({
      type: "section",
      block_id: ids.approval.notes,
      text: {
        type: "mrkdwn",
        text: notes
          .map((n) => `• ${escapeText(n)}`)
          .join("\n")
          .slice(0, 3000),
      },
    });
  }
  if (plan) {
    blocks.push({
      type: "actions",
      block_id: ids.approval.objectsActions,
      elements: [
        {
          type: "button",
          action_id: ids.approval.showObjects,
          text: { type: "plain_text", text: "Show objects" },
          value: request.id,
        },
      ],
    });
  }
  if (request.state === "pending") {
    const needs =
      request.requiredApprovals > 1
        ? ` · ${request.approvals.length}/${request.requiredApprovals} approvals${approvers(request)}`
        : "";
    blocks.push(
      {
        type: "context",
        block_id: ids.approval.expiry,
        elements: [{ type: "mrkdwn", text: `Expires ${when(request.expiresAt)}${needs}` }],
      },
      {
        type: "actions",
        block_id: ids.approval.actions,
        elements: [
          view.analysis?.failing ? approveDespiteButton(view) : approveButton(view),
          rejectButton(request.id),
        ],
      },
    );
  } else {
    blocks.push({
      type: "section",
      block_id: ids.approval.outcome,
      text: { type: "mrkdwn", text: outcomeText(request, view.rerequest !== false) },
    });
    if ((request.state === "expired" || request.state === "stale") && view.rerequest !== false) {
      blocks.push({
        type: "actions",
        block_id: ids.approval.actions,
        elements: [rerequestButton(request.id)],
      });
    }
  }
  const status = request.state === "pending" ? "waiting for approval" : request.state;
  // The fallback text is mrkdwn too (notifications read it): escaped like the blocks.
  const asked = view.copy && request.state === "pending" ? mentions(view.copy) : "";
  return {
    text: `${asked ? `${asked} ` : ""}${escapeText(`${request.operation} on ${request.jobName}: ${status}`)}`,
    blocks,
  };
}

/** Each version's health when the change was asked for: the numbers under the verdict. */
function evidenceBlocks(evidence: string[] | undefined): KnownBlock[] {
  if (!evidence || evidence.length === 0) return [];
  return [
    {
      type: "context",
      block_id: ids.approval.evidence,
      elements: [{ type: "mrkdwn", text: `:bar_chart: ${escapeText(evidence.join("\n"))}`.slice(0, 3000) }],
    },
  ];
}

export function outcomeText(request: ApprovalRequest, rerequest = true): string {
  let text = OUTCOME_WORDS[request.state];
  if (request.decidedBy && ["approved", "applied", "failed", "rejected", "stale"].includes(request.state))
    text += ` by <@${request.decidedBy}>`;
  if (request.decidedAt) text += ` ${when(request.decidedAt)}`;
  if (request.outcome) text += `\n>${escapeText(request.outcome).replaceAll("\n", "\n>")}`;
  if ((request.state === "expired" || request.state === "stale") && rerequest)
    text += "\nPress *Re-request* to plan it again against the cluster as it is now.";
  return text.slice(0, 3000);
}

export function rerequestButton(requestId: string): Button {
  return {
    type: "button",
    action_id: ids.approval.rerequest,
    text: { type: "plain_text", text: "Re-request" },
    value: requestId,
  };
}

function approveButton(view: ApprovalView): Button {
  const button: Button = {
    type: "button",
    action_id: ids.approval.approve,
    text: { type: "plain_text", text: "Approve" },
    style: "primary",
    value: view.request.id,
  };
  if (!view.confirm) return button;
  // The dialog names what is deleted: the step that cannot be undone is the one to confirm.
  const deletes = (view.plan?.steps ?? [])
    .filter((step) => step.action === "delete")
    .map((step) => `${step.object.kind} ${step.object.name}`);
  const deleted = deletes.length > 0 ? ` It deletes ${escapeText(deletes.join(", "))}.` : "";
  const text = `*${escapeText(view.request.operation)}* moves all traffic of ${escapeText(view.request.jobName)} and is hard to undo.${deleted}`;
  return {
    ...button,
    confirm: {
      title: { type: "plain_text", text: "Approve this change?" },
      text: { type: "mrkdwn", text: text.length > 300 ? `${text.slice(0, 299)}…` : text },
      confirm: { type: "plain_text", text: "Approve" },
      deny: { type: "plain_text", text: "Cancel" },
      style: "danger",
    },
  };
}

/** The analysis first, as a section of its own: a decision should not start from grey small print. */
function verdictBlocks(view: ApprovalView): KnownBlock[] {
  const lines = view.analysis?.lines ?? [];
  if (lines.length === 0 && view.unmeasured)
    return [
      {
        type: "section",
        block_id: ids.approval.verdict,
        text: {
          type: "mrkdwn",
          text: "*Health:* not measured: no metrics source is configured, so no check has judged the new version.",
        },
      },
    ];
  if (lines.length === 0) return [];
  const head = view.analysis?.failing
    ? "*Analysis:* the new version fails, and this change gives it more traffic."
    : "*Analysis* (checks since the last traffic change):";
  return [
    {
      type: "section",
      block_id: ids.approval.verdict,
      text: { type: "mrkdwn", text: [head, ...lines].join("\n").slice(0, 3000) },
    },
  ];
}

/** While the new version fails, approving takes this button and its confirmation, never a plain Approve. */
function approveDespiteButton(view: ApprovalView): Button {
  return {
    type: "button",
    action_id: ids.approval.approveDespite,
    text: { type: "plain_text", text: "Approve despite failing analysis" },
    style: "danger",
    value: view.request.id,
    confirm: {
      title: { type: "plain_text", text: "Approve despite failing?" },
      text: {
        type: "mrkdwn",
        text: `${view.analysis?.failing ?? ""} Approving is recorded as despite failing analysis.`.slice(
          0,
          300,
        ),
      },
      confirm: { type: "plain_text", text: "Approve anyway" },
      deny: { type: "plain_text", text: "Cancel" },
      style: "danger",
    },
  };
}

function rejectButton(requestId: string): Button {
  return {
    type: "button",
    action_id: ids.approval.reject,
    text: { type: "plain_text", text: "Reject" },
    style: "danger",
    value: requestId,
  };
}

function approvers(request: ApprovalRequest): string {
  return request.approvals.length > 0 ? ` (${request.approvals.map((a) => `<@${a.user}>`).join(", ")})` : "";
}

/** A time in the reader's own time zone (Slack's date formatting), with a UTC fallback. */
export function when(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  const fallback = `${iso.slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
}
