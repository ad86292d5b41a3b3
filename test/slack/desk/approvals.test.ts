import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackActor, StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CAROL,
  CHANNEL,
  createReviewsJob,
  DAVE,
  reviewsWeights,
  startWorld,
  until,
  virtualServiceWrites,
  type World,
} from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  await createReviewsJob(world, "reviews-gate");
  // The job's first routes, so later shifts patch an existing VirtualService.
  await ask(ALICE, "shift reviews-gate 10");
  await world.app.slack.clickButton(approvalMessage(world.api) as StoredMessage, "approval_approve", {
    user: BOB,
  });
  await until(async () => (await reviewsWeights(world.kube)).v2 === 10);
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.api.reset();
  world.kube.resetRequests();
});

async function ask(user: SlackActor, text: string): Promise<StoredMessage> {
  const before = approvalMessage(world.api)?.ts;
  const reply = await world.app.slack.command("/release", text, { user });
  expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
  return until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  });
}

function ephemeralTo(user: SlackActor, containing: string) {
  return until(() => world.api.ephemerals(user.id).find((e) => String(e.text).includes(containing)));
}

async function settle() {
  await until(() => world.app.graydesk.deps.inFlight.size === 0);
}

function audits(kind: string, requestId: string) {
  return world.app.graydesk.audit
    .readAll()
    .then((all) => all.filter((r) => r.kind === kind && r.detail?.requestId === requestId));
}

function requestIdOf(message: StoredMessage): string {
  const text = JSON.stringify(message.blocks);
  return /"value":"([0-9a-f-]{36})"/.exec(text)?.[1] as string;
}

describe("who may ask and who may approve", () => {
  it("refuses a requester approving their own request, and nothing changes", async () => {
    const request = await ask(ALICE, "shift reviews-gate 30");
    const weights = await reviewsWeights(world.kube);
    const click = await world.app.slack.clickButton(request, "approval_approve", { user: ALICE });
    expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
    const refusal = await ephemeralTo(ALICE, "You asked for this change");
    expect(refusal.text).toContain("someone else must approve it");
    await settle();
    expect(await reviewsWeights(world.kube)).toEqual(weights);
    expect(world.app.graydesk.deps.approvals.gate.get(requestIdOf(request))?.state).toBe("pending");
    world.api.expectNoViolations();
  });

  it("refuses an unauthorized user's command, naming the rule, and posts no request", async () => {
    await world.app.slack.command("/release", "shift reviews-gate 50", { user: CAROL });
    const refusal = await world.api.waitFor("response_url");
    expect(refusal.args.text).toBe(
      ":no_entry: You need the *request* right to request changes in namespace bookinfo; it is held by <@U0ALICE>, <@U0BOB>, <@U0DAVE>. Nothing changed.",
    );
    await settle();
    expect(approvalMessage(world.api)).toBeUndefined();
  });

  it("refuses an unauthorized user's Approve and Reject presses; the request stays pending", async () => {
    const request = await ask(ALICE, "shift reviews-gate 40");
    const writes = virtualServiceWrites(world.kube);
    await world.app.slack.clickButton(request, "approval_approve", { user: CAROL });
    await ephemeralTo(
      CAROL,
      "You need the *approve* right to approve changes in namespace bookinfo; it is held by <@U0BOB>, <@U0DAVE>.",
    );
    await world.app.slack.clickButton(request, "approval_reject", { user: CAROL });
    await until(() => world.api.ephemerals(CAROL.id).length === 2);
    await settle();
    expect(virtualServiceWrites(world.kube)).toBe(writes);
    expect(world.app.graydesk.deps.approvals.gate.get(requestIdOf(request))?.state).toBe("pending");
  });
});

describe("an approval applies its plan exactly once", () => {
  it.each([
    ["a double click", [BOB, BOB], [0, 0]],
    ["a Slack retry of the same press", [BOB, BOB], [0, 1]],
    ["two approvers at once", [BOB, DAVE], [0, 0]],
  ] as const)("under %s", async (_name, users, retries) => {
    const percent = 20 + Math.floor(Math.random() * 60);
    const request = await ask(ALICE, `shift reviews-gate ${percent}`);
    const id = requestIdOf(request);
    const writes = virtualServiceWrites(world.kube);
    const clicks = await Promise.all(
      users.map((user, i) =>
        world.app.slack.clickButton(request, "approval_approve", {
          user,
          ...(retries[i] ? { sign: { retryNum: retries[i], retryReason: "http_timeout" } } : {}),
        }),
      ),
    );
    for (const click of clicks) expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
    await until(() => world.app.graydesk.deps.approvals.gate.get(id)?.state === "applied");
    await settle();
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 100 - percent, v2: percent });
    expect(await audits("applied", id)).toHaveLength(1);
    expect(await audits("approved", id)).toHaveLength(1);
    expect(virtualServiceWrites(world.kube) - writes).toBe(1);
    world.api.expectNoViolations();
  });

  it("with two approvals required, the first is recorded and the second applies", async () => {
    const rules = world.app.graydesk.policy.namespaces.bookinfo;
    if (!rules) throw new Error("the test policy has bookinfo");
    rules.approvals = 2;
    try {
      const request = await ask(ALICE, "shift reviews-gate 42");
      const id = requestIdOf(request);
      await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
      await ephemeralTo(BOB, "1 more approval is needed");
      expect(world.app.graydesk.deps.approvals.gate.get(id)?.state).toBe("pending");
      await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
      await ephemeralTo(BOB, "already approved this request");
      await world.app.slack.clickButton(request, "approval_approve", { user: DAVE });
      await until(() => world.app.graydesk.deps.approvals.gate.get(id)?.state === "applied");
      expect(await reviewsWeights(world.kube)).toEqual({ v1: 58, v2: 42 });
      expect((await audits("approved", id)).map((r) => r.actor)).toEqual([BOB.id, DAVE.id]);
    } finally {
      rules.approvals = 1;
    }
  });

  it("tells the second approver it was already decided", async () => {
    const request = await ask(ALICE, "shift reviews-gate 45");
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() => world.app.graydesk.deps.approvals.gate.get(requestIdOf(request))?.state === "applied");
    await world.app.slack.clickButton(request, "approval_approve", { user: DAVE });
    const answer = await ephemeralTo(DAVE, "already decided");
    expect(answer.text).toContain("by <@U0BOB>");
  });
});

