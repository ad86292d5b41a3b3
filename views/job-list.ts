import type { KnownBlock } from "@slack/types";
import { CONTROLLER_NAMES, type GatedRelease } from "../src/controllers/types.ts";
import { jobScope, type ReleaseJob } from "../src/release/index.ts";
import { escapeText } from "./escape.ts";
import { chunk } from "./help.ts";
import { ids } from "./ids.ts";
import { trafficSummary } from "./traffic-text.ts";

/** One line per job: name, strategy, service, state and where traffic goes. */
export function jobLine(job: ReleaseJob): string {
  return `• *${escapeText(`${jobScope(job)}/${job.name}`)}* — ${job.strategy} of \`${escapeText(job.service.name)}\` · ${job.state} · ${escapeText(trafficSummary(job, job.traffic))}`;
}

/** A release run by Flagger or Argo Rollouts, marked with its controller. */
export function gatedLine(release: GatedRelease): string {
  const kind = release.controller === "flagger" ? "canary" : "Rollout";
  const state = release.done ?? release.phase;
  return `• *${escapeText(release.namespace)}/${escapeText(release.name)}* — [${CONTROLLER_NAMES[release.controller]}] ${kind} · ${escapeText(state)}`;
}

export function buildJobList(
  jobs: ReleaseJob[],
  namespace: string | undefined,
  gated: GatedRelease[] = [],
): { text: string; blocks: KnownBlock[] } {
  const where = namespace ? `namespace ${namespace}` : "all namespaces";
  if (jobs.length === 0 && gated.length === 0) {
    const text = `No release jobs in ${where}. Start one with \`/release new\`.`;
    return {
      text,
      blocks: [{ type: "section", block_id: ids.deskMessage.section, text: { type: "mrkdwn", text } }],
    };
  }
  const lines = [`*Release jobs in ${where}* (${jobs.length})`, ...jobs.map(jobLine)];
  if (gated.length > 0)
    lines.push(`*Run by Flagger and Argo Rollouts, gated here* (${gated.length})`, ...gated.map(gatedLine));
  return {
    text: `${jobs.length} release jobs in ${where}${gated.length > 0 ? `, ${gated.length} run by their controllers` : ""}`,
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
