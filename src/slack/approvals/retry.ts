import { stateWords } from "../../../views/event-words.ts";
import type { Actor, ApprovalRequest } from "../../approvals/index.ts";
import type { JobChange } from "../../desk/index.ts";
import { byText, jobScope, ReleaseError, type ReleaseJob, UserFacingError } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";

export type RetryOutcome =
  /** The new version is being deployed again: no traffic moves. */
  | { kind: "redeploying"; job: ReleaseJob }
  /** The approved plan went on, within its approval's expiry, on a cluster still as planned. */
  | { kind: "resumed"; job: ReleaseJob; request: ApprovalRequest }
  /** The cluster changed or the approval is too old: the same change is asked for again. */
  | { kind: "requested"; job: ReleaseJob; request: ApprovalRequest; why: string }
  /** Nothing to resume and no change known: the job is back where it was. */
  | { kind: "restored"; job: ReleaseJob };

type RetryDeps = Pick<SlackDeps, "desk" | "approvals" | "authorizer" | "store" | "clock" | "audit">;

/**
 * Retry goes through the gate. It needs the right the change needed (request); a failed change is resumed
 * only as the plan that was approved, within that approval's expiry and while the cluster is as planned;
 * otherwise it becomes a new approval request for the same change.
 */
export async function retryJob(deps: RetryDeps, jobId: string, actor: Actor): Promise<RetryOutcome> {
  const job = deps.desk.job(jobId);
  if (!job)
    throw new UserFacingError("unknown-job", "That release job does not exist (any more). Nothing changed.");
  await deps.authorizer.require(actor, "job.retry", jobScope(job));
  if (job.failure?.from === "deploying") {
    return { kind: "redeploying", job: await deps.desk.retry(jobId, actor.user) };
  }
  const gate = deps.approvals.gate;
  const failed = gate
    .all()
    .filter((r) => r.jobId === jobId && r.state === "failed")
    .sort((a, b) => byText(a.requestedAt, b.requestedAt))
    .at(-1);
  const change = failed
    ? (deps.store.data().approvals[failed.id]?.change as JobChange | undefined)
    : undefined;
  const inTime = failed !== undefined && deps.clock().getTime() < Date.parse(failed.expiresAt);
  let why = failed ? "its approval has expired" : "no approved plan is waiting to be resumed";
  if (failed && inTime) {
    try {
      const after = await deps.desk.retry(jobId, actor.user, { resumePlan: failed.planId });
      const closed = await gate.finish(failed.id, "applied", `applied on retry by <@${actor.user}>`);
      return { kind: "resumed", job: after, request: closed ?? failed };
    } catch (error) {
      if (!(error instanceof ReleaseError && error.code === "stale-plan")) throw error;
      why = "the cluster changed since the plan was approved";
    }
  } else {
    await deps.desk.retry(jobId, actor.user);
  }
  const restored = deps.desk.job(jobId) ?? job;
  if (!change) return { kind: "restored", job: restored };
  const request = await deps.approvals.requestChange({ jobId, change, actor, action: "job.retry" });
  return { kind: "requested", job: restored, request, why };
}

/** What a retry came to, for the job's thread: in words, never the outcome's kind. */
export function retryNote(outcome: RetryOutcome): string {
  switch (outcome.kind) {
    case "redeploying":
      return "its new version is being deployed again; no traffic moves";
    case "resumed":
      return `the approved plan (*${outcome.request.operation}*) went on`;
    case "requested":
      return `${outcome.why}, so *${outcome.request.operation}* was asked for approval again`;
    case "restored":
      return `the job is ${stateWords(outcome.job.state)} again`;
  }
}

/** What the person who retried hears. */
export function retryWords(outcome: RetryOutcome): string {
  const name = outcome.job.name;
  switch (outcome.kind) {
    case "redeploying":
      return `Job *${name}*: its new version is being deployed again; no traffic moves.`;
    case "resumed":
      return `Job *${name}*: the approved plan (*${outcome.request.operation}*) went on, the cluster still as planned. The job is ${stateWords(outcome.job.state)}.`;
    case "requested":
      return `Job *${name}* is ${stateWords(outcome.job.state)} again; ${outcome.why}, so *${outcome.request.operation}* was asked for approval again.`;
    case "restored":
      return `Job *${name}* is ${stateWords(outcome.job.state)} again; ask for the change again if it is still wanted.`;
  }
}
