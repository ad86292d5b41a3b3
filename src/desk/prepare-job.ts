import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import {
  checkPreconditions,
  deploymentRef,
  hasOriginals,
  joinParts,
  type KubeObject,
  type MemoReads,
  type PlanPart,
  runSteps,
  type TrafficRouter,
  versionDeployments,
  WrittenObjects,
} from "../cluster/index.ts";
import type { ReleaseJob, TrafficPolicy } from "../release/index.ts";
import {
  deriveNewVersionDeployment,
  makePlan,
  newVersionDeploymentName,
  planHash,
  ReleaseError,
} from "../release/index.ts";
import type { ComputedPlan } from "./compute-plan.ts";
import { applyDeps, type DeskContext } from "./context.ts";

/**
 * The plan that brings a job's new version up without traffic. With a mesh the new pods join the
 * Service as soon as they are ready, so the routes must already hold every request on the stable
 * version (subsets for both versions, the job's route 100 % stable and 0 % new) before the Deployment
 * exists. That moves no traffic anyone gets today, so it runs without approval; it is journaled like
 * any plan, so a crash between the routes and the Deployment is finished by recover().
 */
export async function computePreparePlan(
  ctx: DeskContext,
  router: TrafficRouter,
  job: ReleaseJob,
  deployment?: KubeObject,
): Promise<ComputedPlan> {
  const hold: TrafficPolicy = { kind: "serve", version: job.stableVersion };
  const parts: PlanPart[] = [];
  // Without a mesh the new version starts at 0 replicas instead: there are no routes to hold.
  if (job.router !== "replicas") {
    parts.push(await router.reconcile(job), await router.setRoutes(job, hold), {
      steps: [],
      preconditions: [],
      notes: [holdingNote(job)],
    });
  }
  const routes = joinParts(...parts);
  const next = deployment ?? (await newVersionDeployment(ctx, job));
  const create = next ? createDeployment(job, next) : joinParts();
  const part = joinParts(routes, create);
  const planned = makePlan({
    id: ctx.newId("plan"),
    jobId: job.id,
    operation: "prepare",
    steps: routes.steps,
    preconditions: part.preconditions,
    summary: `${job.service.name}: ${job.newVersion.version} deployed beside ${job.stableVersion} with no traffic; ${job.stableVersion} keeps all traffic`,
    notes: part.notes,
  });
  // The safe order for moving traffic creates a Deployment first; holding it back needs the routes first.
  const steps = [...planned.steps, ...create.steps];
  const plan = { ...planned, steps, hash: planHash({ steps, preconditions: planned.preconditions }) };
  return { plan, part: hasOriginals(job) ? { ...part, originals: [] } : part };
}

/**
 * Runs a prepare plan from the start: preconditions, then routes, then the Deployment. `planned`: the job and the
 * reads its plan was computed from; the job's card drawn next reads them, with what the writes answered laid over,
 * instead of reading the cluster again. `undone`: the caller undoes a failed preparation (undoPrepare), so the
 * objects it creates are not read first: a create refused because the object exists fails as AlreadyExists.
 */
export async function runPreparePlan(
  ctx: DeskContext,
  plan: ComputedPlan["plan"],
  planned?: { job: ReleaseJob; reads: MemoReads },
  options: { undone?: boolean } = {},
): Promise<void> {
  const written = new WrittenObjects();
  const versions = await checkPreconditions(ctx.kube, plan, { createsProveAbsence: options.undone === true });
  await runSteps({ ...applyDeps(ctx), written }, plan, versions);
  if (planned) ctx.recent.keep(planned.job, written.over(planned.reads, ctx.shared));
}

export function holdingNote(job: ReleaseJob): string {
  return `All traffic stays on ${job.stableVersion}: the routes are set before ${job.newVersion.version} exists, so its pods get no requests until an approved change. This moves no traffic, so it needs no approval.`;
}

/** The new version's Deployment derived from the stable one, unless it exists already. */
export async function newVersionDeployment(
  ctx: DeskContext,
  job: ReleaseJob,
): Promise<KubeObject | undefined> {
  const deployments = await versionDeployments(ctx.reads, job.namespace, job.service.name);
  if (deployments.has(job.newVersion.version)) return undefined;
  const name = newVersionDeploymentName(job.service.name, job.newVersion.version);
  if (await ctx.reads.get(deploymentRef(job.namespace, name))) return undefined;
  const stable = deployments.get(job.stableVersion);
  if (!stable)
    throw new ReleaseError(
      "not-found",
      `The stable version ${job.stableVersion} of ${job.service.name} is gone.`,
    );
  return deploymentFor(job, stable);
}

/** The new version's Deployment: the stable one with the job's settings, and no pods without a mesh. */
export function deploymentFor(job: ReleaseJob, stable: KubeObject): KubeObject {
  const deployment = deriveNewVersionDeployment(stable as unknown as IDeployment, job.newVersion.settings, {
    service: job.service.name,
    version: job.newVersion.version,
    job: job.name,
  });
  // Without a mesh every ready pod takes connections: the new version starts with none, and shifts scale it.
  if (job.router === "replicas" && deployment.spec) deployment.spec.replicas = 0;
  deployment.metadata = { ...deployment.metadata, namespace: job.namespace };
  return deployment as unknown as KubeObject;
}

function createDeployment(job: ReleaseJob, deployment: KubeObject): PlanPart {
  const ref = deploymentRef(job.namespace, deployment.metadata.name);
  return {
    steps: [{ action: "create", object: ref, after: deployment }],
    preconditions: [{ ref }],
    notes: [],
  };
}
