import { describe, expect, it } from "vitest";
import { ReleaseError, replicaSplit } from "../../src/release/index.ts";

describe("replicaSplit", () => {
  it.each([
    [20, 5, { stable: 4, canary: 1, actualPercent: 20 }],
    [33, 4, { stable: 3, canary: 1, actualPercent: 25 }],
    [50, 3, { stable: 2, canary: 1, actualPercent: 33.33 }],
    [80, 5, { stable: 1, canary: 4, actualPercent: 80 }],
    [1, 10, { stable: 9, canary: 1, actualPercent: 10 }],
    [99, 10, { stable: 1, canary: 9, actualPercent: 90 }],
    [50, 1, { stable: 1, canary: 1, actualPercent: 50 }],
    [0, 4, { stable: 4, canary: 0, actualPercent: 0 }],
    [100, 4, { stable: 0, canary: 4, actualPercent: 100 }],
  ])("%i %% of %i pods", (percent, total, split) => {
    expect(replicaSplit(percent, total)).toEqual(split);
  });

  it("keeps the stable version's current total by default", () => {
    expect(replicaSplit(33, { stableReplicas: 4 })).toEqual({ stable: 3, canary: 1, actualPercent: 25 });
  });

  it("may grow the total up to max to get closer", () => {
    expect(replicaSplit(33, { stableReplicas: 4, max: 6 })).toEqual({
      stable: 4,
      canary: 2,
      actualPercent: 33.33,
    });
    expect(replicaSplit(50, { stableReplicas: 3, max: 4 })).toEqual({
      stable: 2,
      canary: 2,
      actualPercent: 50,
    });
  });

  it.each([
    [-1, 4],
    [101, 4],
    [12.5, 4],
    [50, 0],
  ])("refuses %d %% of %d pods", (percent, total) => {
    expect(() => replicaSplit(percent, total)).toThrow(ReleaseError);
  });
});
