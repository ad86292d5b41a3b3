import type { JobState } from "../src/release/index.ts";

/**
 * Audit and job event kinds in people's words: the one mapping Home, history and digests share, so no surface
 * shows a raw kind (`plan.applied`, `takeOver`, `routes-held`).
 */
const WORDS: Record<string, string> = {
  requested: "asked for approval",
  applying: "started applying an approved change",
  aborted: "aborted the release",
  retried: "retried the job",
  created: "created the job",
  deployed: "deployed the new version",
  fail: "the job failed",
  adopted: "took over a console job",
  "policy.rollback": "rolled back automatically after failing checks",
  configured: "set the channel's namespace",
  "digest.posted": "posted a digest",
  "digest.set": "scheduled digests",
  "digest.removed": "stopped scheduled digests",
  "steps.set": "set a step schedule",
  "steps.pause": "paused the step schedule",
  "steps.resume": "resumed the step schedule",
  "steps.cancel": "cancelled the step schedule",
  approved: "approved",
  rejected: "rejected",
  applied: "applied",
  expired: "let a request expire",
  stale: "found the cluster changed since the plan",
  failed: "failed",
  refused: "was refused",
  recorded: "approved (more approvals needed)",
  "schedule-approved": "approved the traffic schedule",
  "job.created": "created the job",
  "job.create-failed": "could not create the job",
  "job.deployed": "deployed the new version",
  "job.failed": "the job failed",
  "job.retried": "retried the job",
  "job.abandoned": "abandoned the job",
  "job.proposed": "asked to deploy a new version",
  "job.not-deployed": "closed a job whose new version was never deployed",
  "plan.recovery-refused": "did not finish a change after a restart: a right it needs is gone",
  "promise.refused": "did not open a promised request: a right it needs is gone",
  "steps.refused": "paused a step schedule: a right it needs is gone",
  proposed: "asked to deploy a new version",
  deployApproved: "deployed the approved new version",
  close: "closed the job before deploying",
  "recovery-refused": "did not finish a change after a restart",
  "job.adopted": "took over a console job",
  "plan.created": "planned a change",
  "plan.applied": "applied a change",
  "plan.refused": "a change was refused",
  "plan.recovered": "finished a change interrupted by a restart",
  "plan.tampered": "found a stored plan altered and refused it",
  "routes-held": "held the routes on the stable version",
  shift: "shifted traffic",
  takeOver: "let the new version take over",
  takeOffline: "took the job offline",
  rollback: "rolled back",
  abandon: "abandoned the job",
  retry: "retried",
  prepare: "prepared the routes",
  revert: "reverted the routes",
};

/** A job's state as people say it (the card's header, digests): no `taken-over` or `rolled-back`. */
const STATE_WORDS: Record<JobState, string> = {
  "awaiting-approval": "waiting for approval to deploy",
  deploying: "deploying",
  ready: "ready",
  active: "active",
  "taken-over": "taken over",
  offline: "offline",
  failed: "failed",
  "rolled-back": "rolled back",
  abandoned: "abandoned",
  "not-deployed": "closed, never deployed",
};

export function stateWords(state: JobState): string {
  return STATE_WORDS[state];
}

export function eventWords(kind: string): string {
  return (
    WORDS[kind] ??
    kind
      .replace(/^[a-z]+\./, "")
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .replace(/[-_.]/g, " ")
      .toLowerCase()
  );
}
