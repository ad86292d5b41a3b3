import { describe, expect, it } from "vitest";
import type { VersionHealthReport, VersionStats } from "../../src/telemetry/index.ts";
import { NOT_CONFIGURED, traceLinks } from "../../src/telemetry/index.ts";
import { buildJobCard } from "../../views/job-card.ts";
import { buildBreachMessage, tracesText } from "../../views/live-messages.ts";
import { validateMessage } from "../harness/slack/index.ts";
import { reviewsJob } from "../release/fixtures.ts";

const job = reviewsJob({ state: "active", traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } });
const stats = (over: Partial<VersionStats>): VersionStats => ({
  rps: 10,
  share: 50,
  mirroredRps: 0,
  successRate: 1,
  p50: 5,
  p90: 9,
  p99: 12,
  ...over,
});
const report = (versions: Record<string, VersionStats>): VersionHealthReport => ({
  status: "ok",
  jobId: job.id,
  service: { namespace: "bookinfo", service: "reviews" },
  at: "2026-11-22T05:00:00.000Z",
  window: { rate: "1m", rangeSeconds: 1800, stepSeconds: 30 },
  versions,
  configured: { v1: 80, v2: 20 },
  observedSplit: [],
});
type Block = {
  block_id?: string;
  text?: { text: string };
  elements?: { text?: string; action_id?: string }[];
};
const blockOf = (blocks: unknown[], id: string) => (blocks as Block[]).find((b) => b.block_id === id);

describe("the job card's live health", () => {
  it("one line per version with observed and configured share, and mirrored req/s only when mirrored", () => {
    const card = buildJobCard({
      job,
      live: {
        health: report({
          v1: stats({ rps: 80, share: 79.6 }),
          v2: stats({ rps: 32.5, share: 20.4, mirroredRps: 12.5, successRate: 0.5, p99: 1500 }),
        }),
      },
    });
    const text = blockOf(card.blocks, "job_card_health")?.text?.text;
    expect(text).toBe(
      [
        "*Live traffic* (last 1m, observed / configured share)",
        "*v1* (stable): 80 % / 80 % · success 100.0 % · p99 12 ms · 80.0 req/s",
        "*v2* (new): 20 % / 20 % · success 50.0 % · p99 1,500 ms · 32.5 req/s · mirrored 12.5 req/s",
      ].join("\n"),
    );
    // No Jaeger: said once, in the context line.
    expect(blockOf(card.blocks, "job_card_telemetry_off")?.elements?.[0]?.text).toBe(
      "Trace links are off: JAEGER_URL is not set.",
    );
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
  });

  it("a replica split says its observed split is not available, with no numbers", () => {
    const reason =
      "reviews.bookinfo is split by replica counts (no service mesh), so its observed split is not available: the service exports no Istio request metrics to measure it with.";
    const card = buildJobCard({
      job: { ...job, router: "replicas" },
      live: { health: { status: "unavailable", code: "no-mesh-metrics", reason } },
    });
    expect(blockOf(card.blocks, "job_card_health")).toBeUndefined();
    expect(blockOf(card.blocks, "job_card_telemetry_off")?.elements?.[0]?.text).toBe(
      `${reason} Trace links are off: JAEGER_URL is not set.`,
    );
    expect(JSON.stringify(card.blocks)).not.toMatch(/req\/s/);
    // Metrics are configured, so a chart can still be asked for (it answers with the reason).
    const actions = (card.blocks as Block[]).flatMap((b) => b.elements ?? []).map((e) => e.action_id);
    expect(actions).toContain("job_chart");
  });

  it("a reason with Slack's control characters (Prometheus' own words) is shown escaped once", () => {
    const card = buildJobCard({
      job,
      live: {
        health: {
          status: "unavailable",
          code: "prometheus-bad-response",
          reason: "Prometheus failed: <!channel> & <@U1>",
        },
      },
    });
    expect(blockOf(card.blocks, "job_card_telemetry_off")?.elements?.[0]?.text).toBe(
      "Prometheus failed: &lt;!channel&gt; &amp; &lt;@U1&gt; Trace links are off: JAEGER_URL is not set.",
    );
  });

  it("not configured: no Chart or Traces button; finished jobs show no telemetry at all", () => {
    const live = buildJobCard({ job, live: { health: NOT_CONFIGURED } });
    const actions = (live.blocks as Block[]).flatMap((b) => b.elements ?? []).map((e) => e.action_id);
    expect(actions).not.toContain("job_chart");
    expect(actions).not.toContain("job_traces");
    const offline = buildJobCard({ job: { ...job, state: "offline" } });
    expect(blockOf(offline.blocks, "job_card_telemetry_off")).toBeUndefined();
  });

  it("many versions with long trace links stay within Block Kit limits, whole lines only", () => {
    const many = reviewsJob({
      state: "active",
      service: { ...job.service, name: "x".repeat(200) },
    });
    const versions = Object.fromEntries(["v1", "v2"].map((v) => [v, stats({})]));
    const traces = traceLinks(`http://jaeger.example.com/${"p".repeat(600)}`, many);
    const card = buildJobCard({
      job: many,
      live: {
        health: report(versions),
        traces,
        analysis: {
          since: undefined,
          settlesAt: 0,
          stable: "v1",
          newVersion: "v2",
          checks: 1,
          verdicts: Object.fromEntries(
            ["v1", "v2"].map((version) => [
              version,
              {
                kind: "inconclusive" as const,
                version,
                reason: "no-data" as const,
                text: `${version}: ${"y".repeat(2_000)}`,
                failedChecks: 0,
              },
            ]),
          ),
        },
        chartFileId: "F0CHART",
      },
    });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    const text = blockOf(card.blocks, "job_card_health")?.text?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.split("\n").every((line) => !line.includes("<") || line.includes(">"))).toBe(true);
    expect(
      (card.blocks as { type: string; slack_file?: unknown }[]).find((b) => b.type === "image"),
    ).toMatchObject({
      slack_file: { id: "F0CHART" },
    });
  });

  it("breach message and traces text", () => {
    const message = buildBreachMessage(job, {
      text: "v2: p99 latency is 2,000 ms, above the 1,000 ms limit.",
    });
    expect(message.text).toBe(
      ":rotating_light: Health breach on *reviews-canary*: v2: p99 latency is 2,000 ms, above the 1,000 ms limit.",
    );
    expect(validateMessage(message.blocks, message.text)).toEqual([]);
    const text = tracesText(job, [
      { version: "v1", search: "http://j/s1", errors: "http://j/e1" },
      {
        version: "v2",
        search: "http://j/s2",
        errors: "http://j/e2",
        slowest: { traceId: "abc", url: "http://j/trace/abc", durationMs: 120, status: "200" },
        failing: { traceId: "def", url: "http://j/trace/def", durationMs: 8, status: "500" },
      },
    ]);
    expect(text).toBe(
      [
        "*Recent traces of reviews-canary* (last hour)",
        "*v1*: slowest: none · failing: none · <http://j/s1|all> · <http://j/e1|errors>",
        "*v2*: slowest <http://j/trace/abc|abc> 120 ms (HTTP 200) · failing <http://j/trace/def|def> 8.0 ms (HTTP 500) · <http://j/s2|all> · <http://j/e2|errors>",
      ].join("\n"),
    );
  });
});
