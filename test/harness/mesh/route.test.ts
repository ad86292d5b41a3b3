import { describe, expect, it } from "vitest";
import { seededRandom } from "./random.ts";
import { routeRequest } from "./route.ts";
import { loadRoutingFixture, reviewsSnapshot } from "./sample-mesh.ts";
import type { DestinationRule, MeshRequest, MeshSnapshot, VirtualService } from "./types.ts";

const NS = "bookinfo";
const rule = () => loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", NS);
const vs = (name: string) => loadRoutingFixture<VirtualService>(`mesh/${name}.yaml`, NS);
const toReviews: MeshRequest = { service: "reviews", namespace: NS, uri: "/reviews/0" };

function versionsOver(
  snapshot: MeshSnapshot,
  n: number,
  request: MeshRequest,
  seed = 7,
): Record<string, number> {
  const random = seededRandom(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const version = routeRequest(snapshot, request, random).upstream?.pod.labels.version ?? "none";
    counts[version] = (counts[version] ?? 0) + 1;
  }
  return counts;
}

describe("weighted routes", () => {
  it("splits 80/20 between subsets: v2 gets 20 ± 2 % of 10,000 requests", () => {
    const snapshot = reviewsSnapshot(
      { v1: 2, v2: 2 },
      { virtualServices: [vs("reviews-80-20")], destinationRules: [rule()] },
    );
    const counts = versionsOver(snapshot, 10_000, toReviews);
    expect((counts.v1 ?? 0) + (counts.v2 ?? 0)).toBe(10_000);
    expect((counts.v2 ?? 0) / 10_000).toBeGreaterThanOrEqual(0.18);
    expect((counts.v2 ?? 0) / 10_000).toBeLessThanOrEqual(0.22);
  });

  it("is deterministic for a seed", () => {
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [vs("reviews-80-20")], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 500, toReviews, 3)).toEqual(versionsOver(snapshot, 500, toReviews, 3));
  });

  it("sends everything to a single destination without a weight", () => {
    const snapshot = reviewsSnapshot(
      { v1: 1, v3: 1 },
      { virtualServices: [vs("reviews-all-v3")], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 200, toReviews)).toEqual({ v3: 200 });
  });

  it("never picks a destination whose weight is 0", () => {
    const zero = vs("reviews-80-20");
    const routes = zero.spec.http?.[0]?.route ?? [];
    (routes[0] as { weight: number }).weight = 100;
    (routes[1] as { weight: number }).weight = 0;
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [zero], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 500, toReviews)).toEqual({ v1: 500 });
  });
});

describe("match routes", () => {
  const cases: [string, MeshRequest, MeshRequest][] = [
    [
      "reviews-header-v2",
      { ...toReviews, headers: { "end-user": "jason" } },
      { ...toReviews, headers: { "end-user": "jasonx" } },
    ],
    [
      "reviews-cookie-v2",
      { ...toReviews, headers: { cookie: "session=abc; canary=always; theme=dark" } },
      { ...toReviews, headers: { cookie: "session=abc; canary=never" } },
    ],
    ["reviews-uri-v2", { ...toReviews, uri: "/beta/reviews/0" }, { ...toReviews, uri: "/reviews/0?beta/" }],
    [
      "reviews-user-agent-v2",
      { ...toReviews, headers: { "User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8)" } },
      { ...toReviews, headers: { "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)" } },
    ],
  ];

  it.each(cases)("%s sends only matching requests to v2", (name, matching, other) => {
    const snapshot = reviewsSnapshot(
      { v1: 2, v2: 2 },
      { virtualServices: [vs(name)], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 300, matching)).toEqual({ v2: 300 });
    expect(versionsOver(snapshot, 300, other)).toEqual({ v1: 300 });
    expect(versionsOver(snapshot, 300, { service: "reviews", namespace: NS })).toEqual({ v1: 300 });
  });

  it("answers 404 NR when no route matches", () => {
    const onlyJason = vs("reviews-header-v2");
    onlyJason.spec.http = onlyJason.spec.http?.slice(0, 1) ?? [];
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [onlyJason], destinationRules: [rule()] },
    );
    const decision = routeRequest(snapshot, toReviews, seededRandom(1));
    expect(decision).toMatchObject({ proxyStatus: 404, responseFlags: "NR" });
    expect(decision.upstream).toBeUndefined();
  });
});

describe("mirroring", () => {
  it("serves everything from v1 and copies about half to v2", () => {
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [vs("reviews-mirror-50")], destinationRules: [rule()] },
    );
    const random = seededRandom(11);
    let mirrored = 0;
    for (let i = 0; i < 4_000; i++) {
      const decision = routeRequest(snapshot, toReviews, random);
      expect(decision.upstream?.pod.labels.version).toBe("v1");
      mirrored += decision.mirrors.filter((m) => m.pod.labels.version === "v2").length;
    }
    expect(mirrored / 4_000).toBeGreaterThan(0.46);
    expect(mirrored / 4_000).toBeLessThan(0.54);
  });

  it("mirrors every request when mirrorPercentage is absent", () => {
    const always = vs("reviews-mirror-50");
    delete always.spec.http?.[0]?.mirrorPercentage;
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [always], destinationRules: [rule()] },
    );
    const random = seededRandom(2);
    for (let i = 0; i < 50; i++) expect(routeRequest(snapshot, toReviews, random).mirrors).toHaveLength(1);
  });

  it("drops shadows silently when the mirror subset has no pods", () => {
    const snapshot = reviewsSnapshot(
      { v1: 1 },
      { virtualServices: [vs("reviews-mirror-50")], destinationRules: [rule()] },
    );
    const decision = routeRequest(snapshot, toReviews, seededRandom(2));
    expect(decision.upstream?.pod.labels.version).toBe("v1");
    expect(decision.mirrors).toEqual([]);
  });
});

