import { escapeText } from "../../../views/escape.ts";
import { ROUTER_NAMES } from "../../../views/router-names.ts";
import { type Actor, type ApprovalRequest, policyFor } from "../../approvals/index.ts";
import type { CreateJobInput } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import { type ReleaseJob, splitScope, type TrafficPolicy } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";
import { userMessageOf } from "../errors.ts";

export interface CreatedRelease {
  job: ReleaseJob;
  card?: { channel: string; ts: string };
  /** The approval request for the first traffic change, when the settings asked for one. */
  request?: ApprovalRequest;
  /** The approval request for the new version itself, where the policy asks for one (approveNewVersions). */
  newVersionRequest?: ApprovalRequest;
  /** The job exists but posting its card or asking for approval failed: what to tell the user. */
  problem?: string;
}

/**
 * What both the wizard and the one-line `/release new` do once the input is valid: create the job (the new
 * version is deployed at 0 %), post its card where the command was typed, and put the first traffic change
 * behind an approval request instead of applying it.
 */
export async function createRelease(
  deps: Pick<SlackDeps, "desk" | "cards" | "approvals" | "authorizer" | "promises" | "policy">,
  logger: Logger,
  input: CreateJobInput,
  traffic: TrafficPolicy | undefined,
  actor: Actor,
  channel: string,
  progress?: (created: CreatedRelease) => Promise<void>,
): Promise<CreatedRelease> {
  // Creating a job deploys a new version: only the namespace's requesters may.
  await deps.authorizer.require(actor, "job.create", input.namespace);
  // The first traffic change is a promise kept with the job: a restart while the version comes up still opens it.
  const promised: CreateJobInput = traffic
    ? { ...input, requestedTraffic: traffic, ...(actor.team ? { requestedByTeam: actor.team } : {}) }
    : input;
  // Where the policy says so, deploying the new version is itself a change to approve: nothing is written yet.
  const scope = splitScope(input.namespace);
  const approval = policyFor(deps.policy, scope.namespace, scope.cluster).approveNewVersions;
  const job = await deps.desk.createJob(promised, actor.user, { approval });
  // From here on the job exists: a failure is reported beside it rather than thrown as if nothing happened.
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T | { problem: string }> => {
    try {
      return await run();
    } catch (error) {
      const message = userMessageOf(error);
      if (message === undefined) logger.error({ err: error, job: job.id }, `${what} failed`);
      return { problem: message ?? `${what} failed on Graydesk's side; the details are in its log.` };
    }
  };
  const card = await step("Posting the job card", () => deps.cards.post(job, channel));
  if ("problem" in card) return { job, problem: card.problem };
  if (job.state === "awaiting-approval") {
    const asked = await step("Asking for approval", () =>
      deps.approvals.requestNewVersion({ jobId: job.id, actor, channel }),
    );
    if ("problem" in asked)
      return { job, card, problem: `The approval request was not opened: ${asked.problem}` };
    return { job, card, newVersionRequest: asked };
  }
  if (!traffic) return { job, card };
  // A plan needs the new version running: the request waits for it, the person hears about it meanwhile.
  await progress?.({ job, card });
  const ready = await deps.desk.waitDeployed(job.id);
  if (ready.state !== "ready" && ready.state !== "active") {
    const why = ready.failure?.reason ? `: ${escapeText(ready.failure.reason)}` : "";
    return {
      job: ready,
      card,
      problem: `${ready.newVersion.version} did not become ready${why}, so the traffic change was not requested.`,
    };
  }
  const request = await step("Asking for approval", () => deps.promises.keep(job.id));
  if (request !== undefined && "problem" in request)
    return { job, card, problem: `The approval request was not opened: ${request.problem}` };
  return { job, card, ...(request ? { request } : {}) };
}

/** One line for the person who created the job. */
export function describeCreated(created: CreatedRelease, traffic: TrafficPolicy | undefined): string {
  const { job } = created;
  if (job.state === "awaiting-approval" || created.newVersionRequest) {
    const base = `Release job *${escapeText(job.name)}* created: deploying ${escapeText(job.service.name)} *${escapeText(job.newVersion.version)}* beside *${escapeText(job.stableVersion)}* waits for approval; nothing is in the cluster until someone other than you approves it.`;
    if (created.problem) return `${base}\n:warning: ${created.problem}`;
    const then = traffic
      ? ` Once it is approved and ready, Graydesk asks for approval to ${trafficWords(traffic)}.`
      : " Move traffic from the job card once it is approved and ready.";
    return `${base}${then}`;
  }
  const base = `Release job *${job.name}* created: ${job.service.name} *${job.newVersion.version}* is being deployed beside *${job.stableVersion}* with no traffic yet, split by ${ROUTER_NAMES[job.router]}.`;
  if (created.problem) return `${base}\n:warning: ${created.problem}`;
  if (!traffic) return `${base} Move traffic from the job card when it is ready.`;
  if (!created.request)
    return `${base} Once it is ready, Graydesk asks for approval to ${trafficWords(traffic)}.`;
  return `${base} Asked for approval to ${trafficWords(traffic)}; traffic moves once someone approves.`;
}

function trafficWords(traffic: TrafficPolicy | undefined): string {
  switch (traffic?.kind) {
    case "weights":
      return `send ${Object.entries(traffic.weights)
        .map(([v, w]) => `${w} % to ${v}`)
        .join(", ")}`;
    case "match":
      return `send matching requests to ${traffic.to}`;
    case "mirror":
      return `mirror ${traffic.percent} % of traffic to ${traffic.to}`;
    case "serve":
      return `switch all traffic to ${traffic.version}`;
    default:
      return "move traffic";
  }
}
