import type { KnownBlock } from "@slack/types";
import { eventWords, stateWords } from "../../views/event-words.ts";
import type { ApprovalRequest, Policy } from "../approvals/index.ts";
import { policyFor, requesterText } from "../approvals/index.ts";
import {
  byText,
  escapeText,
  jobScope,
  type ReleaseJob,
  splitScope,
  splitView,
  TERMINAL_STATES,
  type TrafficPolicy,
} from "../release/index.ts";
import type { Verdict, VersionHealth } from "../telemetry/index.ts";
import { findBreaches, formatShare, thresholdsFor } from "../telemetry/index.ts";
import { type DigestMessage, sectionsOf, toMessages } from "./digest-messages.ts";

/** One job as the digest sees it: the stored job plus what the cluster and Prometheus said just now. */
export interface DigestJob {
  job: ReleaseJob;
  /** The split the routing objects in the cluster carry; undefined when they could not be read. */
  configured?: TrafficPolicy;
  health?: VersionHealth;
  /** The analysis's verdicts, new version first; preferred to judging `health` afresh, which knows no settling. */
  verdicts?: Verdict[];
  /** The new version's Deployment as the cluster reports it. */
  newVersionPods?: { ready: number; desired: number };
  /** Set when the job's cluster did not answer: what the digest says instead of its live state. */
  unreachable?: boolean;
  /** When it last changed, when known without reading its history (a finished job the store keeps archived). */
  changedAt?: number;
}

export interface DigestInput {
  now: Date;
  /** When this channel's previous digest was posted; finished jobs are listed from then on. */
  lastDigestAt?: Date;
  jobs: DigestJob[];
  approvals: ApprovalRequest[];
  policy: Policy;
  /** The digest schedule's own time zone (IANA name): the title's time is given in it; UTC when absent. */
  timeZone?: string;
  /** Only these namespaces (a channel's namespaces, `cluster/namespace` with several clusters); all when absent. */
  namespaces?: string[];
}

/** Where a request's job runs (`cluster/namespace`), read from the digest's jobs; its namespace otherwise. */
function requestScope(request: ApprovalRequest, input: DigestInput): string {
  const job = input.jobs.find((j) => j.job.id === request.jobId)?.job;
  return job ? jobScope(job) : request.namespace;
}

/**
 * The digest, per namespace: active jobs with strategy, configured and observed split, health and age; approval
 * requests still waiting and for how long; jobs with no change for longer than the namespace's
 * `forgottenAfterDays`; jobs finished since the last digest. Pure: data in, Slack messages out, split so each
 * message stays within Block Kit's limits.
 */
export function buildDigest(input: DigestInput): DigestMessage[] {
  const wanted = input.namespaces ? new Set(input.namespaces) : undefined;
  const inScope = (ns: string) => !wanted || wanted.has(ns);
  // With several clusters a section is `cluster/namespace`, so each job is listed with its cluster.
  const namespaces = [
    ...new Set([
      ...input.jobs.map((j) => jobScope(j.job)).filter(inScope),
      ...input.approvals
        .filter((a) => a.state === "pending")
        .map((a) => requestScope(a, input))
        .filter(inScope),
    ]),
  ].sort();
  const blocks: KnownBlock[] = [];
  for (const ns of namespaces) {
    const section = namespaceBlocks(ns, input);
    if (section.length > 0)
      blocks.push({ type: "header", text: { type: "plain_text", text: cut(ns, 150) } }, ...section);
  }
  // A scheduled digest is titled in its schedule's zone; one without (`digest now`) in each reader's own.
  const title = `Release digest — ${input.timeZone ? zonedMinute(input.now, input.timeZone) : dateToken(input.now)}`;
  if (blocks.length === 0) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: "Nothing to report: no release jobs running and no approvals waiting." },
    });
  }
  return toMessages(title, blocks);
}

function namespaceBlocks(scope: string, input: DigestInput): KnownBlock[] {
  const { cluster, namespace } = splitScope(scope);
  const rules = policyFor(input.policy, namespace, cluster);
  const now = input.now.getTime();
  const jobs = input.jobs.filter((j) => jobScope(j.job) === scope);
  const active = jobs.filter((j) => !TERMINAL_STATES.includes(j.job.state));
  const forgottenMs = rules.forgottenAfterDays * 86_400_000;
  const forgotten = active.filter((j) => now - lastChange(j.job) > forgottenMs);
  const since = input.lastDigestAt?.getTime() ?? now - 86_400_000;
  const finished = jobs.filter(
    (j) => TERMINAL_STATES.includes(j.job.state) && (j.changedAt ?? lastChange(j.job)) > since,
  );
  const waiting = input.approvals
    .filter((a) => requestScope(a, input) === scope && a.state === "pending")
    .sort((a, b) => byText(a.requestedAt, b.requestedAt));

  const out: KnownBlock[] = [];
  if (active.length > 0)
    out.push(
      ...sectionsOf(
        `*Active jobs (${active.length})*`,
        active.map((j) => activeLine(j, input)),
      ),
    );
  if (waiting.length > 0)
    out.push(
      ...sectionsOf(
        `*Waiting for approval (${waiting.length})*`,
        waiting.map(
          (a) =>
            `• *${a.jobName}* — ${a.operation}: ${a.summary} — asked by ${requesterText(a.requestedBy)}, waiting ${age(now - Date.parse(a.requestedAt))}`,
        ),
      ),
    );
  if (forgotten.length > 0)
    out.push(
      ...sectionsOf(
        `*No change for more than ${rules.forgottenAfterDays} days (${forgotten.length})* — finish or take them offline`,
        forgotten.map(
          (j) =>
            `• *${j.job.name}* — last change ${age(now - lastChange(j.job))} ago${lastEvent(j.job)}, ${splitText(j.job, j.job.traffic)}`,
        ),
      ),
    );
  if (finished.length > 0)
    out.push(
      ...sectionsOf(
        `*Finished since the last digest (${finished.length})*`,
        finished.map(
          (j) =>
            `• *${j.job.name}* — ${stateWords(j.job.state)}${keptText(j.job)}, ${age(now - lastChange(j.job))} ago`,
        ),
      ),
    );
  return out;
}

