import { describe, expect, it } from "vitest";
import { byText } from "../../src/release/index.ts";

describe("byText", () => {
  it("orders ISO times oldest first and names as Kubernetes spells them", () => {
    expect(
      ["2026-12-06T10:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-12-06T09:59:59.999Z"].sort(byText),
    ).toEqual(["2026-01-01T00:00:00.000Z", "2026-12-06T09:59:59.999Z", "2026-12-06T10:00:00.000Z"]);
    expect(["reviews-v2", "details", "reviews", "reviews-v10"].sort(byText)).toEqual([
      "details",
      "reviews",
      "reviews-v10",
      "reviews-v2",
    ]);
  });

  it("answers 0 for equal strings, so sorts stay stable", () => {
    expect(byText("v1", "v1")).toBe(0);
    const pairs = [
      { name: "a", n: 1 },
      { name: "a", n: 2 },
      { name: "A", n: 3 },
    ];
    expect(pairs.sort((x, y) => byText(x.name, y.name)).map((p) => p.n)).toEqual([3, 1, 2]);
  });
});
