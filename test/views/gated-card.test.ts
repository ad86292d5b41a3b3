import { describe, expect, it } from "vitest";
import type { GateRequest } from "../../src/controllers/gate-requests.ts";
import type { GatedRelease } from "../../src/controllers/types.ts";
import { buildGatedCard } from "../../views/controllers/gated-card.ts";
import { validateMessage } from "../harness/slack/index.ts";

const request = (over: Partial<GateRequest>): GateRequest => ({
  id: "11111111-2222-3333-4444-555555555555",
  jobId: "flagger/shop/podinfo#confirm-promotion",
  jobName: "podinfo",
  namespace: "shop",
  operation: "confirm-promotion",
  planId: "flagger/shop/podinfo#confirm-promotion#7c9f5d6b8c",
  planHash: "7c9f5d6b8c",
  summary: "Flagger asks to confirm-promotion canary shop/podinfo",
  requestedBy: "flagger",
  requestedAt: "2026-12-06T01:00:00.000Z",
  expiresAt: "2026-12-06T01:30:00.000Z",
  requiredApprovals: 2,
  approvals: [{ user: "U0BOB", at: "2026-12-06T01:05:00.000Z" }],
  state: "pending",
  messages: [],
  controller: "flagger",
  gate: "confirm-promotion",
  releaseId: "flagger/shop/podinfo",
  revision: "7c9f5d6b8c",
  ...over,
});

const canary: GatedRelease = {
  id: "flagger/shop/podinfo",
  controller: "flagger",
  namespace: "shop",
  name: "podinfo",
  channel: "C0GATES",
  phase: "Progressing",
  revision: "7c9f5d6b8c",
  facts: [
    { label: "Checksum", value: "7c9f5d6b8c" },
    { label: "canaryWeight", value: "50" },
    { label: "note", value: "<!everyone> look" },
  ],
  updatedAt: "2026-12-06T01:05:00.000Z",
};

const rollout: GatedRelease = {
  id: "argo-rollouts/shop/podinfo",
  controller: "argo-rollouts",
  namespace: "shop",
  name: "podinfo",
  channel: "C0GATES",
  phase: "Paused",
  revision: "7f8d9c6b5",
  facts: [
    { label: "Step", value: "2 of 4: pause (until promoted)" },
    { label: "Set weight", value: "20%" },
    { label: "Images", value: "podinfo: ghcr.io/example/podinfo:6.5.1" },
  ],
  updatedAt: "2026-12-06T01:05:00.000Z",
};

describe("the gated release card", () => {
  it("shows a Flagger canary, its figures and a pending gate with its buttons", async () => {
    const card = buildGatedCard({ release: canary, requests: [request({})], actions: ["request-rollback"] });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain("(1 of 2 approvals)");
    expect(text).toContain("&lt;!everyone&gt;");
    expect(text).not.toContain("<!everyone>");
    await expect(JSON.stringify(card, null, 2)).toMatchFileSnapshot("__snapshots__/gated-card-flagger.json");
  });

  it("shows a paused Rollout with Abort and full promotion, and no buttons once it is done", async () => {
    const pending = request({
      controller: "argo-rollouts",
      gate: "promote",
      requestedBy: "argo-rollouts",
      requiredApprovals: 1,
      approvals: [],
      releaseId: rollout.id,
    });
    const card = buildGatedCard({
      release: rollout,
      requests: [pending],
      actions: ["promote-full", "abort"],
    });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    await expect(JSON.stringify(card, null, 2)).toMatchFileSnapshot("__snapshots__/gated-card-argo.json");
    const done = buildGatedCard({
      release: { ...rollout, done: "aborted" },
      requests: [{ ...pending, state: "rejected", decidedBy: "U0BOB", outcome: "closed by Abort" }],
      actions: ["promote-full", "abort"],
    });
    expect(done.blocks.filter((b) => b.type === "actions")).toEqual([]);
    expect(JSON.stringify(done.blocks)).toContain("rejected by <@U0BOB> — closed by Abort");
  });
});
