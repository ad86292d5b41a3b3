// The approval that completes a request and its plan's move to applying are committed in ONE store write, and no
// other write changes the request or its plan between the Approve press and the VirtualService patch. 200 presses
// at once (two approvers, some of them Slack retries) apply the plan once: one record of each kind, none voided.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../../src/approvals/index.ts";
import type { Store } from "../../../src/store/index.ts";
import type { RecordedRequest } from "../../harness/kube/index.ts";
import type { StoredMessage } from "../../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  DAVE,
  reviewsWeights,
  startWorldWithReviewsJob,
  until,
  virtualServiceWrites,
  type World,
} from "../desk/world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorldWithReviewsJob("reviews-once");
  // The job's first routes, so the shifts below patch an existing VirtualService.
  const first = await ask("shift reviews-once 10");
  await world.app.slack.clickButton(first, "approval_approve", { user: BOB });
  await until(async () => (await reviewsWeights(world.kube)).v2 === 10, 30_000);
  await settle();
}, 120_000);
afterAll(async () => {
  await world?.close();
});

async function ask(text: string): Promise<StoredMessage> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", text, { user: ALICE });
  return until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  }, 30_000);
}

async function settle() {
  await until(() => world.app.graydesk.deps.inFlight.size === 0, 30_000);
}

function requestIdOf(message: StoredMessage): string {
  return /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(message.blocks))?.[1] as string;
}

async function records(requestId: string) {
  const all = await world.app.graydesk.audit.readAll();
  return all.filter(
    (r) => r.detail?.requestId === requestId || (r.kind === "voided" && r.detail?.requestId === requestId),
  );
}

/** Recorded as it arrives (the verb and resource are filled in later): a PATCH of a VirtualService, not a dry run. */
const isPatch = (r: RecordedRequest) =>
  r.method === "PATCH" && r.path.includes("/virtualservices/") && !r.query?.includes("dryRun");

describe("Approve → VirtualService patch", () => {
  it("commits the approval and the plan's move to applying in one store write before the patch", async () => {
    const message = await ask("shift reviews-once 30");
    const id = requestIdOf(message);
    const store: Store = world.app.graydesk.store;
    const request = () => store.data().approvals[id] as unknown as ApprovalRequest;
    const planId = request().planId;
    // The store writes that changed the request or its plan, with what each left (other work may write too).
    const now = () => ({ request: request().state, plan: String(store.data().plans[planId]?.status) });
    const writes: ReturnType<typeof now>[] = [];
    let writesAtPatch: number | undefined;
    const update = store.update;
    store.update = async (mutate) => {
      const before = JSON.stringify(now());
      const result = await update(mutate);
      if (JSON.stringify(now()) !== before) writes.push(now());
      return result;
    };
    const push = world.kube.requests.push;
    world.kube.requests.push = (...recorded: RecordedRequest[]) => {
      if (writesAtPatch === undefined && recorded.some(isPatch)) writesAtPatch = writes.length;
      return push.apply(world.kube.requests, recorded);
    };
    try {
      await world.app.slack.clickButton(message, "approval_approve", { user: BOB });
      await until(() => (request().state === "applied" ? true : undefined), 30_000);
      await settle();
    } finally {
      store.update = update;
      world.kube.requests.push = push;
    }
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 70, v2: 30 });
    expect(writes.slice(0, writesAtPatch)).toEqual([{ request: "approved", plan: "applying" }]);
    expect((await records(id)).map((r) => r.kind)).toEqual(["requested", "approved", "applying", "applied"]);
  });

  it("applies once under 200 presses at once from two approvers, retries among them", async () => {
    const message = await ask("shift reviews-once 55");
    const id = requestIdOf(message);
    const writes = virtualServiceWrites(world.kube);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        world.app.slack.clickButton(message, "approval_approve", {
          user: i % 2 === 0 ? BOB : DAVE,
          ...(i % 3 === 2 ? { sign: { retryNum: 1, retryReason: "http_timeout" } } : {}),
        }),
      ),
    );
    await until(
      () => (world.app.graydesk.deps.approvals.gate.get(id)?.state === "applied" ? true : undefined),
      60_000,
    );
    await settle();
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 45, v2: 55 });
    expect(virtualServiceWrites(world.kube) - writes).toBe(1);
    expect((await records(id)).map((r) => r.kind)).toEqual(["requested", "approved", "applying", "applied"]);
  });

  it("a plan that cannot start is refused before the write: the approval is committed alone, the request failed", async () => {
    const message = await ask("shift reviews-once 70");
    const id = requestIdOf(message);
    const store: Store = world.app.graydesk.store;
    const planId = (store.data().approvals[id] as unknown as ApprovalRequest).planId;
    const weights = await reviewsWeights(world.kube);
    // As if a newer plan had replaced it since the request was posted.
    await store.update((d) => {
      (d.plans[planId] as unknown as { status: string }).status = "superseded";
    });
    await world.app.slack.clickButton(message, "approval_approve", { user: BOB });
    await until(
      () => (world.app.graydesk.deps.approvals.gate.get(id)?.state === "failed" ? true : undefined),
      30_000,
    );
    await settle();
    expect(await reviewsWeights(world.kube)).toEqual(weights);
    expect(world.app.graydesk.deps.approvals.gate.get(id)).toMatchObject({ decidedBy: BOB.id });
    expect((await records(id)).map((r) => r.kind)).toEqual(["requested", "approved", "applying", "failed"]);
  });
});
