import type { Plan, PlanStep } from "../release/index.ts";
import { userTextOf } from "../release/index.ts";
import { type ApplyDeps, runSteps, type StepResult, type Versions } from "./apply.ts";
import type { JournalEntry } from "./journal.ts";
import type { KubeObject } from "./kube.ts";
import { mergePatchOf } from "./merge-patch.ts";
import { refKey } from "./routers/types.ts";

export type Resumed = { ok: true; applied: StepResult[] } | { ok: false; reason: string };

/**
 * Finishes an apply a crash interrupted. Each unfinished step is checked against the cluster: already
 * carried out (its effect is there) → skipped; still as the plan assumed → run; anything else means the
 * cluster moved on, and the caller reverts instead.
 */
export async function resumePlan(deps: ApplyDeps, plan: Plan, entry: JournalEntry): Promise<Resumed> {
  const first = plan.steps.findIndex((_, index) => entry.steps[index] !== "done");
  if (first < 0) return { ok: true, applied: [] };
  const versions: Versions = new Map();
  const skip = new Set<number>();
  for (let index = first; index < plan.steps.length; index++) {
    const step = plan.steps[index] as PlanStep;
    const verdict = await check(deps, plan, step, versions);
    if (verdict === "done") skip.add(index);
    if (typeof verdict === "object") return { ok: false, reason: verdict.reason };
  }
  try {
    return { ok: true, applied: await runSteps(deps, plan, versions, { from: first, skip }) };
  } catch (error) {
    // Plain text, as every reason a plan keeps: the views that show it escape it.
    return { ok: false, reason: userTextOf(error) ?? (error as Error).message };
  }
}

async function check(
  deps: ApplyDeps,
  plan: Plan,
  step: PlanStep,
  versions: Versions,
): Promise<"run" | "done" | { reason: string }> {
  if (step.action === "wait-ready" || step.action === "scale") return "run";
  const current = await deps.kube.get<KubeObject>(step.object);
  const key = refKey(step.object);
  const planned = plan.preconditions.find((pre) => refKey(pre.ref) === key)?.resourceVersion;
  if (step.action === "delete") {
    if (!current) return "done";
    const moved = planned !== undefined && current.metadata.resourceVersion !== planned;
    return moved ? { reason: `${step.object.kind} ${step.object.name} was changed by someone else` } : "run";
  }
  if (step.action === "create") {
    if (!current) return "run";
    return matches(current, step)
      ? "done"
      : { reason: `${step.object.kind} ${step.object.name} exists but differs from the plan` };
  }
  if (!current) return { reason: `${step.object.kind} ${step.object.name} is gone` };
  if (planned !== undefined && current.metadata.resourceVersion === planned) {
    versions.set(key, planned);
    return "run";
  }
  return matches(current, step)
    ? "done"
    : { reason: `${step.object.kind} ${step.object.name} was changed by someone else` };
}

function matches(current: KubeObject, step: PlanStep): boolean {
  const after = (step.after ?? {}) as { spec?: unknown };
  return mergePatchOf(current.spec ?? {}, after.spec ?? {}) === undefined;
}
