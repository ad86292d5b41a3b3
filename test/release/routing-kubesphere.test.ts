import { describe, expect, it } from "vitest";
import type { KubeSphereFlavour, StrategyObject, TrafficPolicy } from "../../src/release/index.ts";
import { desiredStrategy, overExisting, readStrategy } from "../../src/release/index.ts";
import { loadFixture, reviewsJob } from "./fixtures.ts";

const fields = loadFixture<Record<KubeSphereFlavour, string[]>>("kubesphere-strategy-fields.yaml");
const job = reviewsJob({ strategy: "canary" });

/** Every field path of `value`, `[]` for array items and `{}` for map values under `headers`-like maps. */
function paths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item) => paths(item, `${prefix}[]`))];
  if (value === null || typeof value !== "object") return [prefix];
  const isMap = /(headers|without_headers|withoutHeaders)$/.test(prefix);
  const children = Object.entries(value).flatMap(([key, item]) =>
    paths(item, isMap ? `${prefix}{}` : prefix ? `${prefix}.${key}` : key),
  );
  return prefix ? [prefix, ...children] : children;
}

const splits: [string, TrafficPolicy][] = [
  ["weights", { kind: "weights", weights: { v1: 80, v2: 20 } }],
  ["mirror", { kind: "mirror", percent: 40, to: "v2" }],
  ["serve", { kind: "serve", version: "v2" }],
];

describe.each<KubeSphereFlavour>(["3.4", "3.3"])("KubeSphere %s Strategy", (flavour) => {
  it.each(splits)("writes only fields the CRD keeps, and reads back %s", (_kind, split) => {
    const subject = split.kind === "mirror" ? reviewsJob({ strategy: "mirror" }) : job;
    const strategy = desiredStrategy(subject, split, flavour);
    for (const path of paths(strategy.spec.template.spec)) expect(fields[flavour]).toContain(path);
    expect(readStrategy(strategy).split).toEqual(split);
  });

  it("describes the job in the Strategy spec", () => {
    const strategy = desiredStrategy(job, { kind: "weights", weights: { v1: 80, v2: 20 } }, flavour);
    expect(strategy).toMatchObject({
      apiVersion: "servicemesh.kubesphere.io/v1alpha2",
      kind: "Strategy",
      metadata: { name: "reviews-canary", namespace: "bookinfo" },
      spec: {
        type: "Canary",
        principal: "v1",
        selector: { matchLabels: { app: "reviews", "app.kubernetes.io/name": "bookinfo" } },
        strategyPolicy: "Immediately",
      },
    });
    // Both CRDs prune template.metadata's contents: writing it would be a change that never converges (G5).
    expect(Object.keys(strategy.spec.template)).toEqual(["spec"]);
    expect(strategy.spec.governor).toBeUndefined();
    expect(readStrategy(strategy)).toEqual({
      name: "reviews-canary",
      namespace: "bookinfo",
      strategy: "canary",
      service: "reviews",
      principal: "v1",
      versions: ["v1", "v2"],
      split: { kind: "weights", weights: { v1: 80, v2: 20 } },
      policy: "Immediately",
    });
  });

  it("names the version that took over as governor", () => {
    const strategy = desiredStrategy(job, { kind: "serve", version: "v2" }, flavour, "WaitForWorkloadReady");
    expect(strategy.spec.governor).toBe("v2");
    expect(strategy.spec.strategyPolicy).toBe("WaitForWorkloadReady");
    expect(readStrategy(strategy).governor).toBe("v2");
  });
});

describe("a change laid over a Strategy made in the console (G6)", () => {
  const console: StrategyObject = {
    apiVersion: "servicemesh.kubesphere.io/v1alpha2",
    kind: "Strategy",
    metadata: { name: "reviews-console", namespace: "bookinfo" },
    spec: {
      type: "Canary",
      principal: "v1",
      selector: { matchLabels: { app: "reviews" } },
      strategyPolicy: "Paused",
      template: { metadata: {}, spec: { hosts: ["reviews"], http: [] } },
    },
  };

  it("keeps the console's selector, policy and template.metadata; only the routes change", () => {
    const desired = desiredStrategy(job, { kind: "weights", weights: { v1: 50, v2: 50 } }, "3.4");
    const laid = overExisting(desired, console);
    expect(laid.spec.selector).toEqual({ matchLabels: { app: "reviews" } });
    expect(laid.spec.strategyPolicy).toBe("Paused");
    expect(laid.spec.template.metadata).toEqual({});
    expect(laid.spec.template.spec).toEqual(desired.spec.template.spec);
    expect(overExisting(desired, undefined)).toBe(desired);
  });
});

describe("casing differences", () => {
  it("writes mirror_percentage for 3.4 and mirrorPercentage for 3.3", () => {
    const mirrorJob = reviewsJob({ strategy: "mirror" });
    const split: TrafficPolicy = { kind: "mirror", percent: 40, to: "v2" };
    const snake = JSON.stringify(desiredStrategy(mirrorJob, split, "3.4").spec.template.spec);
    const camel = JSON.stringify(desiredStrategy(mirrorJob, split, "3.3").spec.template.spec);
    expect(snake).toContain('"mirror_percentage":{"value":40}');
    expect(snake).not.toContain("mirrorPercentage");
    expect(camel).toContain('"mirrorPercentage":{"value":40}');
  });

  it("keeps request conditions in 3.3, header names untouched", () => {
    const split: TrafficPolicy = { kind: "match", rules: [{ kind: "os", systems: ["linux"] }], to: "v2" };
    const strategy = desiredStrategy(job, split, "3.3");
    for (const path of paths(strategy.spec.template.spec)) expect(fields["3.3"]).toContain(path);
    expect(readStrategy(strategy).split).toEqual(split);
  });

  it("refuses request conditions in 3.4, whose CRD would prune the match values", () => {
    const split: TrafficPolicy = {
      kind: "match",
      rules: [{ kind: "uri", match: "prefix", value: "/v2" }],
      to: "v2",
    };
    expect(() => desiredStrategy(job, split, "3.4")).toThrow(
      expect.objectContaining({
        code: "unsupported",
        message:
          "KubeSphere 3.4 drops request-parameter conditions from grayscale jobs; use the Istio router for this job.",
      }),
    );
  });

  it("reads a Strategy created in the KubeSphere console (3.4, snake_case)", () => {
    const console: StrategyObject = {
      apiVersion: "servicemesh.kubesphere.io/v1alpha2",
      kind: "Strategy",
      metadata: { name: "demo-canary", namespace: "demo" },
      spec: {
        type: "Mirror",
        principal: "v1",
        governor: "",
        template: {
          spec: {
            hosts: ["demo-svc"],
            http: [
              {
                route: [{ destination: { host: "demo-svc", subset: "v1" }, weight: 100 }],
                mirror: { host: "demo-svc", subset: "v2" },
                mirror_percentage: { value: 100 },
              },
            ],
          },
        },
      },
    };
    expect(readStrategy(console)).toEqual({
      name: "demo-canary",
      namespace: "demo",
      strategy: "mirror",
      service: "demo-svc",
      principal: "v1",
      versions: ["v1", "v2"],
      split: { kind: "mirror", percent: 100, to: "v2" },
    });
  });
});
