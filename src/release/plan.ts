import { createHash } from "node:crypto";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export type StepAction = "create" | "patch" | "delete" | "wait-ready" | "scale";

export interface PlanStep {
  action: StepAction;
  object: ObjectRef;
  before?: object;
  after?: object;
  /** Custom resources take merge, JSON or apply patches only (never strategic merge). */
  patch?: { type: "merge" | "json" | "apply"; body: unknown };
}

export interface Precondition {
  ref: ObjectRef;
  /** The resourceVersion the plan was computed from; absent means "must not exist yet". */
  resourceVersion?: string;
}

export interface Plan {
  id: string;
  jobId: string;
  operation: string;
  steps: PlanStep[];
  preconditions: Precondition[];
  summary: string;
  notes: string[];
  hash: string;
}

/** JSON with object keys sorted at every depth, so equal data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What approvers approve: the steps and the cluster state they assume. Summary and notes are prose. */
export function planHash(plan: Pick<Plan, "steps" | "preconditions">): string {
  const text = canonicalJson({ steps: plan.steps, preconditions: plan.preconditions });
  return createHash("sha256").update(text).digest("hex");
}

export function makePlan(input: {
  id: string;
  jobId: string;
  operation: string;
  steps: PlanStep[];
  preconditions?: Precondition[];
  summary: string;
  notes?: string[];
}): Plan {
  const plan = {
    id: input.id,
    jobId: input.jobId,
    operation: input.operation,
    steps: orderSteps(input.steps),
    preconditions: input.preconditions ?? [],
    summary: input.summary,
    notes: input.notes ?? [],
  };
  return { ...plan, hash: planHash(plan) };
}

export function refOf(object: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace ?? "",
    name: object.metadata.name,
  };
}

const ROUTING_KINDS = ["VirtualService", "Strategy", "Service", "HTTPRoute"];
const SUBSET_KINDS = ["DestinationRule", "ServicePolicy"];

/**
 * Safe order: no traffic moves to a version before its Deployment is ready (create Deployment →
 * wait-ready → subsets → routes), and traffic leaves a version before it goes away (routes → subsets
 * → scale down → delete Deployment; a KubeSphere Strategy is deleted last). Steps of the same rank keep their
 * given order.
 */
export function orderSteps(steps: PlanStep[]): PlanStep[] {
  return steps
    .map((step, index) => ({ step, index, rank: rank(step) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ step }) => step);
}

function rank(step: PlanStep): number {
  const { kind } = step.object;
  if (step.action === "wait-ready") return 2;
  if (kind === "Deployment") {
    if (step.action === "create") return 1;
    if (step.action === "delete") return 8;
    return replicasOf(step.after) >= replicasOf(step.before) ? 1 : 7;
  }
  if (SUBSET_KINDS.includes(kind)) {
    if (step.action === "delete") return 6;
    return removesSubsets(step) ? 6 : 3;
  }
  // Deleting a KubeSphere Strategy hands the routes back to KubeSphere's default, the first subset of the
  // DestinationRule it keeps from the Deployments: so only once the removed version's Deployment is gone.
  if (kind === "Strategy" && step.action === "delete") return 9;
  if (ROUTING_KINDS.includes(kind)) return step.action === "delete" ? 5 : 4;
  return 4;
}

function replicasOf(object: object | undefined): number {
  const replicas = (object as { spec?: { replicas?: number } } | undefined)?.spec?.replicas;
  return typeof replicas === "number" ? replicas : 0;
}

function subsetNames(object: object | undefined): string[] {
  const subsets = (object as { spec?: { subsets?: { name: string }[] } } | undefined)?.spec?.subsets ?? [];
  return subsets.map((subset) => subset.name);
}

function removesSubsets(step: PlanStep): boolean {
  const after = new Set(subsetNames(step.after));
  return subsetNames(step.before).some((name) => !after.has(name));
}
