import type { KnownBlock } from "@slack/types";
import type { ReleaseJob } from "../src/release/index.ts";
import type { Breach, BreachNotice, JobAnalysis, TraceLink, VersionTraces } from "../src/telemetry/index.ts";
import { formatMs } from "../src/telemetry/index.ts";
import { verdictLine } from "./analysis-text.ts";
import { ids } from "./ids.ts";

/**
 * A change in a version's analysis for the job's thread: a breach or a worse one mentions the people who must
 * act and offers Request rollback; a recovery is a quiet note.
 */
export function buildBreachNotice(
  job: Pick<ReleaseJob, "id" | "name">,
  notice: BreachNotice,
  analysis: JobAnalysis,
  options: { mentions: string[]; autoRollbackAfter?: number },
): { text: string; blocks: KnownBlock[] } {
  if (notice.kind === "recovered") {
    const verdict = analysis.verdicts[notice.version];
    const now = verdict ? `\n${verdictLine(verdict, analysis)}` : "";
    const text = `:white_check_mark: *${notice.version}* recovered on *${job.name}* (was: ${notice.before.text})${now}`;
    return {
      text,
      blocks: [{ type: "section", block_id: ids.breach.section, text: { type: "mrkdwn", text } }],
    };
  }
  const head =
    notice.kind === "worse"
      ? `:rotating_light: Analysis of *${job.name}* got worse (was: ${notice.before.text})`
      : `:rotating_light: Analysis of *${job.name}* fails`;
  const lines = [head, verdictLine(notice.verdict, analysis)];
  if (options.mentions.length > 0) lines.push(options.mentions.join(" "));
  if (options.autoRollbackAfter !== undefined)
    lines.push(
      `Policy: Graydesk moves all traffic back by itself after ${options.autoRollbackAfter} failed checks in a row.`,
    );
  const text = lines.join("\n").slice(0, 3000);
  return {
    text,
    blocks: [
      { type: "section", block_id: ids.breach.section, text: { type: "mrkdwn", text } },
      {
        type: "actions",
        block_id: ids.breach.actions,
        elements: [
          {
            type: "button",
            action_id: ids.breach.requestRollback,
            text: { type: "plain_text", text: "Request rollback" },
            style: "danger",
            value: job.id,
          },
        ],
      },
    ],
  };
}

/** A health breach in the job's thread, with the one click that asks for a rollback through approval. */
export function buildBreachMessage(
  job: Pick<ReleaseJob, "id" | "name">,
  breach: Pick<Breach, "text">,
): { text: string; blocks: KnownBlock[] } {
  const text = `:rotating_light: Health breach on *${job.name}*: ${breach.text}`.slice(0, 3000);
  return {
    text,
    blocks: [
      { type: "section", block_id: ids.breach.section, text: { type: "mrkdwn", text } },
      {
        type: "actions",
        block_id: ids.breach.actions,
        elements: [
          {
            type: "button",
            action_id: ids.breach.requestRollback,
            text: { type: "plain_text", text: "Request rollback" },
            style: "danger",
            value: job.id,
          },
        ],
      },
    ],
  };
}

function traceText(label: string, link: TraceLink | undefined): string {
  if (!link) return `${label}: none`;
  return `${label} <${link.url}|${link.traceId.slice(0, 16)}> ${formatMs(link.durationMs)} (HTTP ${link.status})`;
}

/** The slowest and the latest failing trace of each version, each linked by its trace id. */
export function tracesText(job: Pick<ReleaseJob, "name">, traces: VersionTraces[]): string {
  const lines = [`*Recent traces of ${job.name}* (last hour)`];
  for (const t of traces) {
    lines.push(
      `*${t.version}*: ${traceText("slowest", t.slowest)} · ${traceText("failing", t.failing)} · <${t.search}|all> · <${t.errors}|errors>`,
    );
  }
  let text = "";
  for (const line of lines) {
    if (`${text}\n${line}`.length > 3000) break;
    text = text ? `${text}\n${line}` : line;
  }
  return text;
}
