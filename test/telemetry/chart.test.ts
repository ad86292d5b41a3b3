import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  CHART_SIZE,
  type ChartInput,
  CONFIGURED_COLOURS,
  chartInputOf,
  renderChartPng,
  renderChartSvg,
  VERSION_COLOURS,
} from "../../src/telemetry/chart.ts";
import { loadCharts, type VersionHealthReport } from "../../src/telemetry/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

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

function healthReport(): VersionHealthReport {
  return {
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
}

/** The chart's plot area, as chart.ts lays it out for two versions. */
const GRID = { left: 76, right: 30, top: 56, bottom: 48 + 40 };
const yOf = (png: PNG, share: number) =>
  png.height - GRID.bottom - (share / 100) * (png.height - GRID.bottom - GRID.top);

/** Rows drawn in `hex` in one column. */
function rowsAt(png: PNG, hex: string, x: number): number[] {
  const [r, g, b] = rgb(hex);
  const rows: number[] = [];
  for (let y = 0; y < png.height; y++) {
    const i = (y * png.width + x) * 4;
    const d =
      Math.abs((png.data[i] ?? 0) - r) +
      Math.abs((png.data[i + 1] ?? 0) - g) +
      Math.abs((png.data[i + 2] ?? 0) - b);
    if (d < 40) rows.push(y);
  }
  return rows;
}

const dir = tempDir("graydesk-chart-");
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

  it("has a short legend per version and line, percent units and UTC times", () => {
    const svg = renderChartSvg(input);
    for (const text of [
      "v1 observed",
      "v2 observed",
      "v1 configured",
      "v2 configured",
      "50 %",
      "reviews.bookinfo: % of served traffic, 30 min (UTC)",
      "11:30",
    ])
      expect(svg).toContain(text);
    // Every label keeps its size in resvg: none is left in the CSS shorthand it does not read.
    expect(svg).not.toMatch(/style="font: /);
  });

  it("is built from a health report's window, configured split and figures", () => {
    const report = healthReport();
    expect(chartInputOf(report)).toMatchObject({
      title: "reviews.bookinfo",
      from: FROM,
      to: TO,
      versions: ["v1", "v2"],
    });
    // Samples from before the window are not drawn.
    expect(chartInputOf(report).observed).toEqual(input.observed);
  });

  it("steps the configured line at each change, marked with who approved it", () => {
    const start = TO - 12 * 60_000;
    const [c1, c2, c3] = [3, 6, 9].map((m) => start + m * 60_000) as [number, number, number];
    const stepped: ChartInput = {
      ...input,
      from: start,
      configured: { v1: 0, v2: 100 },
      changes: [
        { at: start, configured: { v1: 100, v2: 0 } },
        { at: c1, configured: { v1: 80, v2: 20 }, by: "bob" },
        { at: c2, configured: { v1: 50, v2: 50 }, by: "dave" },
        { at: c3, configured: { v1: 0, v2: 100 }, by: "bob" },
      ],
      observed: [],
    };
    const svg = renderChartSvg(stepped);
    for (const label of ["v2 20 % · bob", "v2 50 % · dave", "v2 100 % · bob"]) expect(svg).toContain(label);
    const png = PNG.sync.read(renderChartPng(stepped));
    const xOf = (t: number) =>
      Math.round(GRID.left + ((t - start) / (TO - start)) * (png.width - GRID.left - GRID.right));
    // Midway through each step, v2's configured colour sits at that step's share.
    for (const [t, share] of [
      [start + 90_000, 0],
      [c1 + 90_000, 20],
      [c2 + 90_000, 50],
      [c3 + 90_000, 100],
    ] as const)
      expect(Math.abs(median(rowsAt(png, CONFIGURED_COLOURS[1], xOf(t))) - yOf(png, share))).toBeLessThan(5);
  });

  it("is built from the job's traffic history: window from the first change, configured steps, names", () => {
    const first = TO - 10 * 60_000;
    const report = healthReport();
    const chart = chartInputOf(
      report,
      [
        { at: first, configured: { v1: 100, v2: 0 }, by: "graydesk", judgeDrift: true },
        { at: first + 120_000, configured: { v1: 80, v2: 20 }, by: "U0BOB", judgeDrift: true },
      ],
      { U0BOB: "bob" },
    );
    expect(chart.from).toBe(first);
    expect(chart.changes).toEqual([
      { at: first, configured: { v1: 100, v2: 0 } },
      { at: first + 120_000, configured: { v1: 80, v2: 20 }, by: "bob" },
    ]);
    expect(chart.observed.every((series) => series.points.every(([t]) => t >= first))).toBe(true);
    // A job older than 30 minutes: the window is the last 30, opening on the change in force then.
    const old = chartInputOf(report, [
      { at: TO - 3_600_000, configured: { v1: 100, v2: 0 }, judgeDrift: true },
      { at: TO - 2_400_000, configured: { v1: 80, v2: 20 }, by: "U0BOB", judgeDrift: true },
    ]);
    expect(old.from).toBe(FROM);
    expect(old.changes).toEqual([{ at: FROM, configured: { v1: 80, v2: 20 } }]);
  });

  it("is loaded on demand through telemetry's public face", async () => {
    const charts = await loadCharts();
    expect(charts.renderChartPng).toBe(renderChartPng);
    expect(charts.chartInputOf).toBe(chartInputOf);
  });
});
