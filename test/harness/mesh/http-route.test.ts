import { describe, expect, it } from "vitest";
import type { GatewayHttpRoute } from "./http-route.ts";
import { seededRandom } from "./random.ts";
import { routeRequest } from "./route.ts";
import { bookinfoService, reviewsSnapshot } from "./sample-mesh.ts";
import type { MeshRequest, MeshSnapshot } from "./types.ts";

const NS = "bookinfo";
const GAMMA = [{ group: "", kind: "Service", name: "reviews", port: 9080 }];
const ref = (name: string, weight?: number) => ({
  name,
  port: 9080,
  ...(weight === undefined ? {} : { weight }),
});

type Parents = GatewayHttpRoute["spec"]["parentRefs"];
type Mirror = NonNullable<
  NonNullable<NonNullable<GatewayHttpRoute["spec"]["rules"]>[number]["filters"]>[number]["requestMirror"]
>;

function snapshotWith(rules: GatewayHttpRoute["spec"]["rules"], parentRefs: Parents = GAMMA): MeshSnapshot {
  const snapshot = reviewsSnapshot({ v1: 2, v2: 1, v3: 1 });
  for (const version of ["v1", "v2", "v3"]) {
    snapshot.services.push({
      ...bookinfoService(`reviews-${version}`, NS),
      selector: { app: "reviews", version },
    });
  }
  snapshot.httpRoutes = [{ metadata: { name: "reviews", namespace: NS }, spec: { parentRefs, rules } }];
  return snapshot;
}

function send(snapshot: MeshSnapshot, n: number, request: Partial<MeshRequest> = {}) {
  const random = seededRandom(11);
  const served: Record<string, number> = {};
  const mirrored: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const decision = routeRequest(
      snapshot,
      { service: "reviews", namespace: NS, uri: "/reviews/0", ...request },
      random,
    );
    const version = decision.upstream?.pod.labels.version ?? "none";
    served[version] = (served[version] ?? 0) + 1;
    for (const shadow of decision.mirrors) {
      const to = shadow.pod.labels.version ?? "none";
      mirrored[to] = (mirrored[to] ?? 0) + 1;
    }
  }
  return { served, mirrored };
}

describe("HTTPRoutes attached to a Service (GAMMA)", () => {
  it("splits by backendRef weight over the versions' Services: v2 gets 20 ± 2 % of 10,000", () => {
    const { served } = send(
      snapshotWith([{ backendRefs: [ref("reviews-v1", 80), ref("reviews-v2", 20)] }]),
      10_000,
    );
    expect((served.v1 ?? 0) + (served.v2 ?? 0)).toBe(10_000);
    expect((served.v2 ?? 0) / 10_000).toBeGreaterThanOrEqual(0.18);
    expect((served.v2 ?? 0) / 10_000).toBeLessThanOrEqual(0.22);
  });

  it("takes the more specific match whatever the rule order, and PathPrefix by whole segments", () => {
    const snapshot = snapshotWith([
      { backendRefs: [ref("reviews-v1")] },
      { matches: [{ headers: [{ name: "End-User", value: "jason" }] }], backendRefs: [ref("reviews-v2")] },
      { matches: [{ path: { type: "PathPrefix", value: "/ratings" } }], backendRefs: [ref("reviews-v3")] },
    ]);
    expect(send(snapshot, 50, { headers: { "end-user": "jason" } }).served).toEqual({ v2: 50 });
    expect(send(snapshot, 50, { headers: { "end-user": "mary" } }).served).toEqual({ v1: 50 });
    expect(send(snapshot, 50, { uri: "/ratings/1" }).served).toEqual({ v3: 50 });
    expect(send(snapshot, 50, { uri: "/ratings" }).served).toEqual({ v3: 50 });
    expect(send(snapshot, 50, { uri: "/ratingsx" }).served).toEqual({ v1: 50 });
  });

  it("matches query parameters and regex headers; ties go to the first rule", () => {
    const snapshot = snapshotWith([
      {
        matches: [{ headers: [{ name: "user-agent", type: "RegularExpression", value: ".*Android.*" }] }],
        backendRefs: [ref("reviews-v1")],
      },
      {
        matches: [{ headers: [{ name: "user-agent", type: "RegularExpression", value: ".*(Linux).*" }] }],
        backendRefs: [ref("reviews-v2")],
      },
      { matches: [{ queryParams: [{ name: "tier", value: "gold" }] }], backendRefs: [ref("reviews-v3")] },
      { backendRefs: [ref("reviews-v1")] },
    ]);
    const android = { "user-agent": "Mozilla/5.0 (Linux; Android 14)" };
    expect(send(snapshot, 20, { headers: android }).served).toEqual({ v1: 20 });
    expect(send(snapshot, 20, { headers: { "user-agent": "X11; Linux x86_64" } }).served).toEqual({ v2: 20 });
    expect(send(snapshot, 20, { uri: "/reviews/0?tier=gold" }).served).toEqual({ v3: 20 });
  });

  it("mirrors the RequestMirror filter's percent (or fraction) of the requests", () => {
    const mirror = (requestMirror: Mirror) =>
      snapshotWith([
        { backendRefs: [ref("reviews-v1")], filters: [{ type: "RequestMirror", requestMirror }] },
      ]);
    const percent = send(mirror({ backendRef: ref("reviews-v2"), percent: 30 }), 10_000);
    expect(percent.served).toEqual({ v1: 10_000 });
    expect((percent.mirrored.v2 ?? 0) / 10_000).toBeGreaterThanOrEqual(0.28);
    expect((percent.mirrored.v2 ?? 0) / 10_000).toBeLessThanOrEqual(0.32);
    const fraction = send(
      mirror({ backendRef: ref("reviews-v2"), fraction: { numerator: 1, denominator: 10 } }),
      10_000,
    );
    expect((fraction.mirrored.v2 ?? 0) / 10_000).toBeGreaterThanOrEqual(0.08);
    expect((fraction.mirrored.v2 ?? 0) / 10_000).toBeLessThanOrEqual(0.12);
  });

  it("leaves routes attached only to a Gateway to the gateway: sidecars balance over the Service's pods", () => {
    const snapshot = snapshotWith(
      [{ backendRefs: [ref("reviews-v3")] }],
      [{ group: "", kind: "", name: "gw" }],
    );
    snapshot.httpRoutes = [
      { ...(snapshot.httpRoutes?.[0] as GatewayHttpRoute), spec: { parentRefs: [{ name: "gw" }] } },
    ];
    expect(Object.keys(send(snapshot, 400).served).sort()).toEqual(["v1", "v2", "v3"]);
  });
});
