import { stateWords } from "../../views/event-words.ts";
import type { NamespacePolicy } from "../approvals/index.ts";
import { type ReleaseJob, TERMINAL_STATES } from "../release/index.ts";
import { ScheduleError } from "./cron.ts";

/** A canary's step schedule, kept in the store's `steps` collection under the job id. */
export interface StepSchedule {
  id: string;
  jobId: string;
  /** The new version's share at each step, increasing: 10, 25, 50, 100. */
  percents: number[];
  everyMinutes: number;
  /** Index of the first step not reached yet. */
  next: number;
  /** When the next step (or the repeat of an unanswered request) is due, ISO. */
  dueAt: string;
  /** The percent an approval request was raised for and not yet applied. */
  awaiting?: number;
  /** Why the schedule stopped advancing; cleared by resume. */
  paused?: string;
  setBy: string;
  /** The setter's Slack workspace: each tick acts with their rights, asked again every time. */
  setByTeam?: string;
  /**
   * The schedule is approved as a whole (every step, the interval, the health gate) before any step is taken;
   * `hash` is what was asked for (see scheduleHash). Without it (a schedule from before approvals) it waits.
   */
  approval?: { state: "pending" | "approved"; hash: string; requestId?: string; by?: string; at?: string };
}

export type StepHealth =
  | { status: "ok" }
  | { status: "breach"; reasons: string[] }
  /** `wait`: the analysis is inconclusive (settling, too few requests) and will say more after later checks. */
  | { status: "unknown"; reason: string; wait?: boolean };

export type StepAction =
  | { kind: "wait"; until: Date }
  /** The job already serves at least the next step's share (applied after approval, or by hand). */
  | { kind: "advanced"; percent: number }
  | { kind: "request"; percent: number }
  | { kind: "apply"; percent: number }
  | { kind: "pause"; reason: string }
  | { kind: "done" }
  | { kind: "idle"; reason: string };

/** How soon a step waiting on an inconclusive analysis looks again. */
export const STEP_RECHECK_MS = 30_000;

export const STEPS_EXAMPLE = "/release steps reviews-canary 10,25,50,100 every 30m";

export interface ParsedSteps {
  job: string;
  percents: number[];
  everyMinutes: number;
}

/** Parses `<job> 10,25,50,100 every 30m` (also `every 1h`, `every 90 min`). */
export function parseSteps(args: string): ParsedSteps {
  const bad = (why: string) =>
    new ScheduleError(
      "bad-steps",
      `${why}. Write the job, the percentages and the interval, for example \`${STEPS_EXAMPLE}\`.`,
    );
  const match = /^\s*(\S+)\s+([\d,\s%]+?)\s+every\s+(.+?)\s*$/i.exec(args);
  if (!match) throw bad("That is not a step schedule");
  const [, job = "", list = "", every = ""] = match;
  const items = list.split(",").map((p) => p.trim().replace(/%$/, ""));
  if (items.some((p) => !/^\d+$/.test(p))) throw bad(`"${list.trim()}" is not a list of whole percentages`);
  const percents = items.map(Number);
  if (percents.length > 20) throw bad("At most 20 steps are allowed");
  for (const [i, p] of percents.entries()) {
    if (p < 1 || p > 100) throw bad(`${p} % is not between 1 and 100`);
    const before = percents[i - 1];
    if (before !== undefined && p <= before) throw bad(`Steps must increase, but ${p} % follows ${before} %`);
  }
  const everyMinutes = parseInterval(every);
  if (everyMinutes === undefined) throw bad(`"${every}" is not an interval such as 30m, 1h or 90 min`);
  if (everyMinutes < 1 || everyMinutes > 7 * 24 * 60)
    throw bad("The interval must be between 1 minute and 7 days");
  return { job, percents, everyMinutes };
}

function parseInterval(text: string): number | undefined {
  const m = /^(?:(\d+)\s*h(?:ours?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?$/i.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** The new version's share of served traffic the job is configured with (0 for non-weight policies). */
export function currentPercent(job: Pick<ReleaseJob, "traffic" | "newVersion">): number {
  return job.traffic.kind === "weights" ? (job.traffic.weights[job.newVersion.version] ?? 0) : 0;
}

/**
 * What a step schedule should do now. Pure: the runner claims the decision in the store, then acts on it.
 * A health breach pauses the schedule whatever the policy; a step is applied without approval only when the
 * namespace allows automatic steps and health is known to be within thresholds.
 */
export function nextAction(
  schedule: StepSchedule,
  job: ReleaseJob | undefined,
  health: StepHealth,
  policy: Pick<NamespacePolicy, "autoSteps">,
  now: Date,
): StepAction {
  if (schedule.paused) return { kind: "idle", reason: `paused: ${schedule.paused}` };
  if (!job || TERMINAL_STATES.includes(job.state)) return { kind: "done" };
  if (schedule.approval?.state !== "approved")
    return { kind: "idle", reason: "the step schedule waits for its approval" };
  const percent = schedule.percents[schedule.next];
  if (percent === undefined) return { kind: "done" };
  if (currentPercent(job) >= percent) return { kind: "advanced", percent };
  if (job.state !== "ready" && job.state !== "active")
    return {
      kind: "idle",
      reason: `the job is ${stateWords(job.state)}; steps go on once it is active again`,
    };
  const due = new Date(schedule.dueAt);
  if (now < due) return { kind: "wait", until: due };
  if (health.status === "breach") return { kind: "pause", reason: health.reasons.join(" ") };
  if (policy.autoSteps && health.status === "ok") return { kind: "apply", percent };
  // An automatic step advances only on a passing analysis: while it is inconclusive, the step waits for it.
  if (policy.autoSteps && health.status === "unknown" && health.wait)
    return { kind: "wait", until: new Date(now.getTime() + STEP_RECHECK_MS) };
  return { kind: "request", percent };
}

/** The schedule after an action was carried out at `now`; undefined when it should be removed. */
export function afterAction(schedule: StepSchedule, action: StepAction, now: Date): StepSchedule | undefined {
  const later = new Date(now.getTime() + schedule.everyMinutes * 60_000).toISOString();
  switch (action.kind) {
    case "advanced":
    case "apply": {
      const { awaiting: _done, ...rest } = schedule;
      const next = schedule.next + 1;
      return next >= schedule.percents.length ? undefined : { ...rest, next, dueAt: later };
    }
    case "request":
      return { ...schedule, awaiting: action.percent, dueAt: later };
    case "pause":
      return { ...schedule, paused: action.reason };
    case "done":
      return undefined;
    case "wait":
    case "idle":
      return schedule;
  }
}
