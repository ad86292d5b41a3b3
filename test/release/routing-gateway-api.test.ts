import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { describe, expect, it } from "vitest";
import type { HttpRouteObject, MatchRule, TrafficPolicy } from "../../src/release/index.ts";
import {
  desiredHttpRoute,
  desiredVersionService,
  gatewaysOnly,
  matchNotes,
  ReleaseError,
  readHttpRoute,
  readRouteMatch,
  routeMatch,
  routesService,
} from "../../src/release/index.ts";
import { loadFixture, reviewsJob } from "./fixtures.ts";

const job = reviewsJob({ router: "gateway-api" });
const all = { mirrorPercent: true, mirrorFraction: true };
const fixture = (name: string) => loadFixture<HttpRouteObject["spec"]>(`gateway-api/${name}`);
const handWritten = () => loadFixture<HttpRouteObject>("gateway-api/hand-written.yaml");
const validate = (route: object) => new HTTPRoute(route as never).validate();
const v3 = reviewsJob({
  router: "gateway-api",
  stableVersion: "v2",
  newVersion: { ...job.newVersion, version: "v3" },
});
const v3Rules: MatchRule[] = [
  { kind: "header", name: "End-User", match: "exact", value: "jason" },
  { kind: "cookie", name: "group", match: "exact", value: "beta" },
  { kind: "query", name: "tier", match: "exact", value: "gold" },
  { kind: "uri", match: "prefix", value: "/reviews" },
  { kind: "os", systems: ["android"] },
];

describe("desiredHttpRoute", () => {
  it("creates the mesh route with one weighted rule, as Gateway API's traffic-splitting example", () => {
    const route = desiredHttpRoute(job, { kind: "weights", weights: { v1: 50, v2: 50 } }, all);
    expect(route.spec).toEqual(fixture("split-50.yaml"));
    expect(route.metadata).toEqual({
      name: "reviews",
      namespace: "bookinfo",
      labels: { "app.kubernetes.io/managed-by": "graydesk", "graydesk.io/job": "reviews-canary" },
    });
    expect(() => validate(route)).not.toThrow();
  });

  it("mirrors with RequestMirror's percent, or its fraction where the CRD has only that", () => {
    const policy: TrafficPolicy = { kind: "mirror", percent: 30, to: "v2" };
    expect(desiredHttpRoute(job, policy, all).spec).toEqual(fixture("mirror-30.yaml"));
    const fraction = desiredHttpRoute(job, policy, { mirrorPercent: false, mirrorFraction: true });
    expect(fraction.spec.rules?.[0]?.filters?.[0]?.requestMirror).toEqual({
      backendRef: { name: "reviews-v2", port: 9080 },
      fraction: { numerator: 30, denominator: 100 },
    });
    expect(readHttpRoute(fraction, job)).toEqual(policy);
  });

  it("refuses a mirror percentage the CRD cannot carry, naming the field, and mirrors everything without one", () => {
    const none = { mirrorPercent: false, mirrorFraction: false };
    const attempt = () => desiredHttpRoute(job, { kind: "mirror", percent: 30, to: "v2" }, none);
    expect(attempt).toThrow(ReleaseError);
    expect(attempt).toThrow(/no percent or fraction on RequestMirror/);
    const full = desiredHttpRoute(job, { kind: "mirror", percent: 100, to: "v2" }, none);
    expect(full.spec.rules?.[0]?.filters?.[0]?.requestMirror).toEqual({
      backendRef: { name: "reviews-v2", port: 9080 },
    });
  });

  it("routes matching requests to the new version beside the catch-all rule, as Gateway API's canary example", () => {
    const route = desiredHttpRoute(v3, { kind: "match", rules: v3Rules, to: "v3" }, all);
    expect(route.spec).toEqual(fixture("match-v3.yaml"));
    expect(() => validate(route)).not.toThrow();
    expect(readHttpRoute(route, v3)).toEqual({ kind: "match", rules: expect.any(Array), to: "v3" });
    expect(readRouteMatch(route.spec.rules?.[1]?.matches?.[0] ?? {})).toEqual(
      expect.arrayContaining([...v3Rules.slice(1), { ...v3Rules[0], name: "end-user" }]),
    );
  });

  it("keeps Android off the Linux preset with a rule for Android placed before the canary rule", () => {
    const route = desiredHttpRoute(
      job,
      { kind: "match", rules: [{ kind: "os", systems: ["linux"] }], to: "v2" },
      all,
    );
    const rules = route.spec.rules ?? [];
    expect(rules.map((rule) => rule.backendRefs?.map((ref) => ref.name))).toEqual([
      ["reviews-v1"],
      ["reviews-v1"],
      ["reviews-v2"],
    ]);
    expect(rules[1]?.matches).toEqual([
      { headers: [{ name: "user-agent", type: "RegularExpression", value: ".*Android.*" }] },
    ]);
    expect(matchNotes([{ kind: "os", systems: ["linux"] }])[0]).toMatch(/no negative match/);
  });

  it("rewrites every rule of a hand-written route that sends requests to the service, keeping the rest", () => {
    const found = handWritten();
    const route = desiredHttpRoute(
      job,
      { kind: "weights", weights: { v1: 80, v2: 20 } },
      all,
      found,
      found.spec,
    );
    expect(route.spec).toEqual(fixture("hand-written-20.yaml"));
    expect(route.metadata).toEqual(found.metadata);
    expect(readHttpRoute(route, job)).toEqual({ kind: "weights", weights: { v1: 80, v2: 20 } });
  });

  it("adds a path condition only where a rule's paths and the condition's overlap", () => {
    const found = handWritten();
    const rules: MatchRule[] = [{ kind: "uri", match: "prefix", value: "/reviews" }];
    const route = desiredHttpRoute(job, { kind: "match", rules, to: "v2" }, all, found, found.spec);
    expect(route.spec.rules?.map((rule) => [rule.name, rule.matches, rule.backendRefs?.[0]?.name])).toEqual([
      ["health", [{ path: { type: "Exact", value: "/health" } }], "reviews-v1"],
      ["main", undefined, "reviews-v1"],
      [undefined, [{ path: { type: "PathPrefix", value: "/reviews" } }], "reviews-v2"],
    ]);
  });

  it("reads 100/0 as serve for taken-over jobs and blue-green, as weights for a canary", () => {
    const serve = desiredHttpRoute(job, { kind: "serve", version: "v2" }, all);
    expect(serve.spec.rules?.[0]?.backendRefs?.map((ref) => [ref.name, ref.weight])).toEqual([
      ["reviews-v1", 0],
      ["reviews-v2", 100],
    ]);
    expect(readHttpRoute(serve, { ...job, traffic: { kind: "serve", version: "v2" } })).toEqual({
      kind: "serve",
      version: "v2",
    });
    expect(readHttpRoute(serve, job)).toEqual({ kind: "weights", weights: { v1: 0, v2: 100 } });
  });
});

