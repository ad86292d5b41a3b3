import type { ActionsBlock, Button, KnownBlock } from "@slack/types";
import type { VersionInfo } from "../src/desk/types.ts";
import {
  type JobState,
  jobScope,
  type ReleaseJob,
  splitView,
  TERMINAL_STATES,
  type TrafficPolicy,
} from "../src/release/index.ts";
import { imageWords } from "./approval-lead.ts";
import { codeBlock, escapeText } from "./escape.ts";
import { stateWords } from "./event-words.ts";
import { ids } from "./ids.ts";
import { type CardTelemetry, healthBlocks } from "./job-card-health.ts";
import { trafficLines } from "./traffic-text.ts";

/** What the card shows: the job, plus what the cluster says now when it could be read. */
export interface JobCardData {
  job: ReleaseJob;
  versions?: VersionInfo[];
  /** The routes read back from the cluster; the job's own traffic when absent. */
  configured?: TrafficPolicy;
  /** Approval requests still waiting, in the user's words, e.g. "shift by <@U1>". */
  pending?: string[];
  /** Live traffic health, for jobs that serve traffic; absent for finished ones. */
  live?: CardTelemetry;
  /** Ingresses or HTTPRoutes whose traffic bypasses the split, and how to route it through the mesh. */
  bypass?: string;
  /** Set when the job's cluster did not answer: the card shows what Graydesk last applied. */
  unreachable?: boolean;
}

const STATE_WORDS: Record<JobState, string> = {
  "awaiting-approval":
    ":raised_hand: waiting for approval to deploy the new version — nothing is in the cluster yet",
  deploying: ":hourglass_flowing_sand: deploying the new version",
  ready: ":white_circle: ready — the new version is deployed and gets no traffic yet",
  active: ":large_blue_circle: active",
  "taken-over": ":large_green_circle: taken over",
  offline: ":black_circle: offline — finished",
  failed: ":red_circle: failed",
  "rolled-back": ":leftwards_arrow_with_hook: rolled back",
  abandoned: ":black_circle: abandoned",
  "not-deployed": ":black_circle: closed — the new version was never deployed",
};

const STRATEGY_WORDS = { "blue-green": "blue-green", canary: "canary", mirror: "traffic mirroring" };

/** The job card: one message per job, updated in place as the job changes. */
export function buildJobCard(data: JobCardData): { text: string; blocks: KnownBlock[] } {
  const { job } = data;
  const where = `${jobScope(job)}/${job.service.name}`;
  const blocks: KnownBlock[] = [
    {
      type: "header",
      block_id: ids.jobCard.header,
      text: { type: "plain_text", text: `${job.name} · ${stateWords(job.state)}`.slice(0, 150) },
    },
    {
      type: "section",
      block_id: ids.jobCard.title,
      text: {
        type: "mrkdwn",
        text: `*${escapeText(job.name)}* · ${STRATEGY_WORDS[job.strategy]} of \`${escapeText(where)}\` · ${escapeText(job.stableVersion)} → ${escapeText(job.newVersion.version)} · via ${job.router}`,
      },
    },
    { type: "section", block_id: ids.jobCard.state, text: { type: "mrkdwn", text: stateText(job) } },
  ];
  if (data.unreachable) {
    const cluster = job.cluster ? `cluster ${escapeText(job.cluster)}` : "the cluster";
    blocks.push({
      type: "context",
      block_id: ids.jobCard.unreachable,
      elements: [
        {
          type: "mrkdwn",
          text: `:warning: *cluster unreachable*: ${cluster} did not answer, so this card shows what Graydesk last applied; jobs in other clusters are not affected.`,
        },
      ],
    });
  }
  if (data.bypass) {
    blocks.push({
      type: "section",
      block_id: ids.jobCard.bypass,
      text: { type: "mrkdwn", text: `:warning: ${escapeText(data.bypass)}`.slice(0, 3000) },
    });
  }
  const versions = versionLines(job, data.versions);
  if (versions.length > 0) {
    blocks.push({
      type: "section",
      block_id: ids.jobCard.versions,
      text: { type: "mrkdwn", text: versions.join("\n").slice(0, 3000) },
    });
  }
  const traffic = data.configured ?? job.traffic;
  blocks.push({
    type: "section",
    block_id: ids.jobCard.split,
    text: { type: "mrkdwn", text: splitText(job, traffic, data.versions) },
  });
  if (data.live) blocks.push(...healthBlocks(job, data.live));
  if (data.pending && data.pending.length > 0) {
    blocks.push({
      type: "context",
      block_id: ids.jobCard.pending,
      elements: [
        {
          type: "mrkdwn",
          text: `:hourglass: Waiting for approval: ${data.pending.join("; ")}`.slice(0, 3000),
        },
      ],
    });
  }
  const actions = actionsFor(job, data.live);
  if (actions) blocks.push(actions);
  return { text: escapeText(`Release job ${job.name} (${where}): ${stateWords(job.state)}`), blocks };
}

function splitText(job: ReleaseJob, traffic: TrafficPolicy, versions: VersionInfo[] | undefined): string {
  const lines = trafficLines(job, traffic, existing(job, traffic, versions));
  return lines.length > 0 ? codeBlock(lines.join("\n")) : "No version of this job is deployed any more.";
}

