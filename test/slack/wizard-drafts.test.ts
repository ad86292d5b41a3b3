import { describe, expect, it } from "vitest";
import { METADATA_LIMIT, WizardDrafts } from "../../src/slack/wizard/index.ts";
import {
  backToRefusedField,
  createJobInput,
  stepOfField,
  type WizardState,
} from "../../views/wizard/index.ts";
import reviewsFixture from "../fixtures/wizard/reviews-version-step.json" with { type: "json" };

const REVIEWS = reviewsFixture as WizardState;

describe("wizard drafts", () => {
  it("leaves metadata that fits as it is", () => {
    const drafts = new WizardDrafts();
    const small = JSON.stringify(REVIEWS);
    expect(drafts.fit(small)).toBe(small);
    expect(drafts.resolve(small)).toBe(small);
    expect(drafts.size).toBe(0);
  });

  it("keeps metadata over Slack's 3000 characters as a draft and reads it back by key", () => {
    const drafts = new WizardDrafts();
    const big = JSON.stringify({ ...REVIEWS, name: "x".repeat(METADATA_LIMIT) });
    const key = drafts.fit(big);
    expect(key.length).toBeLessThanOrEqual(METADATA_LIMIT);
    expect(key).toMatch(/^draft:/);
    expect(drafts.resolve(key)).toBe(big);
    drafts.drop(key);
    expect(drafts.resolve(key)).toBeUndefined();
  });

  it("forgets drafts older than a day when new ones come", () => {
    let now = 0;
    const drafts = new WizardDrafts({ now: () => now, ttlMs: 1000 });
    const old = drafts.fit("y".repeat(METADATA_LIMIT + 1));
    now = 2000;
    drafts.fit("z".repeat(METADATA_LIMIT + 1));
    expect(drafts.resolve(old)).toBeUndefined();
    expect(drafts.size).toBe(1);
  });
});

describe("the finished wizard as the engine's input", () => {
  it("carries every tab, with the containers as entered", () => {
    expect(createJobInput(REVIEWS)).toEqual({
      name: "reviews-canary",
      namespace: "bookinfo",
      app: "bookinfo",
      service: "reviews",
      strategy: "canary",
      newVersion: {
        version: "v2",
        settings: {
          replicas: 2,
          containers: {
            mode: "replace-image",
            images: { reviews: "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3" },
          },
        },
      },
      channel: "C0RELEASES",
    });
  });

  it.each([
    ["name", "basic"],
    ["service", "service"],
    ["app", "service"],
    ["version", "version"],
    ["containers[0].ports[1].name", "version"],
    ["images.reviews", "version"],
    ["traffic.weights.v2", "strategy"],
  ])("a refused %s goes back to the %s tab", (field, step) => {
    expect(stepOfField(field)).toBe(step);
  });

  it("goes back to the first refused field's tab with its message on top", () => {
    const back = backToRefusedField({ ...REVIEWS, step: "strategy" }, [
      { field: "version", message: "Version v2 is already deployed; choose another version number." },
      { field: "name", message: "Give the job a name." },
    ]);
    expect(back.step).toBe("version");
    expect(back.notice).toBe("Version v2 is already deployed; choose another version number. (and 1 more)");
  });
});
