import { describe, expect, it } from "vitest";
import type { ObjectRef, PlanStep } from "../../src/release/index.ts";
import {
  canonicalJson,
  changed,
  desiredVirtualService,
  makePlan,
  orderSteps,
  planHash,
  renderDiff,
  splitView,
  summarize,
} from "../../src/release/index.ts";
import { reviewsJob } from "./fixtures.ts";

const ref = (kind: string, name: string, apiVersion = "networking.istio.io/v1"): ObjectRef => ({
  apiVersion,
  kind,
  namespace: "bookinfo",
  name,
});
const deployment = (name: string) => ref("Deployment", name, "apps/v1");
const subsets = (...names: string[]) => ({ spec: { subsets: names.map((name) => ({ name })) } });
const replicas = (count: number) => ({ spec: { replicas: count } });
const order = (steps: PlanStep[]) =>
  orderSteps(steps).map((step) => `${step.action} ${step.object.kind}/${step.object.name}`);

describe("orderSteps", () => {
  it("deletes a KubeSphere Strategy only after the removed version's Deployment", () => {
    expect(
      order([
        { action: "delete", object: ref("Strategy", "reviews-v2", "servicemesh.kubesphere.io/v1alpha2") },
        { action: "delete", object: deployment("reviews-v1") },
      ]),
    ).toEqual(["delete Deployment/reviews-v1", "delete Strategy/reviews-v2"]);
  });

  it("moves traffic to a version only after its Deployment is ready", () => {
    expect(
      order([
        { action: "patch", object: ref("VirtualService", "reviews") },
        {
          action: "patch",
          object: ref("DestinationRule", "reviews"),
          before: subsets("v1"),
          after: subsets("v1", "v2"),
        },
        { action: "wait-ready", object: deployment("reviews-v2") },
        { action: "create", object: deployment("reviews-v2") },
      ]),
    ).toEqual([
      "create Deployment/reviews-v2",
      "wait-ready Deployment/reviews-v2",
      "patch DestinationRule/reviews",
      "patch VirtualService/reviews",
    ]);
  });

  it("takes traffic away from a version before deleting it when the job goes offline", () => {
    expect(
      order([
        { action: "delete", object: deployment("reviews-v1") },
        {
          action: "patch",
          object: ref("DestinationRule", "reviews"),
          before: subsets("v1", "v2"),
          after: subsets("v2"),
        },
        { action: "patch", object: ref("VirtualService", "reviews") },
      ]),
    ).toEqual([
      "patch VirtualService/reviews",
      "patch DestinationRule/reviews",
      "delete Deployment/reviews-v1",
    ]);
  });

  it("removes routing objects the job created before their subsets and workloads", () => {
    expect(
      order([
        { action: "delete", object: deployment("reviews-v2") },
        { action: "delete", object: ref("DestinationRule", "reviews") },
        { action: "delete", object: ref("VirtualService", "reviews") },
      ]),
    ).toEqual([
      "delete VirtualService/reviews",
      "delete DestinationRule/reviews",
      "delete Deployment/reviews-v2",
    ]);
  });

  it("scales the canary up and waits before scaling stable down (replica router)", () => {
    expect(
      order([
        { action: "scale", object: deployment("nginx-v1"), before: replicas(5), after: replicas(4) },
        { action: "wait-ready", object: deployment("nginx-v2") },
        { action: "scale", object: deployment("nginx-v2"), before: replicas(0), after: replicas(1) },
      ]),
    ).toEqual(["scale Deployment/nginx-v2", "wait-ready Deployment/nginx-v2", "scale Deployment/nginx-v1"]);
  });

  it("keeps the given order within a rank", () => {
    const steps: PlanStep[] = [
      { action: "patch", object: ref("VirtualService", "a") },
      { action: "patch", object: ref("Strategy", "b", "servicemesh.kubesphere.io/v1alpha2") },
    ];
    expect(orderSteps(steps)).toEqual(steps);
  });
});

describe("plans and their hash", () => {
  const steps: PlanStep[] = [
    {
      action: "patch",
      object: ref("VirtualService", "reviews"),
      patch: { type: "merge", body: { spec: { http: [] } } },
    },
    { action: "create", object: deployment("reviews-v2"), after: { b: 1, a: 2 } },
  ];
  const input = {
    id: "plan-1",
    jobId: "job-1",
    operation: "shift",
    steps,
    preconditions: [{ ref: ref("VirtualService", "reviews"), resourceVersion: "777" }],
    summary: "reviews: v1 100 → 50, v2 0 → 50",
  };

  it("orders steps and hashes steps + preconditions", () => {
    const plan = makePlan(input);
    expect(plan.steps.map((step) => step.action)).toEqual(["create", "patch"]);
    expect(plan.notes).toEqual([]);
    expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.hash).toBe(planHash(plan));
  });

  it("ignores key order and prose, but not the cluster state assumed", () => {
    const plan = makePlan(input);
    const reordered = makePlan({
      ...input,
      summary: "other words",
      notes: ["a note"],
      steps: [steps[0] as PlanStep, { ...(steps[1] as PlanStep), after: { a: 2, b: 1 } }],
    });
    expect(reordered.hash).toBe(plan.hash);
    const stale = makePlan({
      ...input,
      preconditions: [{ ref: ref("VirtualService", "reviews"), resourceVersion: "778" }],
    });
    expect(stale.hash).not.toBe(plan.hash);
  });

  it("writes canonical JSON", () => {
    expect(canonicalJson({ b: [1, { d: 1, c: undefined }], a: null })).toBe('{"a":null,"b":[1,{"d":1}]}');
  });
});

