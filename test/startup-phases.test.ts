import { describe, expect, it } from "vitest";
import { startupPhases } from "../src/startup-phases.ts";

describe("start-up phases", () => {
  it("records each step's time since the previous step ended, in order", () => {
    const times = [100, 130.4, 130.6, 1130];
    const timer = startupPhases(() => times.shift() as number);
    timer.done("store");
    timer.done("audit trail");
    timer.done("recovery");
    expect(timer.phases).toEqual({ store: 30, "audit trail": 0, recovery: 999 });
    expect(Object.keys(timer.phases)).toEqual(["store", "audit trail", "recovery"]);
  });
});
