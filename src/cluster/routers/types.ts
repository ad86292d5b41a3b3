import type {
  PlanStep,
  Precondition,
  RecordedOriginal,
  ReleaseJob,
  RouterKind,
  TrafficPolicy,
  Version,
} from "../../release/index.ts";
import type { Kube, KubeObject } from "../kube.ts";

/** Steps a router computed from what it read; it never writes. `apply.ts` carries them out. */
export interface PlanPart {
  steps: PlanStep[];
  preconditions: Precondition[];
  notes: string[];
  /** The routing objects as the job found them, recorded when the job first routes. */
  originals?: RecordedOriginal[];
}

export interface TrafficRouter {
  readonly kind: RouterKind;
  /** Makes the routing objects able to address both versions (subsets); run with the first change. */
  reconcile(job: ReleaseJob): Promise<PlanPart>;
  setRoutes(job: ReleaseJob, policy: TrafficPolicy): Promise<PlanPart>;
  /** What the cluster says now, read back; undefined when the job has no routes there. */
  getRoutes(job: ReleaseJob): Promise<TrafficPolicy | undefined>;
  /** Leaves `keep` serving alone and the routing objects as the job found them, apart from `keep`. */
  finalize(job: ReleaseJob, keep: Version): Promise<PlanPart>;
  /** The objects that carry the job's routes, for status. */
  objects(job: ReleaseJob): Promise<KubeObject[]>;
}

export function emptyPart(): PlanPart {
  return { steps: [], preconditions: [], notes: [] };
}

/** Concatenates parts; a precondition named twice keeps its first reading. */
export function joinParts(...parts: PlanPart[]): PlanPart {
  const joined = emptyPart();
  const seen = new Set<string>();
  for (const part of parts) {
    joined.steps.push(...part.steps);
    for (const pre of part.preconditions) {
      const key = refKey(pre.ref);
      if (seen.has(key)) continue;
      seen.add(key);
      joined.preconditions.push(pre);
    }
    for (const note of part.notes) if (!joined.notes.includes(note)) joined.notes.push(note);
    if (part.originals) joined.originals = [...(joined.originals ?? []), ...part.originals];
  }
  return joined;
}

export function refKey(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}.${ref.apiVersion.split("/")[0]}/${ref.namespace ?? ""}/${ref.name}`;
}

export interface RouterDeps {
  /** Reads, memoized for the plan being computed. */
  kube: Kube;
}