describe("match translation", () => {
  it.each<[MatchRule, object]>([
    [
      { kind: "header", name: "X-Canary", match: "prefix", value: "be.ta" },
      { headers: [{ name: "x-canary", type: "RegularExpression", value: "be\\.ta.*" }] },
    ],
    [
      { kind: "header", name: "x-canary", match: "regex", value: "a|b" },
      { headers: [{ name: "x-canary", type: "RegularExpression", value: "a|b" }] },
    ],
    [
      { kind: "query", name: "tier", match: "prefix", value: "gold" },
      { queryParams: [{ name: "tier", type: "RegularExpression", value: "gold.*" }] },
    ],
    [{ kind: "uri", match: "exact", value: "/reviews/1" }, { path: { type: "Exact", value: "/reviews/1" } }],
    [
      { kind: "uri", match: "regex", value: "/reviews/[0-9]+" },
      { path: { type: "RegularExpression", value: "/reviews/[0-9]+" } },
    ],
  ])("%j", (rule, match) => {
    expect(routeMatch([rule]).match).toEqual(match);
    expect(readRouteMatch(routeMatch([rule]).match)).toEqual([
      rule.kind === "header" ? { ...rule, name: rule.name.toLowerCase() } : rule,
    ]);
  });

  it("reads the API server's default path (PathPrefix /) as no condition", () => {
    expect(readRouteMatch({ path: { type: "PathPrefix", value: "/" } })).toEqual([]);
  });

  it("says in the plan that a cookie is a header regex", () => {
    expect(matchNotes([{ kind: "cookie", name: "group", match: "exact", value: "beta" }])).toEqual([
      "Gateway API has no cookie match: the cookie condition is a RegularExpression on the Cookie header.",
    ]);
  });
});

describe("the routes and Services a job uses", () => {
  it("finds routes attached to the service or sending requests to it, and tells gateway-only ones", () => {
    const found = handWritten();
    expect(routesService(found, job)).toBe(true);
    const gateway: HttpRouteObject = {
      ...found,
      spec: {
        parentRefs: [{ name: "bookinfo-gateway" }],
        rules: [{ backendRefs: [{ name: "reviews", port: 9080 }] }],
      },
    };
    expect(routesService(gateway, job)).toBe(true);
    expect(gatewaysOnly(gateway)).toEqual([`${found.metadata.namespace}/bookinfo-gateway`]);
    expect(gatewaysOnly(found)).toBeUndefined();
    const other = { ...gateway, spec: { rules: [{ backendRefs: [{ name: "ratings", port: 9080 }] }] } };
    expect(routesService(other, job)).toBe(false);
  });

  it("makes a version's Service from the service's selector and ports", () => {
    const ports = [{ name: "http", port: 9080, targetPort: 9080, protocol: "TCP" }];
    expect(desiredVersionService(job, "v2", { selector: { app: "reviews" }, ports })).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "reviews-v2",
        namespace: "bookinfo",
        labels: { "app.kubernetes.io/managed-by": "graydesk", "graydesk.io/job": "reviews-canary" },
      },
      spec: { selector: { app: "reviews", version: "v2" }, ports },
    });
  });
});
