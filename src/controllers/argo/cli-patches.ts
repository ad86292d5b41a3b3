import type { RolloutObject } from "../../cluster/index.ts";

/**
 * What the argo-rollouts CLI writes, as JSON merge patches: `status` goes to the rollouts/status subresource;
 * `spec` to the Rollout; `unified` replaces both when the status subresource is not served (404), as the CLI does.
 */
export interface CliPatch {
  spec?: object;
  status?: object;
  unified: object;
}

/** `kubectl argo rollouts abort`: the controller scales the stable version back up and stops the update. */
export const ABORT_PATCH: CliPatch = {
  status: { status: { abort: true } },
  unified: { status: { abort: true } },
};

/** `kubectl argo rollouts promote` (`full`: `promote --full`), for the Rollout as it is now. */
export function promotePatch(rollout: RolloutObject, full: boolean): CliPatch {
  const paused = rollout.spec.paused === true;
  const status = rollout.status ?? {};
  if (full) {
    return {
      ...(paused ? { spec: { spec: { paused: false } } } : {}),
      ...(status.currentPodHash !== status.stableRS ? { status: { status: { promoteFull: true } } } : {}),
      unified: { spec: { paused: false }, status: { promoteFull: true } },
    };
  }
  const spec = paused ? { spec: { spec: { paused: false } } } : {};
  const conditions = status.pauseConditions ?? [];
  const next = nextStepIndex(rollout);
  if (inconclusive(rollout) && conditions.length > 0 && status.controllerPause && next !== undefined) {
    return {
      ...spec,
      status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: next } },
      unified: { spec: { paused: false }, status: { pauseConditions: null } },
    };
  }
  if (conditions.length > 0)
    return {
      ...spec,
      status: { status: { pauseConditions: null } },
      unified: { spec: { paused: false }, status: { pauseConditions: null } },
    };
  if (rollout.spec.strategy?.canary && next !== undefined) {
    return {
      ...spec,
      status: { status: { pauseConditions: null, currentStepIndex: next } },
      unified: { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: next } },
    };
  }
  return { ...spec, unified: { spec: { paused: false }, status: { pauseConditions: null } } };
}

/** The step after the current one (not past the end), or undefined for a Rollout without canary steps. */
function nextStepIndex(rollout: RolloutObject): number | undefined {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  if (!rollout.spec.strategy?.canary || steps.length === 0) return undefined;
  const index = rollout.status?.currentStepIndex ?? 0;
  return index < steps.length ? index + 1 : index;
}

function inconclusive(rollout: RolloutObject): boolean {
  return (
    rollout.spec.strategy?.canary !== undefined &&
    rollout.status?.canary?.currentStepAnalysisRunStatus?.status === "Inconclusive"
  );
}
