import type { ContextBlock, ImageBlock, KnownBlock } from "@slack/types";
import type { ReleaseJob } from "../src/release/index.ts";
import type { JobAnalysis, VersionHealth, VersionStats, VersionTraces } from "../src/telemetry/index.ts";
import { formatMs, formatRatio, formatRps, formatShare } from "../src/telemetry/index.ts";
import { verdictLines } from "./analysis-text.ts";
import { escapeText } from "./escape.ts";
import { ids } from "./ids.ts";

/** What the card knows about a live job's traffic: measured health, trace links, verdicts, the latest chart. */
export interface CardTelemetry {
  health: VersionHealth;
  /** Undefined when JAEGER_URL is not set. */
  traces?: VersionTraces[];
  /** Each version's verdict from the checks since the last traffic change. */
  analysis?: JobAnalysis;
  /** The Slack file id of the latest uploaded chart. */
  chartFileId?: string;
}

export const TRACES_OFF = "Trace links are off: JAEGER_URL is not set.";
const SECTION_TEXT = 3000;

/** The live health blocks of a job card: one line per version, verdicts, what is not configured, the chart. */
export function healthBlocks(job: ReleaseJob, live: CardTelemetry): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const { health } = live;
  const off: string[] = [];
  if (health.status === "ok") {
    const lines = [`*Live traffic* (last ${health.window.rate}, observed / configured share)`];
    for (const [version, stats] of Object.entries(health.versions)) {
      const links = live.traces?.find((t) => t.version === version);
      lines.push(versionLine(job, version, stats, health.configured[version], links));
    }
    if (live.analysis) lines.push(...verdictLines(live.analysis));
    blocks.push({
      type: "section",
      block_id: ids.jobCard.health,
      text: { type: "mrkdwn", text: wholeLines(lines, SECTION_TEXT) },
    });
  } else {
    off.push(escapeText(health.reason));
  }
  if (!live.traces) off.push(TRACES_OFF);
  if (off.length > 0) blocks.push(offLine(off.join(" ")));
  if (live.chartFileId) blocks.push(chartImage(job, live.chartFileId));
  return blocks;
}

function versionLine(
  job: ReleaseJob,
  version: string,
  stats: VersionStats,
  configured: number | undefined,
  links: VersionTraces | undefined,
): string {
  const tag =
    version === job.stableVersion ? " (stable)" : version === job.newVersion.version ? " (new)" : "";
  const parts = [
    `${formatShare(stats.share)} / ${formatShare(configured ?? 0)}`,
    `success ${formatRatio(stats.successRate)}`,
    `p99 ${formatMs(stats.p99)}`,
    formatRps(stats.rps),
  ];
  if (stats.mirroredRps > 0) parts.push(`mirrored ${formatRps(stats.mirroredRps)}`);
  if (links) parts.push(`<${links.search}|traces>`, `<${links.errors}|errors>`);
  return `*${version}*${tag}: ${parts.join(" · ")}`;
}

function offLine(text: string): ContextBlock {
  return {
    type: "context",
    block_id: ids.jobCard.telemetryOff,
    elements: [{ type: "mrkdwn", text: text.slice(0, SECTION_TEXT) }],
  };
}

function chartImage(job: ReleaseJob, fileId: string): ImageBlock {
  return {
    type: "image",
    block_id: ids.jobCard.chartImage,
    slack_file: { id: fileId },
    alt_text: `Observed and configured share of ${job.service.name} traffic per version`,
    title: { type: "plain_text", text: "Traffic split (latest chart)" },
  };
}

/** Whole lines up to the limit: a cut in the middle of a link would show its raw markup. */
function wholeLines(lines: string[], limit: number): string {
  let text = "";
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length > limit) break;
    text = next;
  }
  return text;
}
