import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticClusterReader } from "./cluster-reader.ts";
import { parsePrometheusText, type Sample, sumSamples } from "./prometheus-text.ts";
import { loadRoutingFixture, readyPods, reviewsSnapshot } from "./sample-mesh.ts";
import { MeshSimulator, shadowHost } from "./simulator.ts";
import type { TelemetryServer } from "./telemetry-server.ts";
import type { DestinationRule, MeshPod, MeshRequest, VirtualService } from "./types.ts";

const NS = "bookinfo";
const NOW = Date.parse("2025-06-01T12:00:00Z");
const rule = () => loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", NS);
const vs = (name: string) => loadRoutingFixture<VirtualService>(`mesh/${name}.yaml`, NS);
const toReviews: MeshRequest = { service: "reviews", namespace: NS, uri: "/reviews/0" };
const R = "istio_requests_total";

async function scrape(server: TelemetryServer): Promise<Sample[]> {
  const res = await fetch(server.metricsUrl);
  expect(res.headers.get("content-type")).toContain("version=0.0.4");
  return parsePrometheusText(await res.text());
}

describe("MeshSimulator telemetry", () => {
  let sim: MeshSimulator;
  let server: TelemetryServer;

  beforeAll(async () => {
    const snapshot = reviewsSnapshot(
      { v1: 2, v2: 1 },
      { virtualServices: [vs("reviews-80-20")], destinationRules: [rule()] },
    );
    sim = new MeshSimulator({
      reader: staticClusterReader(snapshot),
      namespaces: [NS],
      seed: 42,
      clock: () => NOW,
    });
    await sim.refresh();
    sim.profiles.set("reviews", "v1", { errorRate: 0, latency: { kind: "jitter", baseMs: 8, jitterMs: 4 } });
    sim.profiles.set("reviews", "v2", {
      errorRate: 0.25,
      latency: { kind: "jitter", baseMs: 300, jitterMs: 50 },
    });
    sim.sendMany(4_000, toReviews);
    server = await sim.serve();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("labels server-side reports like a reviews sidecar", async () => {
    const samples = await scrape(server);
    const v2 = samples.find(
      (s) => s.name === R && s.labels.reporter === "destination" && s.labels.destination_version === "v2",
    );
    expect(v2?.labels).toMatchObject({
      source_workload: "productpage-v1",
      source_workload_namespace: NS,
      source_app: "productpage",
      source_version: "v1",
      source_canonical_service: "productpage",
      source_canonical_revision: "v1",
      destination_service: "reviews.bookinfo.svc.cluster.local",
      destination_service_name: "reviews",
      destination_service_namespace: NS,
      destination_workload: "reviews-v2",
      destination_workload_namespace: NS,
      destination_app: "reviews",
      destination_canonical_service: "reviews",
      destination_canonical_revision: "v2",
      request_protocol: "http",
      response_flags: "-",
      connection_security_policy: "mutual_tls",
      grpc_response_status: "",
      destination_principal: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews",
    });
  });

  it("reports each request once per side and shows the 80/20 split in the counters", async () => {
    const samples = await scrape(server);
    const dest = (version: string) =>
      sumSamples(samples, R, { reporter: "destination", destination_version: version });
    const src = (version: string) =>
      sumSamples(samples, R, { reporter: "source", destination_version: version });
    expect(dest("v1") + dest("v2")).toBe(4_000);
    expect(src("v1")).toBe(dest("v1"));
    expect(src("v2")).toBe(dest("v2"));
    expect(dest("v2") / 4_000).toBeGreaterThan(0.18);
    expect(dest("v2") / 4_000).toBeLessThan(0.22);
  });

  it("shows the error profile as response_code 500 on v2 only", async () => {
    const samples = await scrape(server);
    const where = { reporter: "destination", destination_version: "v2" };
    const errors = sumSamples(samples, R, { ...where, response_code: "500" });
    const total = sumSamples(samples, R, where);
    expect(errors / total).toBeGreaterThan(0.19);
    expect(errors / total).toBeLessThan(0.31);
    expect(
      sumSamples(samples, R, { reporter: "destination", destination_version: "v1", response_code: "500" }),
    ).toBe(0);
  });

  it("shows the latency profile in the duration histogram buckets", async () => {
    const samples = await scrape(server);
    const bucket = (version: string, le: string) =>
      sumSamples(samples, "istio_request_duration_milliseconds_bucket", {
        reporter: "destination",
        destination_version: version,
        le,
      });
    const count = (version: string) =>
      sumSamples(samples, "istio_request_duration_milliseconds_count", {
        reporter: "destination",
        destination_version: version,
      });
    expect(bucket("v1", "25")).toBe(count("v1"));
    expect(bucket("v1", "5")).toBe(0);
    expect(bucket("v2", "250")).toBe(0);
    expect(bucket("v2", "500")).toBe(count("v2"));
    expect(bucket("v2", "+Inf")).toBe(count("v2"));
  });

  it("answers the Jaeger services list", async () => {
    const body = await (await fetch(`${server.jaegerUrl}/api/services`)).json();
    expect(body).toEqual({
      data: ["productpage.bookinfo", "reviews.bookinfo"],
      total: 2,
      limit: 0,
      offset: 0,
      errors: null,
    });
  });

  it("finds traces by tags, each holding a matching span tagged as Istio's Envoy does", async () => {
    const tags = encodeURIComponent(
      JSON.stringify({ "istio.canonical_revision": "v2", "http.status_code": "500" }),
    );
    const res = await fetch(
      `${server.jaegerUrl}/api/traces?service=reviews.bookinfo&tags=${tags}&limit=5000&lookback=1h`,
    );
    const body = (await res.json()) as {
      data: {
        traceID: string;
        spans: {
          processID: string;
          tags: { key: string; value: unknown; type: string }[];
          startTime: number;
          duration: number;
          references: unknown[];
        }[];
        processes: Record<string, { serviceName: string }>;
      }[];
      errors: unknown;
    };
    expect(res.status).toBe(200);
    expect(body.errors).toBeNull();
    const samples = await scrape(server);
    expect(body.data).toHaveLength(
      sumSamples(samples, R, { reporter: "destination", destination_version: "v2", response_code: "500" }),
    );
    const trace = body.data[0];
    expect(trace?.traceID).toMatch(/^[0-9a-f]{32}$/);
    const server500 = trace?.spans.find(
      (s) => trace.processes[s.processID]?.serviceName === "reviews.bookinfo",
    );
    const tagMap = Object.fromEntries((server500?.tags ?? []).map((t) => [t.key, t.value]));
    expect(tagMap).toMatchObject({
      "istio.canonical_revision": "v2",
      "istio.canonical_service": "reviews",
      "istio.namespace": NS,
      "http.status_code": "500",
      "http.method": "GET",
      "http.url": "http://reviews:9080/reviews/0",
      component: "proxy",
      error: true,
    });
    expect(String(tagMap.node_id)).toMatch(
      /^sidecar~10\.1\.2\.\d+~reviews-v2-.*\.bookinfo~bookinfo\.svc\.cluster\.local$/,
    );
    expect(server500?.startTime).toBe(NOW * 1000 + 150);
    expect(server500?.duration).toBeGreaterThanOrEqual(300_000);
    expect(server500?.references).toHaveLength(1);
  });

  it("filters by operation and minimum duration", async () => {
    const operation = encodeURIComponent("reviews.bookinfo.svc.cluster.local:9080/*");
    const url = `${server.jaegerUrl}/api/traces?service=reviews.bookinfo&operation=${operation}&minDuration=250ms&limit=10`;
    const body = (await (await fetch(url)).json()) as {
      data: { spans: { tags: { key: string; value: unknown }[] }[] }[];
    };
    expect(body.data).toHaveLength(10);
    for (const trace of body.data) {
      const revisions = trace.spans.flatMap((s) =>
        s.tags.filter((t) => t.key === "istio.canonical_revision").map((t) => t.value),
      );
      expect(revisions).toContain("v2");
    }
  });

  it("applies the time window to the trace's start", async () => {
    const at = (query: string) =>
      fetch(`${server.jaegerUrl}/api/traces?service=reviews.bookinfo&limit=3&${query}`);
    const inside = (await (await at(`start=${NOW * 1000}&end=${NOW * 1000}`)).json()) as { data: unknown[] };
    expect(inside.data).toHaveLength(3);
    const after = (await (await at(`start=${NOW * 1000 + 1}&end=${NOW * 1000 + 10_000}`)).json()) as {
      data: unknown[];
    };
    expect(after.data).toHaveLength(0);
  });

  it("returns one trace by id, and 404 for an unknown id", async () => {
    const list = (await (
      await fetch(`${server.jaegerUrl}/api/traces?service=reviews.bookinfo&limit=1`)
    ).json()) as {
      data: { traceID: string }[];
    };
    const id = list.data[0]?.traceID as string;
    const one = (await (await fetch(`${server.jaegerUrl}/api/traces/${id}`)).json()) as {
      data: { traceID: string }[];
    };
    expect(one.data.map((t) => t.traceID)).toEqual([id]);
    const missing = await fetch(`${server.jaegerUrl}/api/traces/${"0".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      data: null,
      errors: [{ code: 404, msg: "trace not found" }],
    });
  });

  it.each([
    ["/api/traces", /'service' is required/],
    ["/api/traces?service=reviews.bookinfo&tags=%7Bnot-json", /not JSON/],
    ["/api/traces?service=reviews.bookinfo&tags=%5B1%5D", /expected an object/],
    ["/api/traces?service=reviews.bookinfo&minDuration=fast", /unable to parse duration/],
    ["/api/traces?service=reviews.bookinfo&tag=nocolon", /key:value/],
    ["/api/traces?service=reviews.bookinfo&limit=many", /must be numbers/],
  ])("rejects %s with 400 and a Jaeger error body", async (path, message) => {
    const res = await fetch(`${server.jaegerUrl}${path}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { code: number; msg: string }[] };
    expect(body.errors[0]?.code).toBe(400);
    expect(body.errors[0]?.msg).toMatch(message);
  });

  it("answers 404 for unknown paths and 405 for writes", async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    expect((await fetch(server.metricsUrl, { method: "POST" })).status).toBe(405);
  });

  it("lists a service's operations", async () => {
    const body = (await (
      await fetch(`${server.jaegerUrl}/api/services/reviews.bookinfo/operations`)
    ).json()) as { data: string[] };
    expect(body.data).toEqual(["reviews.bookinfo.svc.cluster.local:9080/*"]);
  });
});

describe("MeshSimulator mirroring and failures", () => {
  it("counts shadows apart: destination side reports them, the caller's side does not", async () => {
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      { virtualServices: [vs("reviews-mirror-50")], destinationRules: [rule()] },
    );
    const sim = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed: 9 });
    await sim.refresh();
    const counts = sim.sendMany(2_000, toReviews);
    expect(counts.byVersion).toEqual({ v1: 2_000 });
    expect((counts.mirrored.v2 ?? 0) / 2_000).toBeGreaterThan(0.45);
    expect((counts.mirrored.v2 ?? 0) / 2_000).toBeLessThan(0.55);
    const m = sim.metrics;
    expect(m.counterValue(R, { reporter: "destination", destination_version: "v2" })).toBe(
      counts.mirrored.v2,
    );
    expect(m.counterValue(R, { reporter: "source", destination_version: "v2" })).toBe(0);
    expect(m.counterValue(R, { reporter: "source", destination_version: "v1" })).toBe(2_000);
    const shadowTrace = [...sim.traces.newestFirst()].find((t) => t.spans.length === 3);
    const shadowSpan = shadowTrace?.spans.find((s) => s.tags["istio.canonical_revision"] === "v2");
    expect(shadowSpan?.tags["http.url"]).toBe("http://reviews-shadow:9080/reviews/0");
    await sim.close();
  });

  it("reports 503 no healthy upstream on the caller's side only", async () => {
    const snapshot = reviewsSnapshot(
      { v1: 1 },
      { virtualServices: [vs("reviews-all-v3")], destinationRules: [rule()] },
    );
    const sim = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed: 1 });
    await sim.refresh();
    const result = sim.send(toReviews);
    expect(result).toMatchObject({ status: 503, responseFlags: "UH", mirrors: [] });
    expect(result.version).toBeUndefined();
    const counts = sim.sendMany(10, toReviews);
    expect(counts).toMatchObject({
      total: 10,
      noHealthyUpstream: 10,
      byStatus: { "503": 10 },
      byVersion: {},
    });
    expect(sim.metrics.counterValue(R, { reporter: "destination" })).toBe(0);
    expect(
      sim.metrics.counterValue(R, {
        reporter: "source",
        response_code: "503",
        response_flags: "UH",
        destination_workload: "unknown",
      }),
    ).toBe(11);
  });

  it("reports Istio's canonical revision fallbacks and the workload the pod belongs to", async () => {
    const relabel = (version: string, labels: Record<string, string>): MeshPod => ({
      ...(readyPods("reviews", version, 1, NS)[0] as MeshPod),
      labels,
    });
    const pods = [
      relabel("v1", { app: "reviews", version: "v1", "service.istio.io/canonical-revision": "stable" }),
      relabel("v2", { app: "reviews", "app.kubernetes.io/version": "2.0.0" }),
      relabel("v3", { app: "reviews" }),
    ];
    const snapshot = { ...reviewsSnapshot({}), pods };
    const sim = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed: 3 });
    await sim.refresh();
    sim.sendMany(300, toReviews);
    const revisionOf = (workload: string) =>
      parsePrometheusText(sim.metrics.render()).find(
        (s) =>
          s.name === R && s.labels.reporter === "destination" && s.labels.destination_workload === workload,
      )?.labels;
    expect(revisionOf("reviews-v1")).toMatchObject({
      destination_canonical_revision: "stable",
      destination_version: "v1",
    });
    expect(revisionOf("reviews-v2")).toMatchObject({
      destination_canonical_revision: "2.0.0",
      destination_version: "2.0.0",
    });
    expect(revisionOf("reviews-v3")).toMatchObject({
      destination_canonical_revision: "latest",
      destination_version: "unknown",
    });
  });

  it("keeps traces in a bounded ring, newest first", async () => {
    const sim = new MeshSimulator({
      reader: staticClusterReader(reviewsSnapshot({ v1: 1 })),
      seed: 4,
      traceCapacity: 50,
    });
    await sim.refresh();
    const ids = Array.from({ length: 120 }, () => sim.send(toReviews).traceId);
    expect(sim.traces.size).toBe(50);
    expect([...sim.traces.newestFirst()].map((t) => t.traceId)).toEqual(ids.slice(-50).reverse());
    expect(sim.traces.get(ids[0] as string)).toBeUndefined();
  });

  it("needs a cluster to read", () => {
    expect(() => new MeshSimulator({})).toThrow(/kubeConfig or a reader/);
  });

  it("puts -shadow before the port, as Envoy does", () => {
    expect(shadowHost("reviews:9080")).toBe("reviews-shadow:9080");
    expect(shadowHost("reviews.bookinfo.svc.cluster.local")).toBe(
      "reviews.bookinfo.svc.cluster.local-shadow",
    );
  });
});

