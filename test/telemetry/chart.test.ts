import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  CHART_SIZE,
  type ChartInput,
  chartInputOf,
  renderChartPng,
  renderChartSvg,
  VERSION_COLOURS,
} from "../../src/telemetry/chart.ts";
import { loadCharts, type VersionHealthReport } from "../../src/telemetry/index.ts";

const TO = Date.UTC(2026, 0, 5, 12, 0);
const FROM = TO - 30 * 60_000;
const flat = (percent: number): [number, number][] =>
  Array.from({ length: 61 }, (_, i) => [FROM + i * 30_000, percent + (i % 2 ? 0.5 : -0.5)]);

const input: ChartInput = {
  title: "reviews.bookinfo",
  versions: ["v1", "v2"],
  configured: { v1: 80, v2: 20 },
  observed: [
    { version: "v1", points: flat(80) },
    { version: "v2", points: flat(20) },
  ],
  stats: { v1: { successRate: 0.999, p99: 48 }, v2: { successRate: 0.801, p99: 212 } },
  from: FROM,
  to: TO,
};

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Rows (y) of the pixels drawn in `hex`, within a small tolerance for anti-aliasing. */
function rowsOf(png: PNG, hex: string): number[] {
  const [r, g, b] = rgb(hex);
  const rows: number[] = [];
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const d =
        Math.abs((png.data[i] ?? 0) - r) +
        Math.abs((png.data[i + 1] ?? 0) - g) +
        Math.abs((png.data[i + 2] ?? 0) - b);
      if (d < 24) rows.push(y);
    }
  }
  return rows;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? -1;

const dir = mkdtempSync(join(tmpdir(), "graydesk-chart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the split chart", () => {
  it("is a PNG of the expected size that decodes", () => {
    const file = join(dir, "reviews.png");
    writeFileSync(file, renderChartPng(input));
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
  });

  it("draws each version in its colour, the 80 % stable line above the 20 % new one", () => {
    const png = PNG.sync.read(renderChartPng(input));
    const blue = rowsOf(png, VERSION_COLOURS[0]);
    const orange = rowsOf(png, VERSION_COLOURS[1]);
    expect(blue.length).toBeGreaterThan(1500);
    expect(orange.length).toBeGreaterThan(1500);
    // Plot rows: 0 % near the bottom of the grid; the legend swatches sit lower still, so compare medians.
    expect(median(blue)).toBeLessThan(median(orange));
    expect(median(orange) - median(blue)).toBeGreaterThan(150);
  });

  it("a third version gets the third colour", () => {
    const png = PNG.sync.read(
      renderChartPng({
        ...input,
        versions: ["v1", "v2", "v3"],
        configured: { v1: 60, v2: 20, v3: 20 },
        observed: [...input.observed, { version: "v3", points: flat(20) }],
      }),
    );
    expect(rowsOf(png, VERSION_COLOURS[2]).length).toBeGreaterThan(1500);
  });

  it("has a legend with units, success rate and p99 per version, and a labelled axis", () => {
    const svg = renderChartSvg(input);
    for (const text of [
      "v1 observed — success 99.9 %, p99 48 ms",
      "v2 observed — success 80.1 %, p99 212 ms",
      "v1 configured 80 %",
      "v2 configured 20 %",
      "% of served requests",
      "reviews.bookinfo: share of served traffic, last 30 min (times in UTC)",
      "11:30",
    ])
      expect(svg).toContain(text);
  });

  it("says 'no data' rather than a number when a version has none", () => {
    const svg = renderChartSvg({
      ...input,
      stats: { v1: { successRate: 0.999, p99: 48 }, v2: { successRate: undefined, p99: undefined } },
    });
    expect(svg).toContain("v2 observed — success no data, p99 no data");
  });

  it("is built from a health report's window, configured split and figures", () => {
    const report: VersionHealthReport = {
      status: "ok",
      jobId: "job-1",
      service: { namespace: "bookinfo", service: "reviews" },
      at: new Date(TO).toISOString(),
      window: { rate: "1m", rangeSeconds: 1800, stepSeconds: 30 },
      versions: {
        v1: { rps: 8, share: 80, mirroredRps: 0, successRate: 0.999, p50: 10, p90: 20, p99: 48 },
        v2: { rps: 2, share: 20, mirroredRps: 0, successRate: 0.801, p50: 10, p90: 20, p99: 212 },
      },
      configured: { v1: 80, v2: 20 },
      observedSplit: input.observed.map((series) => ({
        ...series,
        points: [[FROM - 7_200_000, 50] as [number, number], ...series.points],
      })),
    };
    expect(chartInputOf(report)).toMatchObject({
      title: "reviews.bookinfo",
      from: FROM,
      to: TO,
      versions: ["v1", "v2"],
    });
    // Samples from before the window are not drawn.
    expect(chartInputOf(report).observed).toEqual(input.observed);
  });

  it("is loaded on demand through telemetry's public face", async () => {
    const charts = await loadCharts();
    expect(charts.renderChartPng).toBe(renderChartPng);
    expect(charts.chartInputOf).toBe(chartInputOf);
  });
});
