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
const toReviews = { service: "reviews", namespace: NS };

async function simulatorWith(virtualService: string, seed: number): Promise<MeshSimulator> {
  const snapshot = reviewsSnapshot(
    { v1: 2, v2: 2 },
    {
      virtualServices: [loadRoutingFixture<VirtualService>(`mesh/${virtualService}.yaml`, NS)],
      destinationRules: [loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", NS)],
    },
  );
  const sim = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: [NS], seed });
  await sim.refresh();
  return sim;
}

describe("a real Prometheus scraping the mesh simulator", () => {
  let canary: MeshSimulator;
  let mirror: MeshSimulator;
  let canaryTelemetry: TelemetryServer;
  let mirrorTelemetry: TelemetryServer;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    canary = await simulatorWith("reviews-80-20", 2024);
    mirror = await simulatorWith("reviews-mirror-50", 2025);
    canaryTelemetry = await canary.serve();
    mirrorTelemetry = await mirror.serve();
    prometheus = await startPrometheus({
      scrapeTargets: [canaryTelemetry.target, mirrorTelemetry.target],
      scrapeIntervalSeconds: 1,
    });
  });

  afterAll(async () => {
    await prometheus?.close();
    await canary?.close();
    await mirror?.close();
  });

  const scrapedTotal = async (instance: string): Promise<number> =>
    (
      await (prometheus as RunningPrometheus).query(
        `sum(istio_requests_total{instance="${instance}",reporter="source"})`,
      )
    )[0]?.value ?? 0;

  /** Two whole batches with a scrape between them: rate() then covers exactly the second batch, whose split is
   * fixed by the seed, so the shares cannot drift with scrape timing. */
  async function twoScrapedBatches(sim: MeshSimulator, telemetry: TelemetryServer): Promise<void> {
    sim.sendMany(10_000, toReviews);
    await expect.poll(() => scrapedTotal(telemetry.target), { timeout: 30_000, interval: 250 }).toBe(10_000);
    sim.sendMany(10_000, toReviews);
    await expect.poll(() => scrapedTotal(telemetry.target), { timeout: 30_000, interval: 250 }).toBe(20_000);
  }

  it("reads back the 80/20 split with rate() per destination_version", async () => {
    const p = prometheus as RunningPrometheus;
    await twoScrapedBatches(canary, canaryTelemetry);
    const split = await p.query(
      `sum by (destination_version) (rate(istio_requests_total{instance="${canaryTelemetry.target}",reporter="destination"}[1m]))`,
    );
    const rate = Object.fromEntries(split.map((s) => [s.metric.destination_version, s.value]));
    const total = (rate.v1 ?? 0) + (rate.v2 ?? 0);
    expect(Object.keys(rate).sort()).toEqual(["v1", "v2"]);
    expect(total).toBeGreaterThan(0);
    expect((rate.v2 ?? 0) / total).toBeGreaterThan(0.18);
    expect((rate.v2 ?? 0) / total).toBeLessThan(0.22);
  });

  it("keeps Istio's label set and histogram buckets through the scrape", async () => {
    const p = prometheus as RunningPrometheus;
    const series = await p.query(
      `istio_requests_total{instance="${canaryTelemetry.target}",reporter="destination",destination_version="v2"}`,
    );
    expect(series[0]?.metric).toMatchObject({
      job: "mesh",
      destination_service: "reviews.bookinfo.svc.cluster.local",
      destination_workload: "reviews-v2",
      destination_canonical_revision: "v2",
      source_workload: "productpage-v1",
      response_code: "200",
    });
    const p99 = await p.query(
      `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{instance="${canaryTelemetry.target}",reporter="destination"}[1m])))`,
    );
    expect(p99[0]?.value).toBeGreaterThan(0);
    expect(p99[0]?.value).toBeLessThan(250);
  });

  it("tells mirrored traffic apart: destination-reported minus source-reported requests per version", async () => {
    const p = prometheus as RunningPrometheus;
    await twoScrapedBatches(mirror, mirrorTelemetry);
    const on = `instance="${mirrorTelemetry.target}"`;
    const served = await p.query(
      `sum by (destination_version) (rate(istio_requests_total{${on},reporter="source"}[1m]))`,
    );
    expect(served.map((s) => s.metric.destination_version)).toEqual(["v1"]);
    const shadow = await p.query(
      `sum(rate(istio_requests_total{${on},reporter="destination",destination_version="v2"}[1m])) - (sum(rate(istio_requests_total{${on},reporter="source",destination_version="v2"}[1m])) or vector(0))`,
    );
    const mirroredShare = (shadow[0]?.value ?? 0) / (served[0]?.value ?? 1);
    expect(mirroredShare).toBeGreaterThan(0.46);
    expect(mirroredShare).toBeLessThan(0.54);
  });
});
