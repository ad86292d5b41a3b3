import { describe, expect, it } from "vitest";
import type { RolloutObject } from "../../src/cluster/index.ts";
import { ArgoGates, type RolloutAccess } from "../../src/controllers/argo/argo-gates.ts";
import type { GateDesk } from "../../src/controllers/gate-desk.ts";
import type { GateRequest } from "../../src/controllers/gate-requests.ts";
import { createLogger } from "../../src/log.ts";

const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];
const AT_STEP_1 = { stepIndex: 1, podHash: "new", pausedAt: "2026-12-06T01:00:00Z" };

function rollout(status: RolloutObject["status"]): RolloutObject {
  return {
    metadata: { name: "podinfo", namespace: "shop" },
    spec: { strategy: { canary: { steps: STEPS } } },
    status: { currentPodHash: "new", stableRS: "old", controllerPause: true, ...status },
  };
}

/** The Rollout as the cluster has it, and the patches written to it (a RolloutAccess over memory). */
function cluster(current: RolloutObject | undefined): RolloutAccess & { written: [object, string?][] } {
  const written: [object, string?][] = [];
  return {
    written,
    get: async () => current,
    async patch(_ns, _name, body, subresource) {
      written.push(subresource ? [body, subresource] : [body]);
      return current as RolloutObject;
    },
  };
}

function promoteRequest(): GateRequest {
  return {
    id: "r1",
    jobId: "argo-rollouts/shop/podinfo#promote",
    jobName: "podinfo",
    namespace: "shop",
    operation: "promote",
    planId: "p",
    planHash: "new",
    summary: "",
    requestedBy: "argo-rollouts",
    requestedAt: "2026-12-06T01:00:01Z",
    expiresAt: "2026-12-06T01:30:01Z",
    requiredApprovals: 1,
    approvals: [],
    state: "approved",
    messages: [],
    controller: "argo-rollouts",
    gate: "promote",
    releaseId: "argo-rollouts/shop/podinfo",
    revision: "new",
    snapshot: AT_STEP_1,
  };
}

// Carrying out an approval reads the Rollout again: only the pause the request was opened for is promoted.
const gates = (access: RolloutAccess) =>
  new ArgoGates({
    // Carrying out reads and writes the Rollout only; the desk is not asked.
    desk: {} as GateDesk,
    rollouts: access,
    logger: createLogger("silent"),
    clock: () => new Date(),
  });

describe("an approved promote, checked against the Rollout as it is now", () => {
  it("writes the CLI's patch while the Rollout still waits at that pause", async () => {
    const access = cluster(
      rollout({
        currentStepIndex: 1,
        pauseConditions: [{ reason: "CanaryPauseStep", startTime: AT_STEP_1.pausedAt }],
      }),
    );
    await expect(gates(access).carryOut(promoteRequest())).resolves.toContain("promoted");
    expect(access.written).toEqual([[{ status: { pauseConditions: null } }, "status"]]);
  });

  it.each([
    ["advanced on its own to setWeight 50", rollout({ currentStepIndex: 2 }), "now at step 3, not paused"],
    [
      "paused again at the next pause",
      rollout({
        currentStepIndex: 3,
        pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-12-06T01:10:00Z" }],
      }),
      "now paused at step 4",
    ],
    [
      "paused at the same step again later",
      rollout({
        currentStepIndex: 1,
        pauseConditions: [{ reason: "CanaryPauseStep", startTime: "2026-12-06T01:20:00Z" }],
      }),
      "now paused at step 2",
    ],
    [
      "moved to another revision",
      rollout({ currentPodHash: "newer", currentStepIndex: 1 }),
      "another revision",
    ],
    ["gone", undefined, "no longer exists"],
  ])("is refused as stale when the Rollout %s, and writes nothing", async (_case, current, words) => {
    const access = cluster(current);
    await expect(gates(access).carryOut(promoteRequest())).rejects.toMatchObject({
      code: "stale-plan",
      message: expect.stringContaining(words),
    });
    expect(access.written).toEqual([]);
  });
});
