// The pure pieces of the test server: selectors, patches, field ownership.

import { describe, expect, it } from "vitest";
import { recordUpdate, serverSideApply } from "./apply.ts";
import { fieldsOf, printPath } from "./fields.ts";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch.ts";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "./selectors.ts";
import type { StatusError } from "./status.ts";
import type { KubeObject } from "./store.ts";

describe("label selectors", () => {
  const labels = { app: "reviews", version: "v2" };
  it.each([
    ["app=reviews", true],
    ["app==reviews", true],
    ["app!=reviews", false],
    ["version in (v1, v2)", true],
    ["version notin (v2)", false],
    ["app,version", true],
    ["!canary", true],
    ["app=reviews,version=v3", false],
    ["missing!=x", true],
  ])("%s → %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it("rejects malformed requirements", () => {
    expect(() => parseLabelSelector("app=re views")).toThrow(SelectorError);
  });

  it("supports only the field labels given", () => {
    const reqs = parseFieldSelector("metadata.name=a,metadata.namespace!=b", [
      "metadata.name",
      "metadata.namespace",
    ]);
    const get = (f: string) => ({ "metadata.name": "a", "metadata.namespace": "c" })[f];
    expect(matchesFields(reqs, get)).toBe(true);
    expect(() => parseFieldSelector("spec.x=1", ["metadata.name"])).toThrow(
      `"spec.x" is not a known field selector: only "metadata.name"`,
    );
  });
});

describe("JSON merge patch", () => {
  it("merges maps, replaces lists and deletes with null", () => {
    const out = mergePatch({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { b: 3 }, l: [3], d: null });
    expect(out).toEqual({ a: { b: 3, c: 2 }, l: [3] });
  });
});

describe("JSON patch", () => {
  const doc = { spec: { http: [{ route: [{ weight: 90 }, { weight: 10 }] }] } };
  it("tests, replaces, adds and removes", () => {
    const out = jsonPatch(doc, [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 90 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 50 },
      { op: "add", path: "/spec/http/0/route/-", value: { weight: 0 } },
      { op: "remove", path: "/spec/http/0/route/1" },
    ]);
    expect(out).toEqual({ spec: { http: [{ route: [{ weight: 50 }, { weight: 0 }] }] } });
    expect(doc.spec.http[0]?.route[0]?.weight).toBe(90);
  });

  it("fails a test with kube's wording", () => {
    expect(() => jsonPatch(doc, [{ op: "test", path: "/spec/http/0/route/0/weight", value: 1 }])).toThrow(
      new PatchError("testing value /spec/http/0/route/0/weight failed: test failed"),
    );
  });

  it("fails on a missing path or a bad index", () => {
    expect(() => jsonPatch(doc, [{ op: "replace", path: "/spec/tcp/0", value: 1 }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, [{ op: "remove", path: "/spec/http/5" }])).toThrow(PatchError);
    expect(() => jsonPatch(doc, { op: "add" })).toThrow(PatchError);
  });
});

describe("strategic merge patch", () => {
  it("merges containers and env by name, replaces other lists, honours $patch: delete", () => {
    const current = {
      spec: {
        containers: [
          { name: "app", image: "a:1", env: [{ name: "X", value: "1" }], args: ["a"] },
          { name: "sidecar", image: "s:1" },
        ],
      },
    };
    const out = strategicMergePatch(current, {
      spec: {
        containers: [
          { name: "app", image: "a:2", env: [{ name: "Y", value: "2" }], args: ["b"] },
          { name: "sidecar", $patch: "delete" },
        ],
        $setElementOrder: [],
      },
    });
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: "app",
            image: "a:2",
            env: [
              { name: "X", value: "1" },
              { name: "Y", value: "2" },
            ],
            args: ["b"],
          },
        ],
      },
    });
  });
});

describe("field ownership", () => {
  const vs = (weights: number[], extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: "bookinfo" },
    spec: { hosts: ["reviews"], http: [{ route: weights.map((weight) => ({ weight })) }], ...extra },
  });
  const input = (live: KubeObject | undefined, applied: KubeObject, manager: string, force = false) => ({
    live,
    applied,
    manager,
    force,
    apiVersion: "networking.istio.io/v1",
    keyedLists: false,
    now: "2026-01-01T00:00:00Z",
  });

  it("lists fields with atomic lists as leaves and keyed built-in lists by key", () => {
    expect([...fieldsOf(vs([1]), false)].map(printPath)).toEqual([".spec.hosts", ".spec.http"]);
    const pod = {
      metadata: { name: "p", labels: { a: "b" } },
      spec: { containers: [{ name: "app", image: "i" }] },
    };
    expect([...fieldsOf(pod, true)].map(printPath)).toEqual([
      ".metadata.labels.a",
      '.spec.containers[name="app"]',
      '.spec.containers[name="app"].name',
      '.spec.containers[name="app"].image',
    ]);
  });

  it("shares fields applied with equal values and conflicts on different ones", () => {
    const first = serverSideApply(input(undefined, vs([100]), "graydesk"));
    const shared = serverSideApply(input(first, vs([100]), "other"));
    expect(shared.metadata.managedFields?.map((m) => m.manager)).toEqual(["graydesk", "other"]);
    let err: StatusError | undefined;
    try {
      serverSideApply(input(shared, vs([50, 50]), "third"));
    } catch (e) {
      err = e as StatusError;
    }
    expect(err?.code).toBe(409);
    expect(err?.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "graydesk":\n- .spec.http\nconflicts with "other":\n- .spec.http',
    );
  });

  it("takes fields over with force", () => {
    const first = serverSideApply(input(undefined, vs([100]), "graydesk"));
    const forced = serverSideApply(input(first, vs([50, 50]), "other", true));
    const owners = Object.fromEntries(
      (forced.metadata.managedFields ?? []).map((m) => [m.manager, m.fieldsV1]),
    );
    expect(owners.graydesk).toEqual({ "f:spec": { "f:hosts": {} } });
    expect(owners.other).toEqual({ "f:spec": { "f:hosts": {}, "f:http": {} } });
  });

  it("removes a field its only owner stops applying, but keeps one someone else owns", () => {
    const first = serverSideApply(
      input(undefined, vs([100], { gateways: ["mesh"], exportTo: ["."] }), "graydesk"),
    );
    const edited = structuredClone(first);
    (edited.spec as Record<string, unknown>).exportTo = ["*"];
    recordUpdate(first, edited, "kubectl-edit", "networking.istio.io/v1", false, "2026-01-01T00:00:00Z");
    const again = serverSideApply(input(edited, vs([100]), "graydesk"));
    expect(again.spec).toEqual({ hosts: ["reviews"], http: [{ route: [{ weight: 100 }] }], exportTo: ["*"] });
  });
});