function activeLine(j: DigestJob, input: DigestInput): string {
  const { job } = j;
  if (j.unreachable) {
    return `• *${job.name}* (${job.strategy}, ${stateWords(job.state)}) — :warning: cluster unreachable: ${cluster(job)} did not answer, so its routes, pods and health are unknown; last applied ${splitText(job, job.traffic)} · age ${age(input.now.getTime() - Date.parse(job.createdAt))}`;
  }
  const configured = j.configured ?? job.traffic;
  const parts = [
    `• *${job.name}* (${job.strategy}, ${stateWords(job.state)}) — configured ${splitText(job, configured)}${j.configured ? "" : " (as last applied)"}`,
    `observed ${observedText(j)}`,
    ...(j.newVersionPods
      ? [`${job.newVersion.version} pods ${j.newVersionPods.ready}/${j.newVersionPods.desired} ready`]
      : []),
    healthText(j, input),
    `age ${age(input.now.getTime() - Date.parse(job.createdAt))}`,
  ];
  return parts.join(" · ");
}

function splitText(job: ReleaseJob, policy: TrafficPolicy): string {
  const view = splitView(job, policy);
  const served = Object.entries(view.served)
    .map(([v, p]) => `${v} ${p}%`)
    .join(" / ");
  if (view.mirror) return `${served}, ${view.mirror.percent}% mirrored to ${view.mirror.to}`;
  if (view.match) return `${served}, matching requests to ${view.match.to}`;
  return served;
}

function observedText(j: DigestJob): string {
  const health = j.health;
  if (!health) return "not measured";
  if (health.status === "unavailable") return "unknown";
  return Object.entries(health.versions)
    .map(([v, s]) => `${v} ${formatShare(s.share)}`)
    .join(" / ");
}

function healthText(j: DigestJob, input: DigestInput): string {
  const health = j.health;
  if (!health) return "health not measured";
  if (health.status === "unavailable") return `health unknown (${escapeText(health.reason)})`;
  if (j.verdicts && j.verdicts.length > 0) return verdictsText(j.verdicts);
  const rules = policyFor(input.policy, j.job.namespace, j.job.cluster);
  const breaches = findBreaches(health, thresholdsFor(rules), j.job.traffic.kind);
  if (breaches.length === 0) return ":large_green_circle: healthy";
  return `:red_circle: ${breaches.map((b) => b.text).join(" ")}`;
}

function cluster(job: ReleaseJob): string {
  return job.cluster ? `cluster ${job.cluster}` : "the cluster";
}

function verdictsText(verdicts: Verdict[]): string {
  const failing = verdicts.filter((v) => v.kind === "fail");
  if (failing.length > 0) return `:red_circle: ${failing.map((v) => v.text).join(" ")}`;
  const open = verdicts[0];
  if (open?.kind === "inconclusive") return `:hourglass_flowing_sand: ${open.text}`;
  return ":large_green_circle: healthy (analysis passes)";
}

/** What the last change was, in the words Home and history use for the same event. */
function lastEvent(job: ReleaseJob): string {
  const last = job.history.at(-1);
  return last ? ` (${eventWords(last.kind)})` : "";
}

function keptText(job: ReleaseJob): string {
  return job.takenOverBy ? ` keeping ${job.takenOverBy}` : "";
}

/** The last thing that happened to the job: its latest history event, or its creation. */
export function lastChange(job: Pick<ReleaseJob, "history" | "createdAt">): number {
  let latest = Date.parse(job.createdAt);
  for (const event of job.history) latest = Math.max(latest, Date.parse(event.at));
  return latest;
}

/** "3 d 4 h", "2 h 5 min", "12 min", "less than a minute". */
export function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "less than a minute";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack formats the time in each reader's own zone; the fallback is for clients that cannot. */
function dateToken(at: Date): string {
  const fallback = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

/** `2026-01-05 09:00 Europe/Berlin`: the time as the schedule's zone reads it, named. */
export function zonedMinute(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}