describe("expired and stale requests", () => {
  it("refuses an expired request with a Re-request button that asks again", async () => {
    const request = await ask(ALICE, "shift reviews-gate 35");
    const id = requestIdOf(request);
    const weights = await reviewsWeights(world.kube);
    world.clock.advance(31 * 60_000);
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    const refusal = await ephemeralTo(BOB, "expired");
    expect(JSON.stringify(refusal.blocks)).toContain("approval_rerequest");
    expect(await reviewsWeights(world.kube)).toEqual(weights);
    expect(await audits("expired", id)).toHaveLength(1);
    const updated = await until(() => {
      const m = world.api.message(request.channel, request.ts);
      return JSON.stringify(m?.blocks).includes("Expired") ? m : undefined;
    });
    await world.app.slack.clickButton(updated, "approval_rerequest", { user: ALICE });
    const again = await until(() => {
      const m = approvalMessage(world.api);
      return m && m.ts !== request.ts ? m : undefined;
    });
    expect(JSON.stringify(again.blocks)).toContain("approval_approve");
    world.api.expectNoViolations();
  });

  it("the expiry sweep marks an undecided request expired, audits it and updates its messages", async () => {
    const request = await ask(ALICE, "shift reviews-gate 33");
    const id = requestIdOf(request);
    world.clock.advance(31 * 60_000);
    const expired = await world.app.graydesk.deps.approvals.expireDue();
    expect(expired.map((r) => r.id)).toEqual([id]);
    expect(await audits("expired", id)).toHaveLength(1);
    const updated = world.api.message(request.channel, request.ts);
    expect(JSON.stringify(updated?.blocks)).toContain("approval_rerequest");
    expect(await world.app.graydesk.deps.approvals.expireDue()).toEqual([]);
  });

  it("refuses a plan the cluster moved away from, with Re-request, and leaves the cluster alone", async () => {
    const request = await ask(ALICE, "shift reviews-gate 60");
    const id = requestIdOf(request);
    // Someone edits the VirtualService behind Graydesk's back.
    const custom = world.kube.kubeConfig().makeApiClient(CustomObjectsApi);
    const vs = (await custom.getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace: "bookinfo",
      plural: "virtualservices",
      name: "reviews",
    })) as { metadata: { annotations?: Record<string, string> } };
    vs.metadata.annotations = { ...vs.metadata.annotations, "example.com/edited-by": "someone" };
    await custom.replaceNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace: "bookinfo",
      plural: "virtualservices",
      name: "reviews",
      body: vs,
    });
    const weights = await reviewsWeights(world.kube);
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    const refusal = await ephemeralTo(BOB, "Not applied");
    expect(JSON.stringify(refusal.blocks)).toContain("approval_rerequest");
    await settle();
    expect(await reviewsWeights(world.kube)).toEqual(weights);
    expect(world.app.graydesk.deps.approvals.gate.get(id)?.state).toBe("stale");
    expect((await audits("failed", id))[0]?.detail).toMatchObject({ stale: true });
    world.api.expectNoViolations();
  });
});

describe("bad payloads", () => {
  it("answers an unknown action id and a garbage request id with words", async () => {
    const card = world.api.messages(CHANNEL).at(0);
    const surface = card ?? ({ channel: CHANNEL, ts: "1.000", blocks: [] } as unknown as StoredMessage);
    const reply = await world.app.slack.blockActions(surface, [
      { type: "button", action_id: "no_such_action", block_id: "x", value: "1", action_ts: "1" },
    ]);
    expect(reply.status).toBe(200);
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    const answered = await world.api.waitFor("chat.postEphemeral");
    expect(answered.args).toMatchObject({ user: ALICE.id, channel: CHANNEL });
    expect(String(answered.args.text)).toContain(
      "That button belongs to something Graydesk no longer knows about",
    );
    const request = await ask(ALICE, "shift reviews-gate 25");
    const garbage = JSON.parse(
      JSON.stringify(request).replaceAll(requestIdOf(request), "not-a-request"),
    ) as StoredMessage;
    await world.app.slack.clickButton(garbage, "approval_approve", { user: BOB });
    await ephemeralTo(BOB, "does not exist");
  });
});
