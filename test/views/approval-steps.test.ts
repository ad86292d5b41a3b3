// Finding 7: approvers saw at most 6 step diffs, so a longer plan hid steps. Every step is now listed (deletes
// first and marked), whatever the plan's length, and Show objects has every object in full.
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/index.ts";
import { makePlan, type PlanStep } from "../../src/release/index.ts";
import { buildApprovalRequest } from "../../views/approval.ts";
import { buildPlanObjectsModal } from "../../views/plan-steps.ts";
import { validateMessage, validateModal } from "../harness/slack/index.ts";

const deployment = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "shop" },
  spec: {
    replicas,
    template: { spec: { containers: [{ name: "app", image: `registry.example.com/${name}:1` }] } },
  },
});
const ref = (kind: string, name: string) => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "networking.istio.io/v1",
  kind,
  namespace: "shop",
  name,
});

function longPlan(services: number) {
  const steps: PlanStep[] = [];
  for (let i = 0; i < services; i++) {
    steps.push(
      {
        action: "patch",
        object: ref("VirtualService", `svc-${i}`),
        before: { spec: { http: [{ route: [{ weight: 80 }, { weight: 20 }] }] } },
        after: { spec: { http: [{ route: [{ weight: 100 }] }] } },
      },
      { action: "delete", object: ref("Deployment", `svc-${i}-v2`), before: deployment(`svc-${i}-v2`, 2) },
      { action: "create", object: ref("Deployment", `svc-${i}-v3`), after: deployment(`svc-${i}-v3`, 1) },
    );
  }
  return makePlan({ id: "plan-long", jobId: "job-1", operation: "shift", steps, summary: "many services" });
}

function requestFor(plan: ReturnType<typeof longPlan>): ApprovalRequest {
  return {
    id: "req-long",
    jobId: "job-1",
    jobName: "shop-release",
    namespace: "shop",
    operation: "take the job offline",
    planId: plan.id,
    planHash: plan.hash,
    summary: plan.summary,
    requestedBy: "U0ALICE",
    requestedAt: "2026-01-01T10:00:00.000Z",
    expiresAt: "2026-01-01T10:30:00.000Z",
    requiredApprovals: 1,
    approvals: [],
    state: "pending",
    messages: [],
  };
}

describe("every step of the plan on the approval request", () => {
  it.each([[1], [3], [12], [40]])(
    "a plan over %i services lists all its steps, deletes first",
    (services) => {
      const plan = longPlan(services);
      const message = buildApprovalRequest({ request: requestFor(plan), plan, confirm: false });
      expect(validateMessage(message.blocks, message.text)).toEqual([]);
      const listed = message.blocks
        .filter((b) => b.block_id?.startsWith("approval_steps_"))
        .map((b) => (b.type === "section" ? (b.text?.text ?? "") : ""))
        .join("\n");
      for (const [index, step] of plan.steps.entries()) {
        expect(listed).toContain(`${index + 1}. `);
        expect(listed).toContain(`\`shop/${step.object.name}\``);
      }
      // The deletes come first, under their own heading, each marked.
      const deletes = plan.steps.filter((s) => s.action === "delete");
      expect(listed.startsWith(`*:rotating_light: Deletes ${deletes.length} object`)).toBe(true);
      for (const step of deletes) {
        const line = `:rotating_light: *DELETE* Deployment \`shop/${step.object.name}\``;
        expect(listed.indexOf(line)).toBeLessThan(listed.indexOf("in the order they run"));
      }
      expect(JSON.stringify(message.blocks)).toContain('"action_id":"approval_show_objects"');
      expect(JSON.stringify(message.blocks)).not.toContain("more steps are in the full plan");
    },
  );

  it("Show objects has each step's object in full YAML, deleted objects included", () => {
    const plan = longPlan(3);
    const modal = buildPlanObjectsModal("shop-release", plan);
    expect(validateModal(modal)).toEqual([]);
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain("*DELETE* Deployment `shop/svc-2-v2`");
    expect(text).toContain("image: registry.example.com/svc-2-v2:1");
    expect(text).toContain("image: registry.example.com/svc-2-v3:1");
  });

  it("a plan too long for one modal still lists every step on the request and says what the modal leaves out", () => {
    const plan = longPlan(60);
    expect(validateModal(buildPlanObjectsModal("shop-release", plan))).toEqual([]);
    expect(JSON.stringify(buildPlanObjectsModal("shop-release", plan).blocks)).toContain(
      "more objects are too long to show here; every step is listed on the request.",
    );
  });
});
