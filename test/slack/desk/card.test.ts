import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  createReviewsJob,
  startWorld,
  until,
  type World,
} from "./world.ts";

let world: World;
let card: StoredMessage;

beforeAll(async () => {
  world = await startWorld();
  const job = await createReviewsJob(world, "reviews-card");
  const at = world.app.graydesk.deps.cards.where(job.id);
  card = world.api.message(CHANNEL, at?.ts as string) as StoredMessage;
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

const settle = () => until(() => world.app.graydesk.deps.inFlight.size === 0);

async function openedModal(actionId: string) {
  const click = await world.app.slack.clickButton(card, actionId, { user: ALICE });
  expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
  const opened = await world.api.waitFor("views.open");
  return world.api.view((opened.response as { view: { id: string } }).view.id);
}

describe("the job card's buttons", () => {
  it("Shift… opens a modal whose mistakes show inline and whose submission asks for approval", async () => {
    const modal = await openedModal("job_shift");
    expect(modal).toBeDefined();
    const wrong = await world.app.slack.submitView(
      modal as never,
      { shift_traffic: { shift_traffic_value: "150" } },
      { user: ALICE },
    );
    expect(wrong.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(wrong.json).toEqual({
      response_action: "errors",
      errors: { shift_traffic: "150 % is more than all traffic (100 %)." },
    });
    const right = await world.app.slack.submitView(
      modal as never,
      { shift_traffic: { shift_traffic_value: "v1=70 v2=30" } },
      { user: ALICE },
    );
    expect(right.ackMs).toBeLessThan(ACK_BOUND_MS);
    const request = await until(() => approvalMessage(world.api));
    expect(request.thread_ts).toBe(card.ts);
    expect(JSON.stringify(request.blocks)).toContain("shift traffic to v1 70 %, v2 30 %");
    world.api.expectNoViolations();
  });

  it("Take over… asks for approval with a confirm dialog on Approve", async () => {
    const modal = await openedModal("job_take_over");
    await world.app.slack.submitView(
      modal as never,
      { take_over_version: { take_over_version_value: "v2" } },
      { user: ALICE },
    );
    const request = await until(() => approvalMessage(world.api));
    const approve = (
      request.blocks as { type: string; elements?: { action_id: string; confirm?: unknown }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "approval_approve");
    expect(approve?.confirm).toBeDefined();
    world.api.expectNoViolations();
  });

  it("Roll back asks for approval at once", async () => {
    await world.app.slack.clickButton(card, "job_rollback", { user: ALICE });
    const request = await until(() => approvalMessage(world.api));
    expect(JSON.stringify(request.blocks)).toContain("roll back to the stable version");
    await settle();
  });

  it("Show objects opens at once, then fills in the routing objects as YAML", async () => {
    await world.app.slack.clickButton(card, "job_show_objects", { user: BOB });
    const opened = await world.api.waitFor("views.open");
    expect(JSON.stringify(opened.args)).toContain("Reading the objects");
    const updated = await world.api.waitFor("views.update");
    expect(JSON.stringify(updated.args)).toContain("DestinationRule");
    world.api.expectNoViolations();
  });

  it("answers a press for a job that does not exist with words", async () => {
    const forged = JSON.parse(
      JSON.stringify(card).replaceAll(/"value":"[^"]+"/g, '"value":"job-gone"'),
    ) as StoredMessage;
    await world.app.slack.clickButton(forged, "job_rollback", { user: ALICE });
    const answer = await until(() => world.api.ephemerals(ALICE.id).at(-1));
    expect(answer.text).toBe("That release job does not exist (any more). Nothing changed.");
  });
});

describe("App Home", () => {
  it("shows Bob the approvals waiting for him and recent activity, and Alice her active job", async () => {
    await world.app.slack.command("/release", "shift bookinfo/reviews-card 15", { user: ALICE });
    await until(() => approvalMessage(world.api));
    await settle();
    await world.app.slack.appHomeOpened({ user: BOB });
    const bob = await world.api.waitFor("views.publish", (c) => c.args.user_id === BOB.id);
    const bobText = JSON.stringify(bob.args.view);
    expect(bobText).toContain("Waiting for your approval (1)");
    expect(bobText).toContain("bookinfo/reviews-card");
    await world.app.slack.appHomeOpened({ user: ALICE });
    const alice = await world.api.waitFor("views.publish", (c) => c.args.user_id === ALICE.id);
    const aliceText = JSON.stringify(alice.args.view);
    expect(aliceText).toContain("Waiting for your approval (0)");
    expect(aliceText).toContain("Your active jobs (1)");
    world.api.expectNoViolations();
  });
});

describe("a failed job", () => {
  it("shows the failure on its card with Abandon, and abandoning it says so in the thread", async () => {
    world.kube.markImageBad("docker.io/bookinfo/ratings:broken");
    const { desk, cards } = world.app.graydesk.deps;
    const job = await desk.createJob(
      {
        name: "ratings-broken",
        namespace: "bookinfo",
        app: "bookinfo",
        service: "ratings",
        strategy: "canary",
        newVersion: {
          version: "v2",
          settings: {
            replicas: 1,
            containers: { mode: "replace-image", images: { ratings: "docker.io/bookinfo/ratings:broken" } },
          },
        },
      },
      ALICE.id,
    );
    const at = await cards.post(job, CHANNEL);
    const failed = await until(() => {
      const m = world.api.message(CHANNEL, at.ts);
      return JSON.stringify(m?.blocks).includes("job_abandon") ? m : undefined;
    }, 10_000);
    expect(JSON.stringify(failed.blocks)).toContain("failed");
    const told = await world.api.waitFor("chat.postMessage", (c) =>
      String(c.args.text).includes("ratings-broken* failed"),
    );
    expect(told.args.thread_ts).toBe(at.ts);
    // Abandoning moves traffic and deletes objects: it is asked for in the thread and approved like offline.
    await world.app.slack.clickButton(failed, "job_abandon", { user: ALICE });
    const request = await until(() =>
      world.api
        .messages(CHANNEL)
        .find((m) => String(m.text).startsWith("abandon the failed job") && m.thread_ts === at.ts),
    );
    expect(desk.job(job.id)?.state).toBe("failed");
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() => desk.job(job.id)?.state === "abandoned", 10_000);
    world.api.expectNoViolations();
  });
});
