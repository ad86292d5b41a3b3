// The Kubernetes API fails while an approved change is applied: the job shows failed and retryable on its card
// and in its thread, no traffic moves, and the card's Retry button completes the change once the API is back.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Fault } from "../harness/kube/index.ts";
import type { StoredMessage } from "../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  createReviewsJob,
  reviewsWeights,
  startWorld,
  until,
  type World,
} from "../slack/desk/world.ts";

let world: World;
let jobId: string;
let percent = 10;

beforeAll(async () => {
  world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  jobId = (await createReviewsJob(world, "reviews-faults")).id;
  await approved(await ask(`shift reviews-faults ${percent}`));
  await until(async () => (await reviewsWeights(world.kube)).v2 === percent);
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.kube.faults.clear());

async function ask(text: string): Promise<StoredMessage> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", text, { user: ALICE });
  return until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  });
}

async function approved(request: StoredMessage) {
  const click = await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
  expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
}

function card(): StoredMessage {
  const at = world.app.graydesk.deps.cards.where(jobId);
  return world.api.message(CHANNEL, at?.ts as string) as StoredMessage;
}

describe("the API server fails in the middle of an approved shift", () => {
  it.each<[string, Fault]>([
    ["500", { kind: "status", status: 500, verb: "patch", resource: "virtualservices" }],
    [
      "429 with Retry-After",
      { kind: "status", status: 429, retryAfterSeconds: 1, verb: "patch", resource: "virtualservices" },
    ],
    ["a reset connection", { kind: "reset", verb: "patch", resource: "virtualservices" }],
  ])("%s: failed and retryable on the card and in the thread; Retry completes it", async (_name, fault) => {
    const before = await reviewsWeights(world.kube);
    const retries = async () =>
      (await world.app.graydesk.audit.readAll()).filter((r) => r.kind === "retried" && r.actor === BOB.id)
        .length;
    const retriedBefore = await retries();
    const target = percent + 15;
    const request = await ask(`shift reviews-faults ${target}`);
    world.kube.faults.add(fault);
    await approved(request);
    await until(() => world.app.graydesk.deps.desk.job(jobId)?.state === "failed", 10_000);
    const job = world.app.graydesk.deps.desk.job(jobId);
    expect(job?.failure).toMatchObject({ retryable: true });
    expect(job?.failure?.reason).toContain("VirtualService bookinfo/reviews");
    // No traffic moved.
    expect(await reviewsWeights(world.kube)).toEqual(before);
    // The request says it was not applied; the thread says why; the card offers Retry.
    await until(() =>
      JSON.stringify(world.api.message(request.channel, request.ts)?.blocks).includes("Failed"),
    );
    await until(() =>
      world.api.messages(CHANNEL).some((m) => m.thread_ts && String(m.text).includes("was not applied")),
    );
    const failedCard = await until(() => {
      const c = card();
      return JSON.stringify(c?.blocks).includes('"job_retry"') ? c : undefined;
    });

    const retry = await world.app.slack.clickButton(failedCard, "job_retry", { user: BOB });
    expect(retry.ackMs).toBeLessThan(ACK_BOUND_MS);
    await until(async () => (await reviewsWeights(world.kube)).v2 === target, 10_000);
    percent = target;
    expect(world.app.graydesk.deps.desk.job(jobId)?.state).toBe("active");
    await until(() => !JSON.stringify(card()?.blocks).includes('"job_retry"'));
    // The retry is recorded after the change it made.
    await until(async () => (await retries()) === retriedBefore + 1);
  });
});
