import { ReleaseError } from "./errors.ts";
import type { JobEvent, JobState, ReleaseJob, TrafficPolicy, Version } from "./job.ts";
import { jobVersions, POLICY_KINDS } from "./job.ts";

/** What can happen to a job: user operations and the cluster layer's reports. */
export type JobOperation =
  /** The new version's deployment was approved (or needed no approval): it is being deployed. */
  | { kind: "deployApproved" }
  /** The new version was never deployed: its approval was rejected, expired or refused. */
  | { kind: "close"; reason: string }
  | { kind: "deployed" }
  | { kind: "routed" }
  | { kind: "shift"; traffic: TrafficPolicy }
  | { kind: "takeOver"; version: Version }
  | { kind: "rollback" }
  | { kind: "takeOffline"; keep: Version }
  | { kind: "fail"; reason: string; retryable: boolean }
  | { kind: "abandon" }
  | { kind: "retry" };

export type JobTransitionEvent = JobOperation & { at: string; actor: string; detail?: string };

export type Verdict = { ok: true } | { ok: false; reason: string };

const LIVE: JobState[] = ["deploying", "ready", "active", "taken-over", "rolled-back"];
const ROUTABLE: JobState[] = ["ready", "active", "taken-over", "rolled-back"];

/**
 * The state machine, one row per operation: from-state → to-state. `previous` returns to the state the
 * job failed in. Anything missing from a row is not allowed.
 */
export const TRANSITIONS: Record<JobOperation["kind"], Partial<Record<JobState, JobState | "previous">>> = {
  deployApproved: { "awaiting-approval": "deploying" },
  // From deploying only when the approved deployment was refused before it wrote anything (a stale plan).
  close: { "awaiting-approval": "not-deployed", deploying: "not-deployed" },
  deployed: { deploying: "ready" },
  routed: { ready: "active" },
  shift: fromEach(ROUTABLE, "active"),
  takeOver: fromEach(ROUTABLE, "taken-over"),
  rollback: fromEach(["ready", "active", "taken-over"], "rolled-back"),
  // As in KubeSphere: a version takes over all traffic first, then the job goes offline.
  takeOffline: { "taken-over": "offline", "rolled-back": "offline" },
  fail: fromEach(LIVE, "failed"),
  abandon: { failed: "abandoned" },
  retry: { failed: "previous" },
};

export const TERMINAL_STATES: JobState[] = ["offline", "abandoned", "not-deployed"];

function fromEach(states: JobState[], to: JobState): Partial<Record<JobState, JobState>> {
  return Object.fromEntries(states.map((state) => [state, to]));
}

const OPERATION_WORDS: Record<JobOperation["kind"], string> = {
  deployApproved: "deploying its approved new version",
  close: "closing it before deployment",
  deployed: "marking it deployed",
  routed: "setting its first routes",
  shift: "changing its traffic",
  takeOver: "taking a version over",
  rollback: "rolling back",
  takeOffline: "taking it offline",
  fail: "marking it failed",
  abandon: "abandoning it",
  retry: "retrying it",
};

/** Whether `op` may happen to `job` now, and if not, why in the user's words. */
export function canDo(job: ReleaseJob, op: JobOperation): Verdict {
  const { name, state } = job;
  if (state === "offline") return no(`Job ${name} is offline: nothing can change it any more.`);
  if (state === "abandoned") return no(`Job ${name} was abandoned: nothing can change it any more.`);
  if (state === "not-deployed")
    return no(`Job ${name} was closed before its new version was deployed: nothing can change it any more.`);
  const versions = jobVersions(job);
  const row = TRANSITIONS[op.kind];
  if (row[state] === undefined) return no(refusal(job, op));

  switch (op.kind) {
    case "shift":
      return checkShift(job, op.traffic);
    case "takeOver":
      return versions.includes(op.version)
        ? yes()
        : no(`${op.version} is not a version of job ${name}; choose ${versions.join(" or ")}.`);
    case "takeOffline": {
      const serving = state === "taken-over" ? job.takenOverBy : job.stableVersion;
      return op.keep === serving
        ? yes()
        : no(
            `Job ${name} has ${serving} serving all traffic: keep ${serving}, or take ${op.keep} over first.`,
          );
    }
    case "retry":
      return job.failure?.retryable
        ? yes()
        : no(`Job ${name} failed in a way retrying will not fix: abandon it and start a new job.`);
    default:
      return yes();
  }
}

