// A card redrawn after someone's action (not by the refresher) is what the refresher's next round compares with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardHash } from "../../../src/telemetry/index.ts";
import { createReviewsJob, startWorld, type World } from "../desk/world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

describe("a card redrawn outside the refresher", () => {
  it("is told to the refresher, whose next round does not draw it again", async () => {
    const { graydesk } = world.app;
    const job = await createReviewsJob(world, "reviews-v2");
    expect(await graydesk.refresher.refreshNow()).toMatchObject({ jobs: 1, failed: 0 });
    const redrawn: { jobId: string; hash: string }[] = [];
    graydesk.deps.cards.onRedrawn((jobId, update) => redrawn.push({ jobId, hash: cardHash(update) }));
    const updatesBefore = world.api.calls.filter((c) => c.method === "chat.update").length;

    await graydesk.deps.cards.refresh(job.id);
    expect(redrawn.map((r) => r.jobId)).toEqual([job.id]);
    expect(redrawn[0]?.hash).toMatch(/^[0-9a-f]{16}$/);
    const again = await graydesk.refresher.refreshNow();
    expect(again).toMatchObject({ jobs: 1, updated: 0, unchanged: 1, failed: 0 });
    // One chat.update: the redraw's own (the outbox's), none from the round.
    const updates = world.api.calls.filter((c) => c.method === "chat.update").length - updatesBefore;
    expect(updates).toBe(1);
  }, 120_000);
});