describe("Kubernetes Service balancing without a VirtualService", () => {
  it("spreads evenly over ready pods: 1 v1 pod and 4 v2 pods give about 80 % v2", () => {
    const counts = versionsOver(reviewsSnapshot({ v1: 1, v2: 4 }), 10_000, toReviews);
    expect((counts.v2 ?? 0) / 10_000).toBeGreaterThan(0.78);
    expect((counts.v2 ?? 0) / 10_000).toBeLessThan(0.82);
  });

  it("ignores subsets and DestinationRules", () => {
    const counts = versionsOver(
      reviewsSnapshot({ v1: 1, v2: 1 }, { destinationRules: [rule()] }),
      2_000,
      toReviews,
    );
    expect(counts.v1).toBeGreaterThan(900);
    expect(counts.v2).toBeGreaterThan(900);
  });

  it("answers 503 UH when the Service has no ready pods", () => {
    expect(routeRequest(reviewsSnapshot({}), toReviews, seededRandom(1))).toMatchObject({
      proxyStatus: 503,
      responseFlags: "UH",
    });
  });

  it("answers 503 NC for a host that is not a Service", () => {
    const decision = routeRequest(
      reviewsSnapshot({ v1: 1 }),
      { service: "nosuch", namespace: NS },
      seededRandom(1),
    );
    expect(decision).toMatchObject({ proxyStatus: 503, responseFlags: "NC" });
  });
});

describe("failure outcomes of a VirtualService route", () => {
  it("answers 503 no healthy upstream when the subset has no ready pods", () => {
    const snapshot = reviewsSnapshot(
      { v1: 3 },
      { virtualServices: [vs("reviews-all-v3")], destinationRules: [rule()] },
    );
    const decision = routeRequest(snapshot, toReviews, seededRandom(1));
    expect(decision).toMatchObject({ proxyStatus: 503, responseFlags: "UH", subset: "v3" });
    expect(decision.service?.name).toBe("reviews");
  });

  it("answers 503 NC when the subset is not defined by any DestinationRule", () => {
    const snapshot = reviewsSnapshot({ v1: 1, v2: 1 }, { virtualServices: [vs("reviews-80-20")] });
    expect(routeRequest(snapshot, toReviews, seededRandom(1))).toMatchObject({
      proxyStatus: 503,
      responseFlags: "NC",
    });
  });
});

describe("host names and API versions", () => {
  it.each([
    "reviews",
    "reviews.bookinfo",
    "reviews.bookinfo.svc.cluster.local",
    "*.bookinfo.svc.cluster.local",
  ])("a VirtualService with host %s applies to the reviews Service", (host) => {
    const v = vs("reviews-all-v3");
    v.spec.hosts = [host];
    const snapshot = reviewsSnapshot({ v1: 1, v3: 1 }, { virtualServices: [v], destinationRules: [rule()] });
    expect(versionsOver(snapshot, 50, toReviews)).toEqual({ v3: 50 });
  });

  it.each(["reviews", "reviews.bookinfo", "reviews.bookinfo.svc.cluster.local"])(
    "a caller dialling %s is routed",
    (service) => {
      const snapshot = reviewsSnapshot(
        { v1: 1, v3: 1 },
        { virtualServices: [vs("reviews-all-v3")], destinationRules: [rule()] },
      );
      expect(versionsOver(snapshot, 50, { service, namespace: NS })).toEqual({ v3: 50 });
    },
  );

  it("resolves a short host relative to the VirtualService's namespace, not the caller's", () => {
    const elsewhere = loadRoutingFixture<VirtualService>("mesh/reviews-all-v3.yaml", "other");
    const snapshot = reviewsSnapshot(
      { v1: 1, v3: 1 },
      { virtualServices: [elsewhere], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 200, toReviews)).toMatchObject({
      v1: expect.any(Number),
      v3: expect.any(Number),
    });
  });

  it.each(["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"])(
    "reads VirtualService and DestinationRule objects of %s alike",
    (apiVersion) => {
      const v = { ...vs("reviews-all-v3"), apiVersion };
      const r = { ...rule(), apiVersion };
      const snapshot = reviewsSnapshot({ v1: 1, v3: 1 }, { virtualServices: [v], destinationRules: [r] });
      expect(versionsOver(snapshot, 20, toReviews)).toEqual({ v3: 20 });
    },
  );

  it("ignores a VirtualService bound only to a gateway", () => {
    const gatewayOnly = { ...vs("reviews-all-v3") };
    gatewayOnly.spec = { ...gatewayOnly.spec, gateways: ["bookinfo-gateway"] };
    const snapshot = reviewsSnapshot(
      { v1: 1 },
      { virtualServices: [gatewayOnly], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 20, toReviews)).toEqual({ v1: 20 });
  });

  it("lets the oldest VirtualService win when two claim the same host", () => {
    const older = {
      ...vs("reviews-all-v3"),
      metadata: { name: "a-old", namespace: NS, creationTimestamp: "2024-01-01T00:00:00Z" },
    };
    const newer = {
      ...vs("reviews-80-20"),
      metadata: { name: "b-new", namespace: NS, creationTimestamp: "2025-01-01T00:00:00Z" },
    };
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1, v3: 1 },
      { virtualServices: [newer, older], destinationRules: [rule()] },
    );
    expect(versionsOver(snapshot, 20, toReviews)).toEqual({ v3: 20 });
  });
});