describe("background traffic", () => {
  it("sends at the asked rate, re-reads the cluster, and stops by itself after maxRequests", async () => {
    let reads = 0;
    const snapshot = reviewsSnapshot({ v1: 1, v2: 1 });
    const reader = {
      read: async () => {
        reads++;
        return snapshot;
      },
    };
    const sim = new MeshSimulator({ reader, seed: 5 });
    const traffic = sim.startTraffic({
      rps: 400,
      requests: (i) => ({ ...toReviews, headers: { "end-user": `user${i % 7}` } }),
      refreshMs: 20,
      maxRequests: 60,
      tickMs: 10,
    });
    await expect.poll(() => traffic.counts.total, { timeout: 5_000, interval: 20 }).toBe(60);
    expect(reads).toBeGreaterThan(0);
    expect(traffic.counts.byStatus["200"]).toBe(60);
    await sim.close();
  });

  it("keeps sending on the last snapshot when a read fails, and exposes the error", async () => {
    const reader = { read: async () => Promise.reject(new Error("apiserver down")) };
    const sim = new MeshSimulator({ reader, seed: 5 });
    const traffic = sim.startTraffic({ rps: 200, requests: toReviews, refreshMs: 10, tickMs: 10 });
    await expect
      .poll(() => (traffic.lastError as Error | undefined)?.message, { timeout: 5_000, interval: 20 })
      .toBe("apiserver down");
    await expect.poll(() => traffic.counts.total, { timeout: 5_000, interval: 20 }).toBeGreaterThan(0);
    expect(traffic.counts.byStatus["503"]).toBe(traffic.counts.total);
    await sim.stop();
    const stoppedAt = traffic.counts.total;
    await new Promise((r) => setImmediate(r));
    expect(traffic.counts.total).toBe(stoppedAt);
  });

  it("refuses a non-positive rate", () => {
    const sim = new MeshSimulator({ reader: staticClusterReader(reviewsSnapshot({})) });
    expect(() => sim.startTraffic({ rps: 0, requests: toReviews })).toThrow(RangeError);
  });
});
