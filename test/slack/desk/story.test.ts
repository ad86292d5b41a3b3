import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playBookinfoStory } from "./bookinfo-story.ts";
import { startWorld, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe("seed 004 through Slack: reviews v2 canary 20 % → 80 % → take over → offline", () => {
  it("runs the whole story with Alice asking and Bob approving", async () => {
    // The story asserts each step as it goes (cluster objects, cards, audit); here, what is left at the end.
    await playBookinfoStory(world);
    expect(world.api.messages("C0APPROVERS")).toHaveLength(4);
  });
});
