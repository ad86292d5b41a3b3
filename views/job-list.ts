import type { KnownBlock } from "@slack/types";
import type { ReleaseJob } from "../src/release/index.ts";
import { chunk } from "./help.ts";
import { ids } from "./ids.ts";
import { trafficSummary } from "./traffic-text.ts";

/** One line per job: name, strategy, service, state and where traffic goes. */
export function jobLine(job: ReleaseJob): string {
  return `• *${job.namespace}/${job.name}* — ${job.strategy} of \`${job.service.name}\` · ${job.state} · ${trafficSummary(job, job.traffic)}`;
}

export function buildJobList(
  jobs: ReleaseJob[],
  namespace: string | undefined,
): { text: string; blocks: KnownBlock[] } {
  const where = namespace ? `namespace ${namespace}` : "all namespaces";
  if (jobs.length === 0) {
    const text = `No release jobs in ${where}. Start one with \`/release new\`.`;
    return {
      text,
      blocks: [{ type: "section", block_id: ids.deskMessage.section, text: { type: "mrkdwn", text } }],
    };
  }
  const lines = [`*Release jobs in ${where}* (${jobs.length})`, ...jobs.map(jobLine)];
  return {
    text: `${jobs.length} release jobs in ${where}`,
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
