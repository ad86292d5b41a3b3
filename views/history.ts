import type { KnownBlock } from "@slack/types";
import { byText, jobScope, type ReleaseJob } from "../src/release/index.ts";
import type { AuditRecord } from "../src/store/index.ts";
import { when } from "./approval.ts";
import { escapeText } from "./escape.ts";
import { eventWords } from "./event-words.ts";
import { chunk } from "./help.ts";
import { ids } from "./ids.ts";

const SHOWN = 40;

/** A job's story, oldest first: the job's own events and the audit log's requests and decisions. */
export function buildHistory(job: ReleaseJob, audit: AuditRecord[]): { text: string; blocks: KnownBlock[] } {
  const entries = [
    ...job.history.map((e) => ({ at: e.at, actor: e.actor, what: e.kind, detail: e.detail })),
    ...audit.map((r) => ({ at: r.at, actor: r.actor, what: r.kind, detail: auditDetail(r) })),
  ].sort((a, b) => byText(a.at, b.at));
  const shown = entries.slice(-SHOWN);
  const lines = [
    `*History of ${jobScope(job)}/${job.name}*${entries.length > SHOWN ? ` (last ${SHOWN} of ${entries.length})` : ""}`,
    ...shown.map(
      (e) =>
        `${when(e.at)} ${actorText(e.actor)}*${escapeText(eventWords(e.what))}*${e.detail ? ` — ${escapeText(e.detail)}` : ""}`,
    ),
  ];
  return {
    text: `History of ${job.name}`,
    blocks: chunk(lines, 3000)
      .slice(0, 49)
      .map(
        (text, i): KnownBlock => ({
          type: "section",
          block_id: `${ids.deskMessage.section}_${i}`,
          text: { type: "mrkdwn", text },
        }),
      ),
  };
}

export function auditDetail(record: AuditRecord): string | undefined {
  const detail = record.detail ?? {};
  const parts = [detail.operation, detail.summary, detail.reason].filter(
    (p): p is string => typeof p === "string",
  );
  return parts.length > 0 ? escapeText(parts.join(" · ")) : undefined;
}

/** A Slack user as a mention; Graydesk's own actions (actor "graydesk") as its name. */
export function actorText(actor: string | undefined): string {
  if (!actor) return "";
  return /^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}> ` : `${escapeText(actor)} `;
}
