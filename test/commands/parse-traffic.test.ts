import { describe, expect, it } from "vitest";
import { parseTraffic } from "../../commands/parse-traffic.ts";
import { reviewsJob } from "../release/fixtures.ts";

const canary = reviewsJob();
const mirror = reviewsJob({ strategy: "mirror", traffic: { kind: "mirror", percent: 100, to: "v2" } });

describe("parseTraffic: the traffic words of /release shift", () => {
  it.each([
    ["20", { kind: "weights", weights: { v1: 80, v2: 20 } }],
    ["80%", { kind: "weights", weights: { v1: 20, v2: 80 } }],
    ["0", { kind: "weights", weights: { v1: 100, v2: 0 } }],
    ["v1=80 v2=20", { kind: "weights", weights: { v1: 80, v2: 20 } }],
    [
      "header:x-canary=always",
      {
        kind: "match",
        to: "v2",
        rules: [{ kind: "header", name: "x-canary", match: "exact", value: "always" }],
      },
    ],
    [
      "cookie:user^=test uri^=/api",
      {
        kind: "match",
        to: "v2",
        rules: [
          { kind: "cookie", name: "user", match: "prefix", value: "test" },
          { kind: "uri", match: "prefix", value: "/api" },
        ],
      },
    ],
    ["os:android,ios", { kind: "match", to: "v2", rules: [{ kind: "os", systems: ["android", "ios"] }] }],
  ])("canary: %s", (text, traffic) => {
    expect(parseTraffic(text.split(" "), canary)).toEqual({ ok: true, traffic });
  });

  it("mirror jobs take mirror=<percent>", () => {
    expect(parseTraffic(["mirror=30"], mirror)).toEqual({
      ok: true,
      traffic: { kind: "mirror", percent: 30, to: "v2" },
    });
  });

  it.each([
    [canary, "120", "120 % is more than all traffic (100 %)."],
    [canary, "v1=80 v2=30", "Traffic shares must add up to 100 %; these add up to 110 %."],
    [canary, "v1=80 v3=20", "v3 is not a version of this job; use v1 or v2."],
    [canary, "mirror=30", "A canary job cannot use a mirror traffic policy."],
    [mirror, "20", "A mirror job cannot use a weights traffic policy."],
    [mirror, "mirror=0", "Mirror a whole percentage of traffic from 1 to 100."],
    [mirror, "mirror=abc", "`mirror=abc` needs a whole percentage."],
    [canary, "os:beos", "`os:beos`: name client systems from windows, linux, macos, android, ios."],
    [
      canary,
      "lots",
      "`lots` is not a percentage, a `version=percent` pair, `mirror=percent` or a condition such as `header:x-canary=always`.",
    ],
  ])("refuses %#: %s", (job, text, problem) => {
    expect(parseTraffic(text.split(" "), job)).toEqual({ ok: false, problem });
  });
});
