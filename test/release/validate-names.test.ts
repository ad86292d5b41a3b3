import { describe, expect, it } from "vitest";
import { validateContainerName, validateJobName, validateVersionNumber } from "../../src/release/index.ts";

describe("job name", () => {
  it.each(["reviews-canary", "a", "v2-rollout-1", "x".repeat(253)])("accepts %s", (name) => {
    expect(validateJobName(name)).toEqual([]);
  });
  it.each([
    ["", "Give the job a name."],
    ["x".repeat(254), "Job names can be at most 253 characters."],
    [
      "Reviews",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    [
      "-reviews",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    [
      "reviews-",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
    [
      "reviews.canary",
      "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
    ],
  ])("refuses %j", (name, message) => {
    expect(validateJobName(name)).toEqual([{ field: "name", message }]);
  });
});

describe("new version number", () => {
  it.each(["v2", "2", "canary7", "a".repeat(16)])("accepts %s", (version) => {
    expect(validateVersionNumber(version, ["v1"])).toEqual([]);
  });
  it.each([
    ["", "Give the new version a number, e.g. v2."],
    ["a".repeat(17), "Version numbers can be at most 16 characters."],
    ["V2", "Version numbers use lowercase letters and digits only, e.g. v2."],
    ["v2-beta", "Version numbers use lowercase letters and digits only, e.g. v2."],
    ["v1", "Version v1 is already deployed; choose another version number."],
  ])("refuses %j", (version, message) => {
    expect(validateVersionNumber(version, ["v1"])).toEqual([{ field: "version", message }]);
  });
});

describe("container name", () => {
  it.each(["reviews", "istio-proxy2", "a".repeat(63)])("accepts %s", (name) => {
    expect(validateContainerName(name, "containers[0].name")).toEqual([]);
  });
  it.each([
    ["", "Give the container a name."],
    ["a".repeat(64), "Container names can be at most 63 characters."],
    [
      "Web",
      "Container names use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
    ],
    [
      "web_1",
      "Container names use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
    ],
  ])("refuses %j", (name, message) => {
    expect(validateContainerName(name, "containers[0].name")).toEqual([
      { field: "containers[0].name", message },
    ]);
  });
});