/**
 * Versions with a row: those still deployed, in every state (a removed one's row would read as live). While
 * the job runs, a version that still gets traffic keeps its row even without a Deployment: that is a fault
 * to see, not to hide. Without the cluster's answer every version of the split is shown.
 */
function existing(
  job: ReleaseJob,
  traffic: TrafficPolicy,
  versions: VersionInfo[] | undefined,
): string[] | undefined {
  if (!versions) return undefined;
  const deployed = versions.map((v) => v.version);
  if (TERMINAL_STATES.includes(job.state)) return deployed;
  const served = splitView(job, traffic).served;
  return Object.keys(served).filter((v) => deployed.includes(v) || (served[v] ?? 0) > 0);
}

function stateText(job: ReleaseJob): string {
  let text = `*State:* ${STATE_WORDS[job.state]}`;
  if (job.state === "taken-over" && job.takenOverBy) text += ` by ${job.takenOverBy}`;
  if (job.state === "failed" && job.failure) {
    const hint = job.failure.retryable
      ? "Retry once the cause is fixed, or abandon the job."
      : "Retrying will not fix this: abandon the job.";
    text += `\n>${escapeText(job.failure.reason).replaceAll("\n", "\n>")}\n${hint}`;
  }
  const last = job.history.at(-1);
  if (job.state === "not-deployed" && last?.detail) {
    const by = last.actor === "graydesk" ? "" : ` (<@${last.actor}>)`;
    text += `\n>${escapeText(last.detail).replaceAll("\n", "\n>")}${by}\nNothing was written to the cluster.`;
  }
  if (job.state === "awaiting-approval")
    text += `\n${escapeText(job.newVersion.version)} is deployed once an approver approves the request in this thread.`;
  return text.slice(0, 3000);
}

function versionLines(job: ReleaseJob, versions: VersionInfo[] | undefined): string[] {
  if (!versions) return [];
  return versions.map((v) => {
    const tag =
      v.version === job.stableVersion ? "stable" : v.version === job.newVersion.version ? "new" : "";
    const ready = v.readyReplicas >= v.replicas && v.replicas > 0 ? ":white_check_mark:" : ":hourglass:";
    // What each version runs (image:tag, the digest apart when the reference pins one).
    const runs = v.images.length > 0 ? ` · runs ${[...new Set(v.images)].map(imageWords).join(", ")}` : "";
    return `${ready} *${v.version}*${tag ? ` (${tag})` : ""} \`${v.deployment}\` ${v.readyReplicas}/${v.replicas} ready${runs}`;
  });
}

function button(actionId: string, label: string, value: string): Button {
  return { type: "button", action_id: actionId, text: { type: "plain_text", text: label }, value };
}

/** The one next step the job's state calls for: it alone is styled primary, and comes first. */
function primaryFor(job: ReleaseJob): string | undefined {
  const { jobCard } = ids;
  switch (job.state) {
    case "deploying":
    case "ready":
    case "active":
      return job.strategy === "blue-green" ? jobCard.takeOver : jobCard.shift;
    case "taken-over":
    case "rolled-back":
      return jobCard.takeOffline;
    case "failed":
      return job.failure?.retryable ? jobCard.retry : jobCard.abandon;
    case "offline":
    case "abandoned":
    case "awaiting-approval":
    case "not-deployed":
      return undefined;
  }
}

/**
 * One primary action for the state, first and styled (red when it is Abandon, which deletes the new version);
 * every other button secondary.
 */
function actionsFor(job: ReleaseJob, live: CardTelemetry | undefined): ActionsBlock | undefined {
  const buttons = buttonsFor(job, live);
  const primary = primaryFor(job);
  const first = buttons.filter((b) => b.action_id === primary);
  const rest = buttons.filter((b) => b.action_id !== primary);
  const elements: Button[] = [
    ...first.map(
      (b): Button => ({ ...b, style: b.action_id === ids.jobCard.abandon ? "danger" : "primary" }),
    ),
    ...rest,
  ];
  return { type: "actions", block_id: ids.jobCard.actions, elements };
}

function buttonsFor(job: ReleaseJob, live: CardTelemetry | undefined): Button[] {
  const { jobCard } = ids;
  const objects = button(jobCard.objects, "Show objects", job.id);
  if (TERMINAL_STATES.includes(job.state) || job.state === "awaiting-approval") return [objects];
  if (job.state === "failed") {
    const elements: Button[] = [];
    if (job.failure?.retryable) elements.push(button(jobCard.retry, "Retry", job.id));
    elements.push(button(jobCard.abandon, "Abandon", job.id), objects);
    return elements;
  }
  const elements: Button[] = [];
  if (job.strategy !== "blue-green") elements.push(button(jobCard.shift, "Shift…", job.id));
  elements.push(button(jobCard.takeOver, "Take over…", job.id));
  if (job.state !== "rolled-back") elements.push(button(jobCard.rollback, "Roll back", job.id));
  if (job.state === "taken-over" || job.state === "rolled-back")
    elements.push(button(jobCard.takeOffline, "Take offline", job.id));
  // Only what is configured gets a button; the card's context line says what is not.
  if (live && !(live.health.status === "unavailable" && live.health.code === "not-configured"))
    elements.push(button(jobCard.chart, "Chart", job.id));
  if (live?.traces) elements.push(button(jobCard.traces, "Traces", job.id));
  elements.push(objects);
  return elements;
}
