import type { KnownBlock } from "@slack/types";
import { CONTROLLER_NAMES, type GatedRelease } from "../src/controllers/types.ts";
import { jobScope, type ReleaseJob } from "../src/release/index.ts";
import { escapeText } from "./escape.ts";
import { stateWords } from "./event-words.ts";
import { chunk } from "./help.ts";
import { ids } from "./ids.ts";
import { trafficSummary } from "./traffic-text.ts";

/** One line per job: name, strategy, service, state and where traffic goes. */
export function jobLine(job: ReleaseJob): string {
  return `• *${escapeText(`${jobScope(job)}/${job.name}`)}* — ${job.strategy} of \`${escapeText(job.service.name)}\` · ${stateWords(job.state)} · ${escapeText(trafficSummary(job, job.traffic))}`;
}

/** A release run by Flagger or Argo Rollouts, marked with its controller. */
export function gatedLine(release: GatedRelease): string {
  const kind = release.controller === "flagger" ? "canary" : "Rollout";
  const state = release.done ?? release.phase;
  return `• *${escapeText(release.namespace)}/${escapeText(release.name)}* — [${CONTROLLER_NAMES[release.controller]}] ${kind} · ${escapeText(state)}`;
}

/** One page of the list: its entries, where it starts among all of them, and the cursor of the next page. */
export interface JobListPage {
  jobs: ReleaseJob[];
  gated: GatedRelease[];
  /** Position of the page's first entry among all entries (jobs first, then gated releases). */
  start: number;
  totalJobs: number;
  totalGated: number;
  /** Opaque cursor the More button carries; absent on the last page. */
  next?: string;
}

/**
 * A page of `/release list`. A page holds at most ~40 entries so that even entries of 3,000 characters
 * stay within a message's 50 blocks; the rest is one More press away, never dropped.
 */
export function buildJobList(
  page: JobListPage,
  namespace: string | undefined,
): { text: string; blocks: KnownBlock[] } {
  const where = namespace ? `namespace ${namespace}` : "all namespaces";
  const { jobs, gated, start, totalJobs, totalGated } = page;
  if (totalJobs === 0 && totalGated === 0) {
    const text = `No release jobs in ${where}. Start one with \`/release new\`.`;
    return {
      text,
      blocks: [{ type: "section", block_id: ids.deskMessage.section, text: { type: "mrkdwn", text } }],
    };
  }
  const total = totalJobs + totalGated;
  const shown = jobs.length + gated.length;
  const paged = total > shown;
  const lines: string[] = [];
  if (jobs.length > 0 || start === 0) {
    const range = paged && start < totalJobs ? `, ${start + 1}–${start + jobs.length} shown` : "";
    lines.push(`*Release jobs in ${where}* (${totalJobs}${range})`, ...jobs.map(jobLine));
  }
  if (gated.length > 0) {
    const first = Math.max(start, totalJobs) - totalJobs;
    const range = paged ? `, ${first + 1}–${first + gated.length} shown` : "";
    lines.push(
      `*Run by Flagger and Argo Rollouts, gated here* (${totalGated}${range})`,
      ...gated.map(gatedLine),
    );
  }
  const blocks = chunk(lines, 3000).map(
    (text, i): KnownBlock => ({
      type: "section",
      block_id: `${ids.deskMessage.section}_${i}`,
      text: { type: "mrkdwn", text },
    }),
  );
  if (page.next !== undefined)
    blocks.push({
      type: "actions",
      block_id: ids.deskMessage.actions,
      elements: [
        {
          type: "button",
          action_id: ids.jobList.more,
          text: { type: "plain_text", text: `More (${total - start - shown} left)` },
          value: page.next,
        },
      ],
    });
  const rest =
    page.next !== undefined ? ` (${start + 1}–${start + shown} of ${total}; More shows the rest)` : "";
  return {
    text: `${totalJobs} release jobs in ${where}${totalGated > 0 ? `, ${totalGated} run by their controllers` : ""}${rest}`,
    blocks,
  };
}
