import type { Button, HomeView, KnownBlock } from "@slack/types";
import type { ApprovalRequest } from "../src/approvals/index.ts";
import { requesterText } from "../src/approvals/index.ts";
import type { ReleaseJob } from "../src/release/index.ts";
import type { AuditRecord } from "../src/store/index.ts";
import { when } from "./approval.ts";
import { messageLink } from "./approval-lead.ts";
import { escapeText } from "./escape.ts";
import { eventWords } from "./event-words.ts";
import { chunk } from "./help.ts";
import { actorText, auditDetail } from "./history.ts";
import { ids } from "./ids.ts";
import { jobLine } from "./job-list.ts";

export interface HomeData {
  user: string;
  jobs: ReleaseJob[];
  waiting: ApprovalRequest[];
  activity: AuditRecord[];
  /** Why some namespaces are left out (the policy's viewers): each refusal names the right and who has it. */
  hidden?: string[];
}

/** App Home: the viewer's active jobs, the approvals waiting for them, recent activity. */
export function buildHome(data: HomeData): HomeView {
  const blocks: KnownBlock[] = [
    { type: "header", block_id: ids.home.header, text: { type: "plain_text", text: "Graydesk" } },
  ];
  const add = (id: string, title: string, lines: string[], empty: string) => {
    const all = lines.length > 0 ? [`*${title}*`, ...lines] : [`*${title}*`, `_${empty}_`];
    chunk(all, 3000)
      .slice(0, 10)
      .forEach((text, i) => {
        blocks.push({ type: "section", block_id: `${id}_${i}`, text: { type: "mrkdwn", text } });
      });
    blocks.push({ type: "divider" });
  };
  blocks.push(...waitingBlocks(data.waiting), { type: "divider" });
  add(
    ids.home.jobs,
    `Your active jobs (${data.jobs.length})`,
    data.jobs.map(jobLine),
    "You have no active release jobs.",
  );
  add(
    ids.home.activity,
    "Recent activity",
    data.activity.map((r) => {
      const detail = auditDetail(r);
      const job = r.job ? ` ${escapeText(`${r.namespace ?? ""}/${r.job}`)}` : "";
      return `• ${when(r.at)} ${actorText(r.actor)}*${eventWords(r.kind)}*${job}${detail ? ` — ${detail}` : ""}`;
    }),
    "Nothing has happened yet.",
  );
  if (data.hidden && data.hidden.length > 0) {
    blocks.push({
      type: "context",
      block_id: ids.home.hidden,
      elements: [{ type: "mrkdwn", text: `Not shown: ${data.hidden.join(" ").slice(0, 2900)}` }],
    });
  }
  return { type: "home", blocks: blocks.slice(0, 100) };
}

/** At most this many requests get their own buttons; the rest are counted (Home takes 100 blocks). */
const WAITING_SHOWN = 10;

/** Each waiting request with Approve, Reject and Open (its message), so it can be decided from Home. */
function waitingBlocks(waiting: ApprovalRequest[]): KnownBlock[] {
  const title = `*Waiting for your approval (${waiting.length})*`;
  if (waiting.length === 0)
    return [
      {
        type: "section",
        block_id: `${ids.home.waiting}_0`,
        text: { type: "mrkdwn", text: `${title}\n_Nothing is waiting for you._` },
      },
    ];
  const blocks: KnownBlock[] = [
    { type: "section", block_id: `${ids.home.waiting}_0`, text: { type: "mrkdwn", text: title } },
  ];
  waiting.slice(0, WAITING_SHOWN).forEach((r, i) => {
    const text = `*${escapeText(r.operation)}* on *${escapeText(`${r.namespace}/${r.jobName}`)}* — asked by ${requesterText(r.requestedBy)}, expires ${when(r.expiresAt)}\n${escapeText(r.summary)}`;
    blocks.push(
      {
        type: "section",
        block_id: `${ids.home.waiting}_request_${i}`,
        text: { type: "mrkdwn", text: text.slice(0, 3000) },
      },
      { type: "actions", block_id: `${ids.home.waiting}_actions_${i}`, elements: requestButtons(r) },
    );
  });
  if (waiting.length > WAITING_SHOWN)
    blocks.push({
      type: "context",
      block_id: `${ids.home.waiting}_more`,
      elements: [
        { type: "mrkdwn", text: `${waiting.length - WAITING_SHOWN} more are waiting in their channels.` },
      ],
    });
  return blocks;
}

function requestButtons(r: ApprovalRequest): Button[] {
  const buttons: Button[] = [
    {
      type: "button",
      action_id: ids.approval.approve,
      text: { type: "plain_text", text: "Approve" },
      style: "primary",
      value: r.id,
      // From Home the plan's steps are not in sight: the approver confirms what they approve.
      confirm: {
        title: { type: "plain_text", text: "Approve this change?" },
        text: {
          type: "mrkdwn",
          text: `*${escapeText(r.operation)}* on ${escapeText(r.jobName)}: ${escapeText(r.summary)}`.slice(
            0,
            300,
          ),
        },
        confirm: { type: "plain_text", text: "Approve" },
        deny: { type: "plain_text", text: "Cancel" },
      },
    },
    {
      type: "button",
      action_id: ids.approval.reject,
      text: { type: "plain_text", text: "Reject" },
      style: "danger",
      value: r.id,
    },
  ];
  const at = r.messages[0];
  if (at)
    buttons.push({
      type: "button",
      action_id: ids.home.open,
      text: { type: "plain_text", text: "Open" },
      url: messageLink(at.channel, at.ts),
    });
  return buttons;
}
