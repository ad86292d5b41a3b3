// Finding 7: an 80/20 plan rewritten in the store to 0/100 between the request and the approval was applied as
// 0/100 while the audit recorded the original hash. The apply now hashes the plan again and refuses any mismatch
// with the approved hash, audited; the VirtualService keeps the traffic it had.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planHash } from "../../src/release/index.ts";
import type { StoredMessage } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  reviewsWeights,
  startWorldWithReviewsJob,
  until,
  virtualServiceWrites,
  type World,
} from "../slack/desk/world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorldWithReviewsJob("reviews-tamper");
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

async function requestShift(): Promise<{ message: StoredMessage; requestId: string; planId: string }> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", "shift reviews-tamper 20", { user: ALICE });
  const message = await until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  });
  const requestId = /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(message.blocks))?.[1] as string;
  const planId = world.app.graydesk.deps.approvals.gate.get(requestId)?.planId as string;
  expect(planId).toBeTruthy();
  return { message, requestId, planId };
}

type StoredPlan = { plan: { steps: unknown[]; preconditions: unknown[]; hash: string } };

/** What someone with write access to the store does: 80/20 becomes 0/100, optionally with a matching hash. */
async function rewrite(planId: string, rehash: boolean): Promise<void> {
  await world.app.graydesk.store.update((draft) => {
    const record = draft.plans[planId] as unknown as StoredPlan;
    const text = JSON.stringify(record.plan.steps);
    expect(text).toContain('"weight":80');
    record.plan.steps = JSON.parse(
      text.replaceAll('"weight":80', '"weight":0').replaceAll('"weight":20', '"weight":100'),
    );
    if (rehash) record.plan.hash = planHash(record.plan as never);
  });
}

describe("finding 7: the plan applied is the plan approved", () => {
  it.each([
    ["the stored hash left as it was", false],
    ["the stored hash recomputed to match", true],
  ])(
    "a plan rewritten from 80/20 to 0/100 after the request is refused at apply (%s), and audited",
    async (_name, rehash) => {
      const weights = await reviewsWeights(world.kube);
      expect(weights.v2 ?? 0).toBe(0);
      const { message, requestId, planId } = await requestShift();
      const approvedHash = world.app.graydesk.deps.approvals.gate.get(requestId)?.planHash;
      await rewrite(planId, rehash);
      const writes = virtualServiceWrites(world.kube);

      await world.app.slack.clickButton(message, "approval_approve", { user: BOB });
      const refused = await until(() =>
        world.api
          .messages()
          .find((m) =>
            String(m.text ?? JSON.stringify(m.blocks)).includes("is not the plan that was approved"),
          ),
      );
      expect(refused).toBeDefined();
      await until(() => world.app.graydesk.deps.inFlight.size === 0);

      expect(await reviewsWeights(world.kube)).toEqual(weights);
      expect(virtualServiceWrites(world.kube)).toBe(writes);
      expect(world.app.graydesk.deps.approvals.gate.get(requestId)?.state).toBe("failed");
      const audit = await world.app.graydesk.audit.readAll();
      const tampered = audit.filter((r) => r.kind === "plan.tampered" && r.detail?.plan === planId);
      expect(tampered).toHaveLength(1);
      expect(tampered[0]?.actor).toBe(BOB.id);
      expect(tampered[0]?.detail?.approvedHash).toBe(approvedHash);
      expect(tampered[0]?.detail?.computedHash).not.toBe(approvedHash);
      expect(audit.some((r) => r.kind === "plan.applied" && r.detail?.plan === planId)).toBe(false);
      expect(audit.some((r) => r.kind === "failed" && r.detail?.requestId === requestId)).toBe(true);
    },
  );

  it("an untouched plan still applies; Show objects opens its objects in full first", async () => {
    const { message } = await requestShift();
    expect(JSON.stringify(message.blocks)).toContain("change VirtualService `bookinfo/reviews`");
    await world.app.slack.clickButton(message, "approval_show_objects", { user: BOB });
    const opened = await world.api.waitFor("views.open");
    const modal = JSON.stringify(opened.args.view);
    expect(modal).toContain("Plan objects");
    expect(modal).toContain("weight: 20");
    await world.app.slack.clickButton(message, "approval_approve", { user: BOB });
    await until(async () => (await reviewsWeights(world.kube)).v2 === 20);
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 80, v2: 20 });
  });
});
