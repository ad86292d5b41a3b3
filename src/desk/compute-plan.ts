import {
  currentPolicy,
  deploymentRef,
  gaining,
  hasOriginals,
  hasRouted,
  joinParts,
  type PlanPart,
  type TrafficRouter,
  versionDeployments,
} from "../cluster/index.ts";
import type { JobOperation, Plan, ReleaseJob, TrafficPolicy, Version } from "../release/index.ts";
import { jobVersions, makePlan, splitView, summarize } from "../release/index.ts";
import { bypassWarning } from "./bypass.ts";
import type { DeskContext } from "./context.ts";
import type { PlannedChange } from "./records.ts";

/** The state machine's operation for a change the desk plans. */
export function operationOf(change: PlannedChange): JobOperation | undefined {
  switch (change.kind) {
    case "shift":
      return { kind: "shift", traffic: change.traffic };
    case "takeOver":
      return { kind: "takeOver", version: change.version };
    case "rollback":
      return { kind: "rollback" };
    case "takeOffline":
      return { kind: "takeOffline", keep: change.keep };
    case "abandon":
      return { kind: "abandon" };
    case "prepare":
    case "revert":
      return undefined;
  }
}

/** The routes a change leaves; undefined for changes that end the job. */
export function policyOf(job: ReleaseJob, change: PlannedChange): TrafficPolicy | undefined {
  switch (change.kind) {
    case "shift":
      return change.traffic;
    case "takeOver":
      return { kind: "serve", version: change.version };
    case "rollback":
    case "prepare":
      return { kind: "serve", version: job.stableVersion };
    case "revert":
      return currentPolicy(job);
    default:
      return undefined;
  }
}

export interface ComputedPlan {
  plan: Plan;
  part: PlanPart;
}

/** Reads the cluster through the job's router and turns a change into a plan. Writes nothing. */
export async function computePlan(
  ctx: DeskContext,
  router: TrafficRouter,
  job: ReleaseJob,
  change: PlannedChange,
): Promise<ComputedPlan> {
  const parts: PlanPart[] = [];
  const policy = policyOf(job, change);
  let summary: string;
  if (policy) {
    // The routing objects already address every version that serves: a change that sends no version new
    // traffic reads only the routes it changes. One that does makes sure its subsets exist first.
    const settled = hasOriginals(job) && hasRouted(job) && gaining(job, policy).length === 0;
    if (!settled || change.kind === "revert") parts.push(await router.reconcile(job));
    parts.push(await router.setRoutes(job, policy));
    summary = summarize(job, splitView(job, currentPolicy(job)), splitView(job, policy));
    if (isFirstChange(job, change))
      parts.push({ steps: [], preconditions: [], notes: [firstChangeNote(job)] });
    const bypass = await bypassWarning(ctx, job);
    if (bypass) parts.push({ steps: [], preconditions: [], notes: [bypass] });
  } else {
    const keep = change.kind === "takeOffline" ? change.keep : job.stableVersion;
    const gone = jobVersions(job).find((version) => version !== keep) as Version;
    parts.push(await router.finalize(job, keep));
    parts.push(await removeDeployment(ctx, job, gone));
    summary =
      change.kind === "takeOffline"
        ? `${job.service.name}: ${keep} keeps all traffic; ${gone} and its Deployment are removed`
        : `${job.service.name}: back to ${keep} as before the job; ${gone} and its Deployment are removed`;
  }
  const part = joinParts(...parts);
  const plan = makePlan({
    id: ctx.newId("plan"),
    jobId: job.id,
    operation: change.kind,
    steps: part.steps,
    preconditions: part.preconditions,
    summary,
    notes: part.notes,
  });
  return { plan, part: hasOriginals(job) ? { ...part, originals: [] } : part };
}

/** An approved change to a job whose routes were set at its creation and have held the stable version since. */
function isFirstChange(job: ReleaseJob, change: PlannedChange): boolean {
  return change.kind !== "prepare" && change.kind !== "revert" && hasOriginals(job) && !hasRouted(job);
}

export function firstChangeNote(job: ReleaseJob): string {
  return `This is the job's first traffic change. Until now its routes kept all traffic on ${job.stableVersion}: they were set when the job was created, before ${job.newVersion.version} existed, which needed no approval because it moved no traffic.`;
}

async function removeDeployment(ctx: DeskContext, job: ReleaseJob, version: Version): Promise<PlanPart> {
  const deployment = (await versionDeployments(ctx.reads, job.namespace, job.service.name)).get(version);
  if (!deployment) return { steps: [], preconditions: [], notes: [] };
  // No precondition: a Deployment's resourceVersion moves with every pod status, and deleting is idempotent.
  return {
    steps: [{ action: "delete", object: deploymentRef(job.namespace, deployment.metadata.name) }],
    preconditions: [],
    notes: [`Deployment ${deployment.metadata.name} (${version}) is deleted with its pods.`],
  };
}
