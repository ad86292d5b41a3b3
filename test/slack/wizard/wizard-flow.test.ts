import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, startWorld, type World } from "../desk/world.ts";
import { latestView, walkWizardToJob } from "./wizard-walk.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

describe("/release new canary through the real receiver", () => {
  it("walks the four tabs, corrects a version inline, keeps values on Back and creates the job", async () => {
    await walkWizardToJob(world);
  });

  it("says the wizard expired when its state is gone, and acks a closed wizard", async () => {
    const { slack } = world.app;
    await slack.command("/release", "new mirror", { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    const view = latestView(world, (opened.response as { view: { id: string } }).view.id);
    const lost = await slack.submitView(
      { ...view, private_metadata: "draft:gone" },
      { wizard_name: { wizard_name: "x" } },
    );
    expect(lost.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(JSON.stringify(lost.json)).toContain("This wizard has expired");
    const closed = await slack.closeView(view);
    expect(closed.status).toBe(200);
    world.api.expectNoViolations();
  });
});
