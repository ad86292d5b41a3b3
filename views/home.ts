import type { HomeView, KnownBlock } from "@slack/types";
import type { ApprovalRequest } from "../src/approvals/index.ts";
import { requesterText } from "../src/approvals/index.ts";
import type { ReleaseJob } from "../src/release/index.ts";
import type { AuditRecord } from "../src/store/index.ts";
import { when } from "./approval.ts";
import { escapeText } from "./escape.ts";
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
  add(
    ids.home.waiting,
    `Waiting for your approval (${data.waiting.length})`,
    data.waiting.map(
      (r) =>
        `• *${escapeText(r.operation)}* on *${escapeText(`${r.namespace}/${r.jobName}`)}* — asked by ${requesterText(r.requestedBy)}, expires ${when(r.expiresAt)}\n    ${escapeText(r.summary)}`,
    ),
    "Nothing is waiting for you.",
  );
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
      return `• ${when(r.at)} ${actorText(r.actor)}*${r.kind}*${job}${detail ? ` — ${detail}` : ""}`;
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
