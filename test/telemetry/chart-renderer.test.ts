import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { CHART_SIZE, type ChartInput, renderChartPng } from "../../src/telemetry/chart.ts";
import { ChartRenderError, createChartRenderer } from "../../src/telemetry/chart-renderer.ts";

const TO = Date.UTC(2026, 0, 5, 12, 0);
const FROM = TO - 30 * 60_000;
const flat = (percent: number): [number, number][] =>
  Array.from({ length: 61 }, (_, i) => [FROM + i * 30_000, percent]);

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

const renderers: { close(): Promise<void> }[] = [];
function renderer(options: Parameters<typeof createChartRenderer>[0] = {}) {
  const made = createChartRenderer(options);
  renderers.push(made);
  return made;
}
afterAll(() => Promise.all(renderers.map((r) => r.close())));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ChartRenderError);
    return (error as ChartRenderError).code;
  }
}

describe("the chart renderer", () => {
  it("draws in its worker the same PNG the main thread draws", async () => {
    const png = await renderer().renderChartPngAsync(input);
    expect(Buffer.isBuffer(png)).toBe(true);
    const decoded = PNG.sync.read(png);
    expect([decoded.width, decoded.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
    expect(png.equals(renderChartPng(input))).toBe(true);
  });

  it("replaces its worker every `recycleEvery` renders, and keeps drawing", async () => {
    const charts = renderer({ recycleEvery: 2 });
    const pngs = await Promise.all(
      [1, 2, 3, 4, 5].map(() => charts.renderChartPngAsync(input, { width: 200, height: 100 })),
    );
    expect(pngs.map((png) => PNG.sync.read(png).width)).toEqual([200, 200, 200, 200, 200]);
    expect(charts.stats().workersStarted).toBe(3);
  });

  it("keeps drawing when its worker collects garbage after every render", async () => {
    const charts = renderer({ collectEvery: 1 });
    const small = { width: 300, height: 150 };
    const first = await charts.renderChartPngAsync(input, small);
    const second = await charts.renderChartPngAsync(input, small);
    expect(second.equals(first)).toBe(true);
    expect(charts.stats().workersStarted).toBe(1);
  });

  it("refuses renders beyond its queue with chart-busy, and draws the rest", async () => {
    const charts = renderer({ maxQueued: 1 });
    const small = { width: 200, height: 100 };
    const results = [1, 2, 3].map(() => charts.renderChartPngAsync(input, small));
    expect(await codeOf(results[2] as Promise<Buffer>)).toBe("chart-busy");
    expect(await codeOf(results[0] as Promise<Buffer>)).toBeUndefined();
    expect(await codeOf(results[1] as Promise<Buffer>)).toBeUndefined();
    expect(charts.stats().queued).toBe(0);
  });

  it("reports a chart that cannot be drawn as chart-render-failed, and draws the next one", async () => {
    const charts = renderer();
    expect(await codeOf(charts.renderChartPngAsync(input, { width: 0, height: 0 }))).toBe(
      "chart-render-failed",
    );
    expect(PNG.sync.read(await charts.renderChartPngAsync(input)).width).toBe(CHART_SIZE.width);
  });

  it("abandons a render that outlasts timeoutMs, then starts a fresh worker", async () => {
    const charts = renderer({ timeoutMs: 1 });
    const error = await charts.renderChartPngAsync(input).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "chart-timeout", retryable: true });
    expect(charts.stats().workersStarted).toBe(1);
    await charts.renderChartPngAsync(input).catch(() => undefined);
    expect(charts.stats().workersStarted).toBe(2);
  });

  it("after close, refuses what was queued and anything new with chart-closed", async () => {
    const charts = renderer();
    const drawing = codeOf(charts.renderChartPngAsync(input));
    const queued = codeOf(charts.renderChartPngAsync(input));
    await charts.close();
    expect(await drawing).toBe("chart-closed");
    expect(await queued).toBe("chart-closed");
    expect(await codeOf(charts.renderChartPngAsync(input))).toBe("chart-closed");
  });
});

describe("a chart the native renderer cannot draw", () => {
  it("costs that chart (chart-render-failed), not the process, and the next chart is drawn", async () => {
    // Lines far outside the window (2 h before it): resvg panics on the clipped-away path and aborts the
    // process it runs in (found in use; chartInputOf now keeps only points inside the window).
    const outOfView: ChartInput = {
      ...input,
      observed: input.observed.map((series) => ({
        ...series,
        points: [
          [FROM - 7_200_000, 50],
          [FROM - 7_195_000, 50],
        ] as [number, number][],
      })),
    };
    const charts = renderer();
    await expect(charts.renderChartPngAsync(outOfView)).rejects.toMatchObject({
      code: "chart-render-failed",
    });
    const png = PNG.sync.read(await charts.renderChartPngAsync(input));
    expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
  });
});
