import { describe, expect, it } from "vitest";
import type { NewVersionContext, NewVersionSettings } from "../../src/release/index.ts";
import { appKind, MAX_REPLICAS, validateNewVersion, validateServiceChoice } from "../../src/release/index.ts";

const context: NewVersionContext = {
  existingVersions: ["v1"],
  stableContainers: ["reviews"],
  namespace: { configMaps: {}, secrets: {} },
};
const replace = (images: Record<string, string>, replicas = 1): NewVersionSettings => ({
  replicas,
  containers: { mode: "replace-image", images },
});

describe("new version settings", () => {
  it("accepts an image swap", () => {
    expect(
      validateNewVersion({ version: "v2", settings: replace({ reviews: "reviews:v2" }) }, context),
    ).toEqual([]);
  });
  it.each([0, MAX_REPLICAS + 1, 1.5])("refuses %d replicas", (replicas) => {
    expect(
      validateNewVersion({ version: "v2", settings: replace({ reviews: "reviews:v2" }, replicas) }, context),
    ).toEqual([{ field: "replicas", message: "Replicas are a whole number from 1 to 100." }]);
  });
  it("refuses images for containers the stable version does not have", () => {
    expect(validateNewVersion({ version: "v2", settings: replace({ web: "nginx" }) }, context)).toEqual([
      { field: "images.web", message: "The current version has no container web; choose one of reviews." },
    ]);
  });
  it("refuses an empty image swap and reports the version too", () => {
    expect(validateNewVersion({ version: "v1", settings: replace({}) }, context)).toEqual([
      { field: "version", message: "Version v1 is already deployed; choose another version number." },
      { field: "images", message: "Enter a new image for at least one container." },
    ]);
  });
  it("checks full container specs", () => {
    const settings: NewVersionSettings = {
      replicas: 2,
      containers: { mode: "full", containers: [{ name: "reviews", type: "work", image: "Reviews" }] },
    };
    expect(validateNewVersion({ version: "v2", settings }, context)).toEqual([
      { field: "containers[0].image", message: "Image repository names must be lowercase." },
    ]);
  });
});

describe("service settings", () => {
  it("accepts a service of a composed app with a deployed version", () => {
    const app = { name: "bookinfo", labels: { "app.kubernetes.io/name": "bookinfo" } };
    expect(validateServiceChoice({ app, service: { name: "reviews", versions: ["v1"] } })).toEqual([]);
  });
  it.each([
    [{ name: "wordpress", labels: { "app.kubernetes.io/managed-by": "Helm" } }],
    [{ name: "wordpress", labels: { "helm.sh/chart": "wordpress-1.0" } }],
    [{ name: "wordpress", kind: "template" as const }],
  ])("refuses template apps: %o", (app) => {
    expect(appKind(app)).toBe("template");
    expect(validateServiceChoice({ app, service: { name: "web", versions: ["v1"] } })).toEqual([
      {
        field: "app",
        message: "wordpress was installed from a template; grayscale release works on composed apps only.",
      },
    ]);
  });
  it("refuses a service with no deployed version", () => {
    expect(
      validateServiceChoice({ app: { name: "bookinfo" }, service: { name: "reviews", versions: [] } }),
    ).toEqual([{ field: "service", message: "Service reviews has no deployed version to release against." }]);
  });
});
