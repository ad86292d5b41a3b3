import { describe, expect, it } from "vitest";
import { leaks, surfaceLeaks, visibleTexts } from "./surface-words.ts";

describe("the surface reader finds what people should not read", () => {
  it.each([
    ["<@U1> *plan.applied* bookinfo/reviews-v2", "raw kind plan.applied"],
    ["graydesk *routes-held*", "raw kind routes-held"],
    ["reviews-v2 · taken-over", "raw kind taken-over"],
    ["at 2026-01-01T10:00:00.000Z", "ISO time"],
    ["Release digest — 2026-01-01 10:00 UTC", "UTC time"],
    ["job job-3e82e3d2 failed", "job id"],
    ["plan plan-9cbf604f", "plan id"],
    ["request 4f0c2a1e-9d1b-4c5e-8a6f-0b1c2d3e4f5a", "request id"],
  ])("%s → %s", (text, what) => {
    expect(leaks(text).join("\n")).toContain(what);
  });

  it("passes a Slack date token (its fallback is for old clients) and plain words", () => {
    expect(leaks("Expires <!date^1767263400^{date_short_pretty} at {time}|2026-01-01 10:30 UTC>")).toEqual(
      [],
    );
    expect(leaks("<@U0BOB> *let the new version take over* — reviews: v1 20 → 0, v2 80 → 100")).toEqual([]);
  });

  it("reads only what is shown: texts, not action ids, values or metadata", () => {
    const message = {
      text: "fallback",
      blocks: [
        {
          type: "actions",
          block_id: "x",
          elements: [{ type: "button", text: { type: "plain_text", text: "Go" }, value: "job-3e82e3d2" }],
        },
      ],
      private_metadata: '{"jobId":"job-3e82e3d2"}',
    };
    expect(visibleTexts(message)).toEqual(["fallback", "Go"]);
    expect(surfaceLeaks(message)).toEqual([]);
  });
});
