import { describe, expect, it } from "vitest";
import type { RolloutObject } from "../../src/cluster/index.ts";
import { ABORT_PATCH, promotePatch } from "../../src/controllers/argo/cli-patches.ts";

const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
const PAUSED_AT_1 = { pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-12-06T01:00:00Z" }] };

function canary(status: RolloutObject["status"], spec: Partial<RolloutObject["spec"]> = {}): RolloutObject {
  return {
    metadata: { name: "podinfo", namespace: "shop" },
    spec: { strategy: { canary: { steps: STEPS } }, ...spec },
    status: { currentPodHash: "new", stableRS: "old", ...status },
  };
}

// What `kubectl argo rollouts promote [--full]` sends for each kind of Rollout, written out by hand.
describe("promote writes what the argo-rollouts CLI writes", () => {
  it.each([
    [
      "a canary the controller paused at a pause step",
      canary({ currentStepIndex: 1, controllerPause: true, ...PAUSED_AT_1 }),
      { status: { status: { pauseConditions: null } } },
    ],
    [
      "a canary paused by spec.paused with a pause condition",
      canary({ currentStepIndex: 1, ...PAUSED_AT_1 }, { paused: true }),
      { spec: { spec: { paused: false } }, status: { status: { pauseConditions: null } } },
    ],
    [
      "a canary with no pause condition: skip to the next step",
      canary({ currentStepIndex: 2 }),
      { status: { status: { pauseConditions: null, currentStepIndex: 3 } } },
    ],
    [
      "a canary past its last step keeps the index",
      canary({ currentStepIndex: 4 }),
      { status: { status: { pauseConditions: null, currentStepIndex: 4 } } },
    ],
    [
      "an inconclusive step analysis the controller paused on",
      canary({
        currentStepIndex: 1,
        controllerPause: true,
        ...PAUSED_AT_1,
        canary: { currentStepAnalysisRunStatus: { name: "podinfo-1", status: "Inconclusive" } },
      }),
      { status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 } } },
    ],
    [
      "a blue-green Rollout waiting for promotion",
      {
        metadata: { name: "podinfo", namespace: "shop" },
        spec: { strategy: { blueGreen: {} } },
        status: { controllerPause: true, pauseConditions: [{ reason: "BlueGreenPause", startTime: "t" }] },
      } satisfies RolloutObject,
      { status: { status: { pauseConditions: null } } },
    ],
  ])("%s", (_case, rollout, expected) => {
    const { unified: _unified, ...patch } = promotePatch(rollout, false);
    expect(patch).toEqual(expected);
  });

  it.each([
    [
      "a canary not yet promoted",
      canary({ currentStepIndex: 1, ...PAUSED_AT_1 }),
      { status: { status: { promoteFull: true } } },
    ],
    [
      "a paused spec is unpaused too",
      canary({ currentStepIndex: 1 }, { paused: true }),
      { spec: { spec: { paused: false } }, status: { status: { promoteFull: true } } },
    ],
    [
      "a Rollout already at its stable version: nothing",
      canary({ currentPodHash: "old", stableRS: "old" }),
      {},
    ],
  ])("--full: %s", (_case, rollout, expected) => {
    const { unified, ...patch } = promotePatch(rollout, true);
    expect(patch).toEqual(expected);
    expect(unified).toEqual({ spec: { paused: false }, status: { promoteFull: true } });
  });

  it("sends the whole patch to the Rollout where the status subresource is not served, as the CLI does", () => {
    expect(promotePatch(canary({ currentStepIndex: 1, ...PAUSED_AT_1 }), false).unified).toEqual({
      spec: { paused: false },
      status: { pauseConditions: null },
    });
    expect(promotePatch(canary({ currentStepIndex: 2 }), false).unified).toEqual({
      spec: { paused: false },
      status: { pauseConditions: null, currentStepIndex: 3 },
    });
  });

  it("aborts with status.abort, on the status subresource or the Rollout", () => {
    expect(ABORT_PATCH).toEqual({
      status: { status: { abort: true } },
      unified: { status: { abort: true } },
    });
  });
});
