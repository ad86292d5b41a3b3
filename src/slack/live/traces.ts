import { tracesText } from "../../../views/live-messages.ts";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { Telemetry } from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";

export type TracesResult = { ok: true } | { ok: false; reason: string };

/** Posts the slowest and the failing recent traces of each version in the job's thread. */
export async function postTraces(
  deps: { desk: ReleaseDesk; cards: JobCards; telemetry: Telemetry },
  jobId: string,
): Promise<TracesResult> {
  const job = deps.desk.job(jobId);
  if (!job) return { ok: false, reason: "That release job does not exist (any more)." };
  const traces = await deps.telemetry.recentTraces(job);
  if (!Array.isArray(traces)) return { ok: false, reason: traces.reason };
  const text = tracesText(job, traces);
  const posted = await deps.cards.thread(jobId, {
    text,
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
  });
  if (!posted) return { ok: false, reason: `${job.name} has no channel to post its traces in.` };
  return { ok: true };
}
