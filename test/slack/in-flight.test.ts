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

  it("starts work after ack on a later turn, so requests already waiting are read first, and tracks it", async () => {
    const inFlight = new InFlight();
    const order: string[] = [];
    // A request already read and queued when this one acks.
    setImmediate(() => order.push("waiting request"));
    const work = inFlight.afterAck(async () => {
      order.push("work");
      return 7;
    });
    queueMicrotask(() => order.push("rest of this turn"));
    order.push("ack sent");
    expect(inFlight.size).toBe(1);
    expect(await work).toBe(7);
    expect(order).toEqual(["ack sent", "rest of this turn", "waiting request", "work"]);
    expect(inFlight.size).toBe(0);
  });

  it("tracks failed work after ack as finished and hands the failure back", async () => {
    const inFlight = new InFlight();
    await expect(inFlight.afterAck(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await inFlight.drain(100)).toBe(true);
  });
});
