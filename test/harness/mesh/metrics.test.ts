import { describe, expect, it } from "vitest";
import { ISTIO_DURATION_BUCKETS_MS, MetricsRegistry } from "./metrics.ts";
import { parsePrometheusText, sumSamples } from "./prometheus-text.ts";

function registry(maxSeries?: number): MetricsRegistry {
  const r = new MetricsRegistry(maxSeries === undefined ? {} : { maxSeries });
  r.defineCounter("requests_total", "Requests.");
  r.defineHistogram("duration_ms", "Durations.", ISTIO_DURATION_BUCKETS_MS);
  return r;
}

describe("MetricsRegistry", () => {
  it("renders counters with HELP and TYPE lines in text format 0.0.4", () => {
    const r = registry();
    r.inc("requests_total", { version: "v1" });
    r.inc("requests_total", { version: "v1" });
    r.inc("requests_total", { version: "v2" }, 3);
    const text = r.render();
    expect(text).toContain("# HELP requests_total Requests.\n# TYPE requests_total counter\n");
    expect(text).toContain('requests_total{version="v1"} 2\n');
    expect(text).toContain('requests_total{version="v2"} 3\n');
    expect(text.endsWith("\n")).toBe(true);
  });

  it("renders cumulative histogram buckets with +Inf, _sum and _count", () => {
    const r = registry();
    for (const v of [0.3, 3, 30, 30, 7_000_000]) r.observe("duration_ms", { version: "v1" }, v);
    const samples = parsePrometheusText(r.render());
    const bucket = (le: string) => sumSamples(samples, "duration_ms_bucket", { le });
    expect(bucket("0.5")).toBe(1);
    expect(bucket("5")).toBe(2);
    expect(bucket("25")).toBe(2);
    expect(bucket("50")).toBe(4);
    expect(bucket("3600000")).toBe(4);
    expect(bucket("+Inf")).toBe(5);
    expect(sumSamples(samples, "duration_ms_count")).toBe(5);
    expect(sumSamples(samples, "duration_ms_sum")).toBeCloseTo(7_000_063.3);
    const les = samples.filter((s) => s.name === "duration_ms_bucket").map((s) => s.labels.le);
    expect(les).toEqual([...ISTIO_DURATION_BUCKETS_MS.map(String), "+Inf"]);
  });

  it("escapes quotes, backslashes and newlines in label values", () => {
    const r = registry();
    r.inc("requests_total", { path: 'a"b\\c\nd' });
    expect(r.render()).toContain('requests_total{path="a\\"b\\\\c\\nd"} 1');
    expect(parsePrometheusText(r.render())[0]?.labels.path).toBe('a"b\\c\nd');
  });

  it("keeps memory bounded: one series per label set, and no new series past the limit", () => {
    const r = registry(3);
    for (let i = 0; i < 10_000; i++) r.inc("requests_total", { version: `v${i % 2}` });
    expect(r.seriesCount).toBe(2);
    r.inc("requests_total", { version: "v9" });
    r.inc("requests_total", { version: "v10" });
    expect(r.seriesCount).toBe(3);
    expect(r.dropped).toBe(1);
    expect(r.counterValue("requests_total")).toBe(10_001);
  });

  it("refuses samples for metrics it does not know", () => {
    expect(() => registry().inc("nope_total", {})).toThrow(/not defined/);
    expect(() => registry().observe("nope", {}, 1)).toThrow(/not defined/);
  });
});
