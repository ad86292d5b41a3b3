import { describe, expect, it } from "vitest";
import { idleTrim, lastResortGc, youngGenerationBytes } from "../src/idle-trim.ts";

const MB = 2 ** 20;

function world(young = 16 * MB) {
  const state = { arrivals: 0, busy: false, young, collections: 0, trims: [] as [number, number][] };
  const trim = idleTrim({
    arrivals: () => state.arrivals,
    busy: () => state.busy,
    gc: () => {
      state.collections++;
      state.young = 1 * MB;
    },
    youngBytes: () => state.young,
    onTrim: (before, after) => state.trims.push([before, after]),
  });
  return { state, trim };
}

describe("idle trim", () => {
  it("collects once after a whole quiet interval, when the young generation grew past its limit", () => {
    const { state, trim } = world();
    expect(trim.tick()).toBe(true);
    expect(state.collections).toBe(1);
    expect(state.trims).toEqual([[16 * MB, 1 * MB]]);
    // Already small: nothing to give back, no second collection in the same quiet spell.
    expect(trim.tick()).toBe(false);
    expect(state.collections).toBe(1);
  });

  it("does not collect in an interval in which a request arrived, only in the next quiet one", () => {
    const { state, trim } = world();
    state.arrivals = 3;
    expect(trim.tick()).toBe(false);
    expect(state.collections).toBe(0);
    expect(trim.tick()).toBe(true);
    expect(state.collections).toBe(1);
  });

  it("does not collect while work is running", () => {
    const { state, trim } = world();
    state.busy = true;
    expect(trim.tick()).toBe(false);
    state.busy = false;
    expect(trim.tick()).toBe(true);
  });

  it("does nothing without a collector (a process started without --expose-gc)", () => {
    const trim = idleTrim({ arrivals: () => 0, busy: () => false, gc: undefined, youngBytes: () => 64 * MB });
    expect(trim.tick()).toBe(false);
  });

  it("reads V8's young generation, and offers a collector only when gc is exposed", () => {
    expect(youngGenerationBytes()).toBeGreaterThan(0);
    expect(typeof lastResortGc()).toBe(typeof globalThis.gc === "function" ? "function" : "undefined");
  });

  it("starts and stops its timer", () => {
    const { trim } = world();
    trim.start();
    trim.start();
    trim.stop();
    trim.stop();
    expect(trim.tick()).toBe(true);
  });
});
