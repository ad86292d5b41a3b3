import type { RolloutObject } from "../../cluster/index.ts";
import type { Fact } from "../types.ts";

/** The pause reasons that wait for a person: a canary `pause: {}` step, a blue-green pre-promotion pause. */
export const GATED_PAUSES = ["CanaryPauseStep", "BlueGreenPause"] as const;

export interface RolloutPause {
  reason: (typeof GATED_PAUSES)[number];
  startTime: string;
}

/** The pause a person must end, if the Rollout waits at one (as the Argo controller records it in status). */
export function pauseOf(rollout: RolloutObject): RolloutPause | undefined {
  const found = rollout.status?.pauseConditions?.find((c) =>
    (GATED_PAUSES as readonly string[]).includes(c.reason),
  );
  return found ? { reason: found.reason as RolloutPause["reason"], startTime: found.startTime } : undefined;
}

export function stepsOf(rollout: RolloutObject): Record<string, unknown>[] {
  return rollout.spec.strategy?.canary?.steps ?? [];
}

export function stepIndexOf(rollout: RolloutObject): number {
  return rollout.status?.currentStepIndex ?? 0;
}

/** Identifies the revision being rolled out: the pod template hash the controller is moving to. */
export function revisionOf(rollout: RolloutObject): string {
  return rollout.status?.currentPodHash ?? `generation-${rollout.metadata.generation ?? 0}`;
}

/** Finished, in the user's words, or undefined while it is still rolling out. */
export function doneOf(rollout: RolloutObject): string | undefined {
  const status = rollout.status;
  if (!status) return undefined;
  if (status.abort) return "aborted";
  if (status.phase === "Healthy" && status.currentPodHash && status.currentPodHash === status.stableRS)
    return "healthy";
  return undefined;
}

/** The canary weight the steps set by now: the last setWeight at or before the current step. */
export function setWeightOf(rollout: RolloutObject): number | undefined {
  const steps = stepsOf(rollout);
  if (steps.length === 0) return undefined;
  let weight = 0;
  for (const step of steps.slice(0, stepIndexOf(rollout) + 1)) {
    if (typeof step.setWeight === "number") weight = step.setWeight;
  }
  return stepIndexOf(rollout) >= steps.length ? 100 : weight;
}

/** `pause (until promoted)`, `setWeight 50`, … */
export function describeStep(step: Record<string, unknown> | undefined): string {
  if (!step) return "all steps done";
  const [kind, value] = Object.entries(step)[0] ?? ["step", undefined];
  if (kind === "pause") {
    const duration = (value as { duration?: unknown } | undefined)?.duration;
    return duration === undefined ? "pause (until promoted)" : `pause ${String(duration)}`;
  }
  if (kind === "setWeight") return `setWeight ${String(value)}`;
  return kind;
}

/** What the card shows: step, set and actual weights, images, analysis runs. */
export function factsOf(rollout: RolloutObject): Fact[] {
  const facts: Fact[] = [];
  const steps = stepsOf(rollout);
  if (rollout.spec.strategy?.blueGreen) facts.push({ label: "Strategy", value: "blue-green" });
  else {
    const index = stepIndexOf(rollout);
    const shown = Math.min(index + 1, steps.length);
    facts.push({ label: "Step", value: `${shown} of ${steps.length}: ${describeStep(steps[index])}` });
    const weight = setWeightOf(rollout);
    if (weight !== undefined) facts.push({ label: "Set weight", value: `${weight}%` });
    const weights = rollout.status?.canary?.weights;
    if (weights?.canary?.weight !== undefined)
      facts.push({
        label: "Traffic",
        value: `canary ${weights.canary.weight}% · stable ${weights.stable?.weight ?? 100 - weights.canary.weight}%`,
      });
  }
  const images = (rollout.spec.template?.spec?.containers ?? []).map((c) => `${c.name}: ${c.image ?? "?"}`);
  if (images.length > 0) facts.push({ label: "Images", value: images.join("\n") });
  const analysis = [
    rollout.status?.canary?.currentStepAnalysisRunStatus,
    rollout.status?.canary?.currentBackgroundAnalysisRunStatus,
  ]
    .filter((a) => a?.name)
    .map((a) => `${a?.name}: ${a?.status ?? "?"}${a?.message ? ` (${a.message})` : ""}`);
  if (analysis.length > 0) facts.push({ label: "Analysis", value: analysis.join("\n") });
  const pause = pauseOf(rollout);
  if (pause) facts.push({ label: "Paused", value: `${pause.reason} since ${pause.startTime}` });
  return facts;
}
