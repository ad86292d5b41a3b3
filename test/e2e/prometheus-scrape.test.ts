import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DestinationRule,
  MeshSimulator,
  staticClusterReader,
  type TelemetryServer,
  type VirtualService,
} from "../harness/mesh/index.ts";
import { loadRoutingFixture, reviewsSnapshot } from "../harness/mesh/sample-mesh.ts";
import { type RunningPrometheus, startPrometheus } from "../harness/prometheus.ts";

const NS = "bookinfo";
const SPLIT_QUERY = 'sum by (destination_version) (rate(istio_requests_total{reporter="destination"}[1m]))';
const TOTAL_QUERY = 'sum(istio_requests_total{reporter="destination"})';

describe("a real Prometheus scraping the mesh simulator", () => {
  let sim: MeshSimulator;
  let telemetry: TelemetryServer;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    const snapshot = reviewsSnapshot(
      { v1: 2, v2: 2 },
      {
        virtualServices: [loadRoutingFixture<VirtualService>("mesh/reviews-80-20.yaml", NS)],
        destinationRules: [loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", NS)],
      },
    );
    sim = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed: 2024 });
    await sim.refresh();
    telemetry = await sim.serve();
    prometheus = await startPrometheus({ scrapeTargets: [telemetry.target], scrapeIntervalSeconds: 1 });
  });

  afterAll(async () => {
    await prometheus?.close();
    await sim?.close();
  });

  const scrapedTotal = async (): Promise<number> =>
    (await (prometheus as RunningPrometheus).query(TOTAL_QUERY))[0]?.value ?? 0;

  it("reads back the 80/20 split with rate() per destination_version", async () => {
    const p = prometheus as RunningPrometheus;
    // Two whole batches with a scrape between them: rate() then covers exactly the second batch, whose split
    // is fixed by the seed, so the shares cannot drift with scrape timing.
    sim.sendMany(10_000, { service: "reviews", namespace: NS });
    await expect.poll(scrapedTotal, { timeout: 30_000, interval: 250 }).toBe(10_000);
    sim.sendMany(10_000, { service: "reviews", namespace: NS });
    await expect.poll(scrapedTotal, { timeout: 30_000, interval: 250 }).toBe(20_000);

    const split = await p.query(SPLIT_QUERY);
    const rate = Object.fromEntries(split.map((s) => [s.metric.destination_version, s.value]));
    const total = (rate.v1 ?? 0) + (rate.v2 ?? 0);
    expect(Object.keys(rate).sort()).toEqual(["v1", "v2"]);
    expect(total).toBeGreaterThan(0);
    expect((rate.v2 ?? 0) / total).toBeGreaterThan(0.18);
    expect((rate.v2 ?? 0) / total).toBeLessThan(0.22);
  });

  it("keeps Istio's label set and histogram buckets through the scrape", async () => {
    const p = prometheus as RunningPrometheus;
    const series = await p.query('istio_requests_total{reporter="destination",destination_version="v2"}');
    expect(series[0]?.metric).toMatchObject({
      job: "mesh",
      destination_service: "reviews.bookinfo.svc.cluster.local",
      destination_workload: "reviews-v2",
      destination_canonical_revision: "v2",
      source_workload: "productpage-v1",
      response_code: "200",
    });
    const p99 = await p.query(
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[1m])))',
    );
    expect(p99[0]?.value).toBeGreaterThan(0);
    expect(p99[0]?.value).toBeLessThan(250);
  });
});
