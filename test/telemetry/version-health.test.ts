import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  createTelemetry,
  type HealthWindow,
  healthOfJobs,
  NOT_CONFIGURED,
  PrometheusError,
  prometheusClient,
  promql,
  type VersionHealthReport,
  versionHealth,
} from "../../src/telemetry/index.ts";
import { reviewsJob } from "../release/fixtures.ts";
import { answersFor, type RecordedPrometheus, startRecordedPrometheus } from "./recorded-prometheus.ts";

const WINDOW: HealthWindow = { rate: "30s", rangeSeconds: 20, stepSeconds: 5 };
const AT = new Date(1795322475.391 * 1000);
const job = reviewsJob({ traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } });

const servers: RecordedPrometheus[] = [];
async function recordedServer(
  answer: (query: string, path: string) => string | undefined,
  mode?: "normal" | "hang" | "html",
): Promise<RecordedPrometheus> {
  const server = await startRecordedPrometheus(answer, mode);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("versionHealth from recorded Prometheus answers", () => {
  it("reads every version's rate, served share, mirrored rate, success and latency", async () => {
    const server = await recordedServer(
      answersFor([{ namespace: "bookinfo", service: "reviews" }], WINDOW.rate),
    );
    const health = await versionHealth(
      { prometheus: prometheusClient({ url: server.url }), now: () => AT },
      job,
      WINDOW,
    );
    expect(health.status).toBe("ok");
    const report = health as VersionHealthReport;
    expect(report.configured).toEqual({ v1: 80, v2: 20 });
    expect(report.versions.v1).toMatchObject({ rps: 107.6601157894737, mirroredRps: 0, successRate: 1 });
    expect(report.versions.v1?.share).toBeCloseTo(80.05263157894738, 9);
    expect(report.versions.v2).toMatchObject({ successRate: 0.8100263852242744, p50: 19.894837476099426 });
    expect(report.versions.v2?.p99).toBeCloseTo(70.846, 2);
    expect(report.observedSplit.map((s) => s.version)).toEqual(["v1", "v2"]);
    expect(report.observedSplit[0]?.points[0]).toEqual([1795322460391, 80.125]);
    expect(report.observedSplit[0]?.points).toHaveLength(4);
    expect(report.at).toBe(AT.toISOString());
  });

  it("sends instant queries at the report's time and the range over the window", async () => {
    const server = await recordedServer(
      answersFor([{ namespace: "bookinfo", service: "reviews" }], WINDOW.rate),
    );
    await versionHealth({ prometheus: prometheusClient({ url: server.url }), now: () => AT }, job, WINDOW);
    const instant = server.received.filter((r) => r.path === "/api/v1/query");
    const range = server.received.filter((r) => r.path === "/api/v1/query_range");
    expect(instant).toHaveLength(7);
    expect(new Set(instant.map((r) => r.params.get("time")))).toEqual(new Set(["1795322475.391"]));
    expect(range[0]?.params.get("start")).toBe("1795322455.391");
    expect(range[0]?.params.get("step")).toBe("5");
  });

  it("asks one query per metric whatever the number of jobs", async () => {
    const jobs: ReleaseJob[] = Array.from({ length: 200 }, (_, i) =>
      reviewsJob({
        id: `job-${i}`,
        namespace: i === 0 ? "bookinfo" : `shop-${i}`,
        service: { name: i === 0 ? "reviews" : "cart", ports: [] },
      }),
    );
    const targets = jobs.map((j) => ({ namespace: j.namespace, service: j.service.name }));
    const server = await recordedServer(answersFor(targets, WINDOW.rate));
    const health = await healthOfJobs(
      { prometheus: prometheusClient({ url: server.url }), now: () => AT },
      jobs,
      WINDOW,
    );
    expect(server.received).toHaveLength(8);
    expect(health.get("job-0")?.status).toBe("ok");
    expect(health.get("job-7")).toEqual({
      status: "unavailable",
      code: "no-traffic",
      reason: "No requests to cart.shop-7 were reported in the last 30s.",
    });
  });

  it("says plainly that a replica-ratio job's split cannot be observed without mesh metrics", async () => {
    const server = await recordedServer(() => "empty");
    const health = await versionHealth(
      { prometheus: prometheusClient({ url: server.url }) },
      reviewsJob({ router: "replicas" }),
      WINDOW,
    );
    expect(health).toEqual({
      status: "unavailable",
      code: "no-mesh-metrics",
      reason:
        "reviews.bookinfo is split by replica counts (no service mesh), so its observed split is not available: " +
        "the service exports no Istio request metrics to measure it with.",
    });
  });

  it("without PROMETHEUS_URL, says what is not configured", async () => {
    expect(await versionHealth({ prometheus: undefined }, job, WINDOW)).toBe(NOT_CONFIGURED);
    const telemetry = createTelemetry({});
    expect(telemetry.prometheusConfigured).toBe(false);
    expect(await telemetry.versionHealth(job)).toEqual({
      status: "unavailable",
      code: "not-configured",
      reason: "Live health is off: PROMETHEUS_URL is not set, so Graydesk has no metrics to read.",
    });
  });
});

describe("Prometheus failures become 'not available' with a reason", () => {
  it("Prometheus down: unreachable", async () => {
    const server = await startRecordedPrometheus(() => "empty");
    const url = server.url;
    await server.close();
    const health = await versionHealth({ prometheus: prometheusClient({ url }) }, job, WINDOW);
    expect(health).toEqual({
      status: "unavailable",
      code: "prometheus-unreachable",
      reason: `Prometheus at ${url} could not be reached.`,
    });
  });

  it("a bad query: Prometheus's own words", async () => {
    const server = await recordedServer(() => undefined);
    const error = await prometheusClient({ url: server.url })
      .query("sum(rate(istio_requests_total[5x]))")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error).toMatchObject({
      code: "prometheus-bad-query",
      retryable: false,
      message:
        'Prometheus refused a query: invalid parameter "query": 1:31: parse error: bad duration syntax: "5"',
    });
  });

  it("hostile error text (from Prometheus or a proxy before it): escaped once in the message, plain in the reason", async () => {
    const said = "query failed <!channel> ask <@U1> at <https://x|y> & retry";
    const server = createServer((_req, res) => {
      res
        .writeHead(503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: "error", errorType: "unavailable", error: said }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await prometheusClient({ url })
        .query("up")
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "prometheus-bad-response",
        message: `Prometheus at ${url} failed: query failed &lt;!channel&gt; ask &lt;@U1&gt; at &lt;https://x|y&gt; &amp; retry`,
      });
      // The unavailable reason is plain text, as every reason is: the views that show it escape it once.
      const health = await versionHealth({ prometheus: prometheusClient({ url }) }, job, WINDOW);
      expect(health).toEqual({
        status: "unavailable",
        code: "prometheus-bad-response",
        reason: `Prometheus at ${url} failed: ${said}`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("no answer in time: timeout", async () => {
    const server = await recordedServer(() => "empty", "hang");
    const health = await versionHealth(
      { prometheus: prometheusClient({ url: server.url, timeoutMs: 150 }) },
      job,
      WINDOW,
    );
    expect(health).toEqual({
      status: "unavailable",
      code: "prometheus-timeout",
      reason: `Prometheus at ${server.url} did not answer within 0.15 s.`,
    });
  });

  it("a web page instead of the API: bad response with a hint", async () => {
    const server = await recordedServer(() => "empty", "html");
    const error = await prometheusClient({ url: `${server.url}/` })
      .query("up")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "prometheus-bad-response",
      message: `Prometheus at ${server.url} answered HTTP 200 without its JSON API body; is PROMETHEUS_URL the server's root?`,
    });
  });

  it("a window that is not a duration is refused before any query", () => {
    expect(() => promql.requestRate([{ namespace: "bookinfo", service: "reviews" }], "30 seconds")).toThrow(
      '"30 seconds" is not a Prometheus duration such as 30s, 1m or 1h',
    );
  });
});