function refusal(job: ReleaseJob, op: JobOperation): string {
  const { name, state } = job;
  if (state === "failed")
    return `Job ${name} failed (${job.failure?.reason ?? "unknown reason"}): retry or abandon it first.`;
  if (op.kind === "takeOffline") {
    return `Take a version over before taking the job offline: job ${name} still sends traffic to ${jobVersions(job).join(" and ")}.`;
  }
  if (state === "awaiting-approval")
    return `Job ${name} is waiting for approval to deploy ${job.newVersion.version}: nothing is in the cluster yet.`;
  if (state === "deploying")
    return `Job ${name} is still deploying ${job.newVersion.version}: wait until it is ready.`;
  if (op.kind === "abandon") return `Only a failed job can be abandoned; job ${name} is ${state}.`;
  return `Job ${name} is ${state}: ${OPERATION_WORDS[op.kind]} is not possible now.`;
}

function checkShift(job: ReleaseJob, traffic: TrafficPolicy): Verdict {
  const allowed = POLICY_KINDS[job.strategy];
  if (!allowed.includes(traffic.kind)) {
    if (job.strategy === "blue-green")
      return no(`Blue-green job ${job.name} moves traffic with Take Over, not with ${traffic.kind}.`);
    return no(`A ${job.strategy} job cannot use a ${traffic.kind} traffic policy.`);
  }
  const versions = jobVersions(job);
  const named = policyVersions(traffic).filter((version) => !versions.includes(version));
  if (named.length > 0)
    return no(`${named.join(", ")} is not a version of job ${job.name}; use ${versions.join(" or ")}.`);
  return yes();
}

function policyVersions(traffic: TrafficPolicy): Version[] {
  switch (traffic.kind) {
    case "weights":
      return Object.keys(traffic.weights);
    case "match":
    case "mirror":
      return [traffic.to];
    case "serve":
      return [traffic.version];
  }
}

/** Applies `event` to `job`, returning a new job; throws a `not-allowed` ReleaseError when canDo says no. */
export function transition(job: ReleaseJob, event: JobTransitionEvent): ReleaseJob {
  const verdict = canDo(job, event);
  if (!verdict.ok) throw new ReleaseError("not-allowed", verdict.reason);
  const target = TRANSITIONS[event.kind][job.state];
  const history = [
    ...job.history,
    { at: event.at, actor: event.actor, kind: event.kind, ...describe(event) },
  ];
  const next: ReleaseJob = { ...job, history };
  if (target === "previous") {
    next.state = job.failure?.from ?? job.state;
    delete next.failure;
    return next;
  }
  next.state = target ?? job.state;
  switch (event.kind) {
    case "shift":
      next.traffic = event.traffic;
      delete next.takenOverBy;
      break;
    case "takeOver":
      next.traffic = { kind: "serve", version: event.version };
      next.takenOverBy = event.version;
      break;
    case "rollback":
      next.traffic = { kind: "serve", version: job.stableVersion };
      delete next.takenOverBy;
      break;
    case "takeOffline":
      next.traffic = { kind: "serve", version: event.keep };
      break;
    case "fail":
      next.failure = { reason: event.reason, retryable: event.retryable, at: event.at, from: job.state };
      break;
    default:
      break;
  }
  if (MOVES_TRAFFIC.has(event.kind)) {
    const last = history.length - 1;
    history[last] = { ...(history[last] as JobEvent), traffic: next.traffic };
  }
  return next;
}

const MOVES_TRAFFIC = new Set<JobOperation["kind"]>([
  "routed",
  "shift",
  "takeOver",
  "rollback",
  "takeOffline",
]);

function describe(event: JobTransitionEvent): { detail?: string } {
  if (event.detail !== undefined) return { detail: event.detail };
  switch (event.kind) {
    case "takeOver":
      return { detail: `${event.version} takes over all traffic` };
    case "takeOffline":
      return { detail: `keeps ${event.keep}` };
    case "fail":
    case "close":
      return { detail: event.reason };
    default:
      return {};
  }
}

function yes(): Verdict {
  return { ok: true };
}

function no(reason: string): Verdict {
  return { ok: false, reason };
}
