import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTelemetry,
  JaegerError,
  recentTraces,
  traceLinks,
  traceUrl,
} from "../../src/telemetry/index.ts";
import {
  type DestinationRule,
  MeshSimulator,
  staticClusterReader,
  type TelemetryServer,
  type VirtualService,
} from "../harness/mesh/index.ts";
import { loadRoutingFixture, reviewsSnapshot } from "../harness/mesh/sample-mesh.ts";
import { reviewsJob } from "../release/fixtures.ts";

const NS = "bookinfo";
const job = reviewsJob();

describe("Jaeger links", () => {
  it("search and error links per version, stable first", () => {
    expect(traceLinks("https://jaeger.example.com/", job)).toEqual([
      {
        version: "v1",
        search:
          "https://jaeger.example.com/search?service=reviews.bookinfo&tags=%7B%22istio.canonical_revision%22%3A%22v1%22%7D&lookback=1h",
        errors:
          "https://jaeger.example.com/search?service=reviews.bookinfo&tags=%7B%22istio.canonical_revision%22%3A%22v1%22%2C%22http.status_code%22%3A%22500%22%7D&lookback=1h",
      },
      {
        version: "v2",
        search:
          "https://jaeger.example.com/search?service=reviews.bookinfo&tags=%7B%22istio.canonical_revision%22%3A%22v2%22%7D&lookback=1h",
        errors:
          "https://jaeger.example.com/search?service=reviews.bookinfo&tags=%7B%22istio.canonical_revision%22%3A%22v2%22%2C%22http.status_code%22%3A%22500%22%7D&lookback=1h",
      },
    ]);
  });

  it("a trace by id", () => {
    expect(traceUrl("http://tracing.istio-system:16686", "4bf92f3577b34da6a3ce929d0e0e4736")).toBe(
      "http://tracing.istio-system:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736",
    );
  });

  it("without JAEGER_URL there are no links, and the reason is given", async () => {
    const telemetry = createTelemetry({});
    expect(telemetry.traceLinks(job)).toBeUndefined();
    expect(await telemetry.recentTraces(job)).toEqual({
      status: "unavailable",
      code: "not-configured",
      reason: "Trace links are off: JAEGER_URL is not set.",
    });
  });
});

describe("recent traces from the Jaeger query API", () => {
  let mesh: MeshSimulator;
  let server: TelemetryServer;

  beforeAll(async () => {
    const snapshot = reviewsSnapshot(
      { v1: 1, v2: 1 },
      {
        virtualServices: [loadRoutingFixture<VirtualService>("mesh/reviews-80-20.yaml", NS)],
        destinationRules: [loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", NS)],
      },
    );
    mesh = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed: 3 });
    await mesh.refresh();
    mesh.profiles.set("reviews", "v1", { errorRate: 0, latency: { kind: "jitter", baseMs: 5, jitterMs: 5 } });
    mesh.profiles.set("reviews", "v2", {
      errorRate: 0.3,
      latency: { kind: "jitter", baseMs: 50, jitterMs: 50 },
    });
    mesh.sendMany(400, { service: "reviews", namespace: NS, uri: "/reviews/1" });
    server = await mesh.serve();
  });
  afterAll(async () => {
    await mesh.close();
  });

  it("links the slowest trace of each version and v2's latest failure", async () => {
    const traces = await recentTraces({ jaegerUrl: server.jaegerUrl, limit: 500 }, job);
    const [v1, v2] = traces;
    expect(v1?.failing).toBeUndefined();
    expect(v1?.slowest?.durationMs).toBeGreaterThan(5);
    expect(v1?.slowest?.durationMs).toBeLessThanOrEqual(10);
    expect(v2?.slowest?.durationMs).toBeGreaterThan(90);
    expect(v2?.failing).toMatchObject({ status: "500" });
    expect(v2?.failing?.url).toBe(`${server.jaegerUrl}/trace/${v2?.failing?.traceId}`);
    // The linked trace exists and has v2's server span.
    const res = await fetch(`${server.jaegerUrl}/api/traces/${v2?.failing?.traceId}`);
    expect(JSON.stringify(await res.json())).toContain('"value":"v2"');
  });

  it("Jaeger down: a JaegerError naming the service, and 'not available' through createTelemetry", async () => {
    const down = "http://127.0.0.1:9";
    await expect(recentTraces({ jaegerUrl: down }, job)).rejects.toBeInstanceOf(JaegerError);
    const telemetry = createTelemetry({ jaegerUrl: down });
    const answer = await telemetry.recentTraces(job);
    expect(answer).toMatchObject({ status: "unavailable", code: "jaeger-unavailable" });
    expect((answer as { reason: string }).reason).toMatch(
      /^Traces for reviews\.bookinfo could not be read from Jaeger: /,
    );
  });

  it("a query Jaeger refuses: its own message", async () => {
    const error = await recentTraces({ jaegerUrl: server.jaegerUrl, limit: Number.NaN }, job).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JaegerError);
    expect((error as Error).message).toBe(
      "Traces for reviews.bookinfo could not be read from Jaeger: start, end and limit must be numbers",
    );
  });
});
