import { DestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import { VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import { describe, expect, it } from "vitest";
import type {
  DestinationRuleObject,
  MatchRule,
  TrafficPolicy,
  VirtualServiceObject,
} from "../../src/release/index.ts";
import {
  desiredDestinationRule,
  desiredVirtualService,
  gatewayNotice,
  readSplit,
  routedPort,
} from "../../src/release/index.ts";
import { loadFixture, reviewsJob } from "./fixtures.ts";

const job = reviewsJob();
const foreign = () => loadFixture<VirtualServiceObject>("foreign-virtualservice.yaml");
const validate = (vs: object) => new VirtualService(vs as never).validate();

describe("desiredVirtualService", () => {
  it("reproduces seed 002's VirtualService for reviews v1/v2 at 50/50 on port 9080", () => {
    const vs = desiredVirtualService(job, { kind: "weights", weights: { v1: 50, v2: 50 } });
    expect(vs.spec).toEqual(loadFixture("seed-002-virtualservice-spec.yaml"));
    expect(vs.metadata).toEqual({
      name: "reviews",
      namespace: "bookinfo",
      labels: { "app.kubernetes.io/managed-by": "graydesk", "graydesk.io/job": "reviews-canary" },
    });
    expect(() => validate(vs)).not.toThrow();
  });

  it("routes matching requests to the new version and the rest to stable", () => {
    const rules: MatchRule[] = [
      { kind: "header", name: "End-User", match: "exact", value: "jason" },
      { kind: "uri", match: "prefix", value: "/reviews" },
    ];
    const vs = desiredVirtualService(job, { kind: "match", rules, to: "v2" });
    expect(vs.spec.http).toEqual([
      {
        match: [{ uri: { prefix: "/reviews" }, headers: { "end-user": { exact: "jason" } } }],
        route: [{ destination: { host: "reviews", port: { number: 9080 }, subset: "v2" } }],
      },
      { route: [{ destination: { host: "reviews", port: { number: 9080 }, subset: "v1" } }] },
    ]);
    expect(() => validate(vs)).not.toThrow();
  });

  it("mirrors a percentage to the new version while stable serves everything", () => {
    const vs = desiredVirtualService(job, { kind: "mirror", percent: 30, to: "v2" });
    expect(vs.spec.http).toEqual([
      {
        route: [{ destination: { host: "reviews", port: { number: 9080 }, subset: "v1" } }],
        mirror: { host: "reviews", port: { number: 9080 }, subset: "v2" },
        mirrorPercentage: { value: 30 },
      },
    ]);
    expect(() => validate(vs)).not.toThrow();
  });

  it("serves one version for blue-green, keeping the idle one at weight 0", () => {
    const vs = desiredVirtualService(job, { kind: "serve", version: "v2" });
    expect(vs.spec.http?.[0]?.route?.map((r) => [r.destination.subset, r.weight])).toEqual([
      ["v1", 0],
      ["v2", 100],
    ]);
  });

  it("adds named routes before the catch-all of someone else's VirtualService and keeps the rest", () => {
    const vs = desiredVirtualService(job, { kind: "weights", weights: { v1: 80, v2: 20 } }, foreign());
    expect(vs.spec.http?.map((route) => route.name)).toEqual([
      "testers",
      "graydesk-reviews-canary",
      "default",
    ]);
    expect(vs.spec.exportTo).toEqual(["."]);
    expect(vs.metadata).toEqual(foreign().metadata);
    expect(vs.spec.http?.[2]).toEqual(foreign().spec.http?.[1]);
    expect(() => validate(vs)).not.toThrow();
  });

  it("replaces its own routes in place on the next change", () => {
    const first = desiredVirtualService(job, { kind: "weights", weights: { v1: 80, v2: 20 } }, foreign());
    const rules: MatchRule[] = [{ kind: "cookie", name: "user", match: "exact", value: "jason" }];
    const second = desiredVirtualService(job, { kind: "match", rules, to: "v2" }, first);
    expect(second.spec.http?.map((route) => route.name)).toEqual([
      "testers",
      "graydesk-reviews-canary-match",
      "graydesk-reviews-canary",
      "default",
    ]);
    const third = desiredVirtualService(job, { kind: "weights", weights: { v1: 80, v2: 20 } }, second);
    expect(third).toEqual(first);
  });

  it("binds to the ingress gateway and the mesh when the service is exposed", () => {
    const ingress = {
      kind: "istio-gateway" as const,
      gateway: "bookinfo/bookinfo-gateway",
      hosts: ["reviews.example.com"],
    };
    const vs = desiredVirtualService(job, { kind: "weights", weights: { v1: 50, v2: 50 } }, undefined, {
      ingress,
    });
    expect(vs.spec.gateways).toEqual(["bookinfo/bookinfo-gateway", "mesh"]);
    expect(vs.spec.hosts).toEqual(["reviews", "reviews.example.com"]);
    expect(() => validate(vs)).not.toThrow();
  });

  it("names the HTTP port when the service has several", () => {
    const service = {
      name: "reviews",
      ports: [
        { name: "tcp-admin", port: 9000, protocol: "TCP" as const },
        { name: "http-web", port: 9080, protocol: "TCP" as const },
      ],
    };
    expect(routedPort({ service })).toBe(9080);
    expect(routedPort({ service: { name: "x", ports: [] } })).toBeUndefined();
  });
});

describe("desiredDestinationRule", () => {
  it("creates subsets by version label", () => {
    const dr = desiredDestinationRule(job);
    expect(dr.spec).toEqual({
      host: "reviews",
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
      ],
    });
    expect(() => new DestinationRule(dr as never).validate()).not.toThrow();
  });

  it("keeps foreign subsets and the traffic policy", () => {
    const existing: DestinationRuleObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "reviews", namespace: "bookinfo" },
      spec: {
        host: "reviews",
        trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
        subsets: [
          { name: "v1", labels: { version: "v1", track: "stable" } },
          { name: "v3", labels: { version: "v3" } },
        ],
      },
    };
    const dr = desiredDestinationRule(job, existing);
    expect(dr.spec.trafficPolicy).toEqual({ tls: { mode: "ISTIO_MUTUAL" } });
    expect(dr.spec.subsets).toEqual([
      ...(existing.spec.subsets ?? []),
      { name: "v2", labels: { version: "v2" } },
    ]);
    expect(desiredDestinationRule(job, dr)).toEqual(dr);
  });
});

