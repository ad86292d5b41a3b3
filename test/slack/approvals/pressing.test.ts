// Telling people about one approval waits while other presses are between their ack and their write, so a burst's
// changes reach the cluster first; it never waits longer than its bound.
import { describe, expect, it } from "vitest";
import { Pressing } from "../../../src/slack/approvals/pressing.ts";

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe("presses before their write hold back the telling", () => {
  it("goes at once with no press under way, waits while one is, and goes when the last one writes", async () => {
    const pressing = new Pressing(60_000);
    expect(await settled(pressing.idle())).toBe(true);
    const first = pressing.begin();
    const second = pressing.begin();
    const waiting = pressing.idle();
    expect(await settled(waiting)).toBe(false);
    first();
    first();
    expect(await settled(waiting)).toBe(false);
    second();
    expect(await settled(waiting)).toBe(true);
  });

  it("waits no longer than its bound", async () => {
    const pressing = new Pressing(20);
    pressing.begin();
    await expect(pressing.idle()).resolves.toBeUndefined();
  });
});
