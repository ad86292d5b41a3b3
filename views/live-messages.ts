import type { KnownBlock } from "@slack/types";
import type { ReleaseJob } from "../src/release/index.ts";
import type { Breach, TraceLink, VersionTraces } from "../src/telemetry/index.ts";
import { formatMs } from "../src/telemetry/index.ts";
import { ids } from "./ids.ts";

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
