// Live telemetry end to end: a real Prometheus scrapes the mesh simulator routing Bookinfo on the Kubernetes API
// test server; Graydesk's queries read back the split, the health breach, and the refresher posts it once.
import { readFileSync } from "node:fs";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  createRefresher,
  createTelemetry,
  HealthWatch,
  type HealthWindow,
  repostMargin,
  type Telemetry,
  type VersionHealthReport,
} from "../../src/telemetry/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { productpageToReviews } from "../harness/mesh/bookinfo-traffic.ts";
import { MeshSimulator, type TelemetryServer } from "../harness/mesh/index.ts";
import { type RunningPrometheus, startPrometheus } from "../harness/prometheus.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { reviewsJob } from "../release/fixtures.ts";

const NS = "bookinfo";
const WINDOW: HealthWindow = { rate: "30s", rangeSeconds: 120, stepSeconds: 5 };
const job: ReleaseJob = reviewsJob({ traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } });

describe("live telemetry against a real Prometheus", () => {
  let kube: KubeTestServer;
  let mesh: MeshSimulator;
  let served: TelemetryServer;
  let prometheus: RunningPrometheus | undefined;
  let slack: SlackApiServer;
  let telemetry: Telemetry;

  beforeAll(async () => {
    kube = await startKubeServer({ crds: ["istio"], podReadyDelayMs: 5 });
    const kc = kube.kubeConfig();
    await loadBookinfo(kc, NS, { reviewsVersions: ["v1", "v2"], withDestinationRule: true });
    const body = parse(readFileSync(new URL("../fixtures/mesh/reviews-80-20.yaml", import.meta.url), "utf8"));
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      namespace: NS,
      plural: "virtualservices",
      body,
    });
    mesh = new MeshSimulator({ kubeConfig: kc, namespaces: [NS], seed: 11 });
    // The new version fails one request in five; the stable one never does.
    mesh.profiles.set("reviews", "v2", { errorRate: 0.2 });
    await mesh.refresh();
    served = await mesh.serve();
    mesh.startTraffic({ rps: 200, requests: (i) => productpageToReviews(NS, i) });
    prometheus = await startPrometheus({ scrapeTargets: [served.target], scrapeIntervalSeconds: 1 });
    slack = await startSlackApiServer();
    telemetry = createTelemetry({ prometheusUrl: prometheus.url, jaegerUrl: served.jaegerUrl });
  });

  afterAll(async () => {
    await prometheus?.close();
    await mesh?.close();
    await slack?.close();
    await kube?.close();
  });

  async function steadyReport(): Promise<VersionHealthReport> {
    let report: VersionHealthReport | undefined;
    // Until a few scrapes are in, rate() has too few samples to say anything.
    await expect
      .poll(
        async () => {
          const health = await telemetry.versionHealth(job, WINDOW);
          if (health.status !== "ok") return 0;
          report = health;
          return Math.min(health.versions.v1?.rps ?? 0, health.versions.v2?.rps ?? 0);
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBeGreaterThan(20);
    return report as VersionHealthReport;
  }

  it("observes the 80/20 split within 3 points of the configured one", async () => {
    const report = await steadyReport();
    expect(report.configured).toEqual({ v1: 80, v2: 20 });
    expect(Math.abs((report.versions.v1?.share ?? 0) - 80)).toBeLessThan(3);
    expect(Math.abs((report.versions.v2?.share ?? 0) - 20)).toBeLessThan(3);
    expect(report.versions.v2?.mirroredRps).toBeLessThan(1);
    expect(report.versions.v1?.p99).toBeGreaterThan(0);
    const lastObserved = report.observedSplit.find((s) => s.version === "v2")?.points.at(-1)?.[1];
    expect(Math.abs((lastObserved ?? 0) - 20)).toBeLessThan(5);
  });

  it("finds v2's 20 % errors as a success-rate breach, and none on v1", async () => {
    const report = await steadyReport();
    expect(report.versions.v2?.successRate).toBeGreaterThan(0.72);
    expect(report.versions.v2?.successRate).toBeLessThan(0.88);
    const breaches = telemetry.breaches(job, report, { thresholds: { minSuccessRate: 0.95 } });
    expect(breaches.map((b) => `${b.version}/${b.kind}`)).toEqual(["v2/success-rate"]);
    expect(breaches[0]?.text).toMatch(/^v2: \d\d\.\d % of requests succeeded, below the 95\.0 % minimum\.$/);
  });

  it("links each version's failing trace from Jaeger", async () => {
    const traces = await telemetry.recentTraces(job);
    expect(Array.isArray(traces)).toBe(true);
    const v2 = (traces as Exclude<typeof traces, { status: string }>).find((t) => t.version === "v2");
    expect(v2?.failing?.status).toBe("500");
    expect(v2?.failing?.url).toBe(`${served.jaegerUrl}/trace/${v2?.failing?.traceId}`);
  });

  it("posts the breach once in the job's thread across refreshes, with a rollback button", async () => {
    const client = new WebClient(slack.bot.token, {
      slackApiUrl: slack.url,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    const card = await client.chat.postMessage({ channel: "C0RELEASES", text: "reviews canary" });
    const watch = new HealthWatch({
      policy: () => ({ thresholds: { minSuccessRate: 0.95 }, analysis: { minRequests: 20 } }),
      timing: { rateWindowSeconds: 30, scrapeIntervalSeconds: 1 },
    });
    const refresher = createRefresher({
      jobs: () => [job],
      async render(j) {
        const health = await telemetry.versionHealth(j, WINDOW);
        return {
          update: { channel: "C0RELEASES", ts: card.ts as string, text: `reviews: ${health.status}` },
          analysis: watch.check(j, health),
        };
      },
      slack: client,
      // As Graydesk posts again: only once the breach got worse by the default margin. Two refreshes on a loaded
      // machine are seconds apart, and v2's sampled success rate moves between them.
      repostMargin: (_j, metric) => repostMargin(metric, undefined),
      async notify(_j, notice) {
        const text = notice.kind === "recovered" ? "recovered" : notice.verdict.text;
        await client.chat.postMessage({
          channel: "C0RELEASES",
          thread_ts: card.ts as string,
          text,
          blocks: [
            { type: "section", text: { type: "mrkdwn", text } },
            {
              type: "actions",
              elements: [
                {
                  type: "button",
                  action_id: "request_rollback",
                  text: { type: "plain_text", text: "Request rollback" },
                },
              ],
            },
          ],
        });
      },
    });
    const first = await refresher.refreshNow();
    const second = await refresher.refreshNow();
    expect(first.breachesPosted).toBe(1);
    expect(second.breachesPosted).toBe(0);
    const posts = slack
      .callsTo("chat.postMessage")
      .filter((c) => (c.args as { thread_ts?: string }).thread_ts);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.args)).toContain("request_rollback");
    slack.expectNoViolations();
    await refresher.stop();
  });
});
