import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, createReviewsJob, startWorld, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await createReviewsJob(world, "reviews-v2");
}, 60_000);
afterAll(async () => {
  await world?.close();
});

async function history(): Promise<string> {
  world.api.reset();
  await world.app.slack.command("/release", "history bookinfo/reviews-v2", { user: ALICE });
  const posted = await world.api.waitFor("response_url");
  return JSON.stringify(posted.args);
}

describe("/release history through the audit log's job index", () => {
  it("shows the job's records, and ones appended after the index was built", async () => {
    const first = await history();
    const { audit } = world.app.graydesk;
    // Records naming the job by name (those naming it by id are not its history today, as before the index).
    const job = (await audit.readAll()).filter((r) => r.job === "reviews-v2" && r.namespace === "bookinfo");
    expect(await audit.forJob("bookinfo", "reviews-v2")).toEqual(job);
    await audit.append({ kind: "retried", actor: ALICE.id, job: "reviews-v2", namespace: "bookinfo" });
    await audit.append({ kind: "retried", actor: ALICE.id, job: "other", namespace: "bookinfo" });
    const after = await audit.forJob("bookinfo", "reviews-v2");
    expect(after).toHaveLength(job.length + 1);
    expect(after.at(-1)).toMatchObject({ kind: "retried", job: "reviews-v2" });
    const second = await history();
    expect(second).not.toEqual(first);
    expect(second.length).toBeGreaterThan(first.length);
  }, 30_000);
});
