import { describe, expect, it } from "vitest";
import { InFlight } from "../../src/slack/in-flight.ts";

describe("InFlight", () => {
  it("waits for tracked work to finish", async () => {
    const inFlight = new InFlight();
    let done = false;
    inFlight.track(new Promise((r) => setTimeout(r, 50)).then(() => (done = true)));
    expect(inFlight.size).toBe(1);
    expect(await inFlight.drain(1000)).toBe(true);
    expect(done).toBe(true);
    expect(inFlight.size).toBe(0);
  });

  it("gives up after the timeout and says so", async () => {
    const inFlight = new InFlight();
    inFlight.track(new Promise(() => {}));
    expect(await inFlight.drain(20)).toBe(false);
  });

  it("counts failed work as finished", async () => {
    const inFlight = new InFlight();
    inFlight.track(Promise.reject(new Error("boom"))).catch(() => {});
    expect(await inFlight.drain(100)).toBe(true);
    expect(inFlight.size).toBe(0);
  });
});
