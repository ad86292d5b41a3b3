import type {
  ObjectRef,
  PlanStep,
  Precondition,
  ReleaseJob,
  TrafficPolicy,
  Version,
} from "../../release/index.ts";
import { splitView } from "../../release/index.ts";
import type { KubeObject } from "../kube.ts";
import { mergePatchOf } from "../merge-patch.ts";
import { deploymentRef } from "../workloads.ts";
import type { PlanPart } from "./types.ts";

export function refTo(
  object: { apiVersion: string; kind: string; metadata: { name: string } },
  namespace: string,
): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace, name: object.metadata.name };
}

function precondition(ref: ObjectRef, existing: KubeObject | undefined): Precondition {
  const rv = existing?.metadata.resourceVersion;
  return rv ? { ref, resourceVersion: rv } : { ref };
}

/**
 * Create the object, or merge-patch its spec to the desired one; nothing when it already matches.
 * The precondition pins the version read, so the write is refused if someone changed it since.
 */
export function writeStep(
  ref: ObjectRef,
  existing: KubeObject | undefined,
  desired: { spec?: unknown; [field: string]: unknown },
): PlanPart {
  if (!existing) {
    return {
      steps: [{ action: "create", object: ref, after: desired }],
      preconditions: [{ ref }],
      notes: [],
    };
  }
  const spec = mergePatchOf(existing.spec ?? {}, desired.spec ?? {});
  if (!spec) return { steps: [], preconditions: [], notes: [] };
  return {
    steps: [
      {
        action: "patch",
        object: ref,
        before: { spec: existing.spec },
        after: { spec: desired.spec },
        patch: { type: "merge", body: { spec } },
      },
    ],
    preconditions: [precondition(ref, existing)],
    notes: [],
  };
}

export function deleteStep(ref: ObjectRef, existing: KubeObject | undefined): PlanPart {
  if (!existing) return { steps: [], preconditions: [], notes: [] };
  return {
    steps: [{ action: "delete", object: ref, before: { spec: existing.spec } }],
    preconditions: [precondition(ref, existing)],
    notes: [],
  };
}

export function scaleStep(namespace: string, deployment: KubeObject, replicas: number): PlanStep | undefined {
  const current = Number(deployment.spec?.replicas ?? 1);
  if (current === replicas) return undefined;
  return {
    action: "scale",
    object: deploymentRef(namespace, deployment.metadata.name),
    before: { spec: { replicas: current } },
    after: { spec: { replicas } },
    patch: { type: "merge", body: { spec: { replicas } } },
  };
}

export function waitReadyStep(namespace: string, deployment: string): PlanStep {
  return { action: "wait-ready", object: deploymentRef(namespace, deployment) };
}

/** Versions that get requests (served, matched or mirrored) under a policy. */
export function receiving(job: ReleaseJob, policy: TrafficPolicy): Set<Version> {
  const view = splitView(job, policy);
  const versions = new Set(
    Object.entries(view.served)
      .filter(([, share]) => share > 0)
      .map(([v]) => v),
  );
  if (view.mirror) versions.add(view.mirror.to);
  if (view.match) versions.add(view.match.to);
  return versions;
}

/** The policy the cluster carries now as far as the job knows: nothing routed yet means the stable version. */
export function currentPolicy(job: ReleaseJob): TrafficPolicy {
  return hasRouted(job) ? job.traffic : { kind: "serve", version: job.stableVersion };
}

/**
 * Whether an approved change has set the job's routes. Before that (deploying, ready, or failed there)
 * the stable version serves alone, even where the routing objects already exist to keep it so.
 */
export function hasRouted(job: Pick<ReleaseJob, "state" | "failure">): boolean {
  const state = job.state === "failed" ? job.failure?.from : job.state;
  return state !== undefined && state !== "deploying" && state !== "ready";
}

/** The job recorded the routing objects as it found them (when it created its routes, or adopted them). */
export function hasOriginals(job: Pick<ReleaseJob, "originals">): boolean {
  return job.originals.length > 0;
}

/** Versions that start getting requests with this change: their Deployments must be ready first. */
export function gaining(job: ReleaseJob, policy: TrafficPolicy): Version[] {
  const before = receiving(job, currentPolicy(job));
  return [...receiving(job, policy)].filter((version) => !before.has(version));
}
