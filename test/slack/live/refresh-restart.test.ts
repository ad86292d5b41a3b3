// The card refresher keeps each card's hash in the store: a new process on the same DATA_DIR does not redraw the
// cards whose content did not change (at 5,000 live jobs Slack's chat.update limit would take over an hour).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGraydesk, startTestGraydesk } from "../../harness/graydesk.ts";
import { CHANNEL, createReviewsJob, POLICY, startWorld, type World } from "../desk/world.ts";

let world: World;
let restarted: RunningGraydesk | undefined;

beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await restarted?.stop();
  await world?.close();
});

describe("a restarted card refresher", () => {
  it("redraws only the cards whose content changed since the last process drew them", async () => {
    const job = await createReviewsJob(world, "reviews-v2");
    const first = await world.app.graydesk.refresher.refreshNow();
    expect(first).toMatchObject({ jobs: 1, failed: 0 });
    const kept = world.app.graydesk.store.data().channels[CHANNEL]?.drawn as Record<string, string>;
    expect(Object.keys(kept)).toEqual([job.id]);
    await world.app.stop();

    restarted = await startTestGraydesk(world.api, {
      kubeconfig: world.kube.kubeconfigPath,
      dataDir: world.app.config.dataDir,
      policyFile: POLICY,
    });
    const mark = world.api.calls.length;
    const again = await restarted.graydesk.refresher.refreshNow();
    expect(again).toMatchObject({ jobs: 1, updated: 0, unchanged: 1, failed: 0 });
    expect(world.api.calls.slice(mark).filter((c) => c.method === "chat.update")).toEqual([]);
  }, 120_000);
});