describe("readSplit", () => {
  const rules: MatchRule[] = [
    { kind: "header", name: "end-user", match: "regex", value: "ja.*" },
    { kind: "cookie", name: "user", match: "prefix", value: "beta.1" },
    { kind: "os", systems: ["windows", "linux"] }, // read back in this canonical order
    { kind: "uri", match: "exact", value: "/reviews/1" },
  ];
  it.each<[string, TrafficPolicy]>([
    ["weights", { kind: "weights", weights: { v1: 70, v2: 30 } }],
    ["match", { kind: "match", rules, to: "v2" }],
    ["mirror", { kind: "mirror", percent: 100, to: "v2" }],
  ])("reads back %s from a VirtualService Graydesk wrote and one it joined", (_kind, split) => {
    expect(readSplit(desiredVirtualService(job, split), job)).toEqual(split);
    expect(readSplit(desiredVirtualService(job, split, foreign()), job)).toEqual(split);
  });
  it("reads a 100/0 split as serve for blue-green and taken-over jobs", () => {
    const blueGreen = reviewsJob({ strategy: "blue-green", traffic: { kind: "serve", version: "v1" } });
    const vs = desiredVirtualService(blueGreen, { kind: "serve", version: "v2" });
    expect(readSplit(vs, blueGreen)).toEqual({ kind: "serve", version: "v2" });
    expect(readSplit(vs, job)).toEqual({ kind: "weights", weights: { v1: 0, v2: 100 } });
  });
  it("finds nothing in a VirtualService without the job's routes", () => {
    expect(readSplit(foreign(), job)).toBeUndefined();
  });
  it("reads a route without weight as 100 %", () => {
    const vs = foreign();
    vs.spec.http = [
      { name: "graydesk-reviews-canary", route: [{ destination: { host: "reviews", subset: "v1" } }] },
    ];
    expect(readSplit(vs, job)).toEqual({ kind: "weights", weights: { v1: 100 } });
  });
});

describe("gatewayNotice", () => {
  it.each([
    [
      { kind: "istio-gateway" as const, gateway: "bookinfo/bookinfo-gateway", hosts: [] },
      "reviews is reached through gateway bookinfo/bookinfo-gateway: the routes bind to it and to mesh, because a VirtualService without gateways only splits traffic between sidecars.",
    ],
    [
      { kind: "kubesphere-gateway" as const, governance: false },
      "reviews is reached through the KubeSphere gateway without Application Governance: requests from outside bypass the split, which only applies between sidecars. Turn governance on for the gateway.",
    ],
    [
      { kind: "kubesphere-gateway" as const, governance: true },
      "reviews is reached through the KubeSphere gateway with Application Governance on: its sidecar applies the split.",
    ],
  ])("explains %o", (ingress, note) => {
    expect(gatewayNotice(job, ingress)).toBe(note);
  });
  it("says nothing for mesh-only services", () => {
    expect(gatewayNotice(job)).toBeUndefined();
  });
});