describe("summaries", () => {
  const job = reviewsJob();
  it.each([
    [
      { kind: "weights", weights: { v1: 80, v2: 20 } },
      { kind: "weights", weights: { v1: 20, v2: 80 } },
      "reviews: v1 80 → 20, v2 20 → 80",
    ],
    [
      { kind: "weights", weights: { v1: 50, v2: 50 } },
      { kind: "serve", version: "v2" },
      "reviews: v1 50 → 0, v2 50 → 100",
    ],
    [
      { kind: "serve", version: "v1" },
      { kind: "mirror", percent: 50, to: "v2" },
      "reviews: mirror to v2 0 → 50 %",
    ],
    [
      { kind: "weights", weights: { v1: 100, v2: 0 } },
      {
        kind: "match",
        rules: [
          { kind: "header", name: "end-user", match: "exact", value: "jason" },
          { kind: "os", systems: ["android", "ios"] },
        ],
        to: "v2",
      },
      "reviews: requests with header end-user = jason and client OS android or ios → v2, others → v1",
    ],
    [
      { kind: "match", rules: [{ kind: "uri", match: "prefix", value: "/v2" }], to: "v2" },
      { kind: "weights", weights: { v1: 90, v2: 10 } },
      "reviews: v1 100 → 90, v2 0 → 10, request conditions removed",
    ],
    [
      { kind: "weights", weights: { v1: 50, v2: 50 } },
      { kind: "weights", weights: { v1: 50, v2: 50 } },
      "reviews: no change",
    ],
  ] as const)("%o → %o", (before, after, text) => {
    expect(summarize(job, splitView(job, before as never), splitView(job, after as never))).toBe(text);
  });
});

describe("renderDiff", () => {
  const job = reviewsJob();
  const before = desiredVirtualService(job, { kind: "weights", weights: { v1: 80, v2: 20 } });
  const after = desiredVirtualService(job, { kind: "weights", weights: { v1: 20, v2: 80 } });
  const step: PlanStep = { action: "patch", object: ref("VirtualService", "reviews"), before, after };

  it("shows the changed lines with a little context", () => {
    const text = renderDiff(step);
    expect(text.split("\n")[0]).toBe("patch VirtualService bookinfo/reviews");
    expect(text).toMatch(/^- +weight: 80\n\+ +weight: 20$/m);
    expect(text).toMatch(/^- +weight: 20\n\+ +weight: 80$/m);
    expect(text).toContain("  …");
    expect(text).not.toContain("apiVersion");
  });

  it("cuts long diffs with a note, within the limit", () => {
    const text = renderDiff({ ...step, before: undefined }, 200);
    expect(text.length).toBeLessThanOrEqual(260);
    expect(text).toMatch(/… \d+ more lines not shown; the full plan has them all\.$/);
  });

  it("shows a Strategy without YAML anchors and without key-order noise (G4)", () => {
    const labels = { app: "reviews", "app.kubernetes.io/name": "bookinfo" };
    // Built here: one labels object used twice, keys in the order the code writes them.
    const built = {
      spec: {
        type: "Canary",
        principal: "v1",
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { http: [{ route: [{ weight: 60 }, { weight: 40 }] }] } },
      },
    };
    // Read back from the API server: the same content, keys in its own order.
    const read = {
      spec: {
        template: {
          spec: { http: [{ route: [{ weight: 80 }, { weight: 20 }] }] },
          metadata: { labels: { "app.kubernetes.io/name": "bookinfo", app: "reviews" } },
        },
        selector: { matchLabels: { "app.kubernetes.io/name": "bookinfo", app: "reviews" } },
        principal: "v1",
        type: "Canary",
      },
    };
    const text = renderDiff({
      action: "patch",
      object: ref("Strategy", "reviews", "servicemesh.kubesphere.io/v1alpha2"),
      before: read,
      after: built,
    });
    expect(text).not.toMatch(/[&*]a\d/);
    const changed = text.split("\n").filter((line) => /^[-+] /.test(line));
    expect(changed).toEqual([
      "-             - weight: 80",
      "-             - weight: 20",
      "+             - weight: 60",
      "+             - weight: 40",
    ]);
  });

  it("describes wait steps in words", () => {
    expect(renderDiff({ action: "wait-ready", object: deployment("reviews-v2") })).toBe(
      "wait-ready Deployment bookinfo/reviews-v2: wait until all replicas are ready",
    );
  });
});

describe("changed", () => {
  const job = reviewsJob();
  it("lists the paths that differ", () => {
    const before = desiredVirtualService(job, { kind: "weights", weights: { v1: 80, v2: 20 } });
    const after = desiredVirtualService(job, { kind: "weights", weights: { v1: 20, v2: 80 } });
    expect(changed(before, after)).toEqual(["spec.http[0].route[0].weight", "spec.http[0].route[1].weight"]);
    expect(changed(before, structuredClone(before))).toEqual([]);
    expect(changed({ a: [1] }, { a: [1, 2], b: 1 })).toEqual(["a[1]", "b"]);
    expect(changed(1, "1")).toEqual(["."]);
  });
});
