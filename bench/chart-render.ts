import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type ChartInput, renderChartPng } from "../src/telemetry/chart.ts";
import { createChartRenderer } from "../src/telemetry/chart-renderer.ts";
import { emit, percentile, round } from "./stats.ts";

/** A forced collection, so memory figures compare what is retained, not what is merely not collected yet. */
function collect(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** After a collection and a pause: resvg's native buffers are freed by finalizers that run on later ticks. */
async function memory(elsewhereMb = 0): Promise<{ rssMb: number; heapUsedMb: number; externalMb: number }> {
  collect();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collect();
  const { rss, heapUsed, external } = process.memoryUsage();
  return {
    rssMb: round(rss / 2 ** 20 + elsewhereMb, 1),
    heapUsedMb: round(heapUsed / 2 ** 20, 1),
    externalMb: round(external / 2 ** 20, 1),
  };
}

function sampleChart(i: number): ChartInput {
  const to = Date.UTC(2026, 0, 5, 12, 0) + i * 60_000;
  const from = to - 30 * 60_000;
  const points = (base: number): [number, number][] =>
    Array.from({ length: 61 }, (_, k) => [from + k * 30_000, base + Math.sin((k + i) / 4) * 2]);
  return {
    title: "reviews.bookinfo",
    versions: ["v1", "v2"],
    configured: { v1: 80, v2: 20 },
    observed: [
      { version: "v1", points: points(80) },
      { version: "v2", points: points(20) },
    ],
    stats: { v1: { successRate: 0.999, p99: 48 + (i % 7) }, v2: { successRate: 0.8, p99: 212 } },
    from,
    to,
  };
}

// The "memory flat": what 900 more renders add stays within noise (10 % and 20 MB of slack).
const FLAT_RULE = "rssMbAfterAll <= rssMbAfter100 * 1.1 + 20";
const isFlat = (after100: number, afterAll: number): boolean => afterAll <= after100 * 1.1 + 20;

type Render = (input: ChartInput) => Promise<unknown>;

/** `elsewhereMb`: memory the renders hold outside this process (the chart process), counted with ours. */
async function measure(
  bench: string,
  render: Render,
  renders: number,
  elsewhereMb: () => number = () => 0,
): Promise<void> {
  const times: number[] = [];
  let afterHundred = await memory(elsewhereMb());
  let peakRssMb = 0;
  for (let i = 0; i < renders; i++) {
    const start = performance.now();
    await render(sampleChart(i));
    times.push(performance.now() - start);
    // As in the refresher, renders are separate tasks with event-loop turns between them.
    await new Promise((resolve) => setImmediate(resolve));
    if (i % 10 === 0) peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 2 ** 20 + elsewhereMb());
    if (i === 99) afterHundred = await memory(elsewhereMb());
  }
  const end = await memory(elsewhereMb());
  emit({
    bench,
    renders,
    size: "1000x500",
    medianMs: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    firstMs: round(times[0] ?? Number.NaN),
    rssMbAfter100: afterHundred.rssMb,
    rssMbAfterAll: end.rssMb,
    peakRssMb: round(peakRssMb, 1),
    heapUsedMbAfter100: afterHundred.heapUsedMb,
    heapUsedMbAfterAll: end.heapUsedMb,
    externalMbAfter100: afterHundred.externalMb,
    externalMbAfterAll: end.externalMb,
    memoryFlat: isFlat(afterHundred.rssMb, end.rssMb),
    memoryFlatRule: FLAT_RULE,
  });
}

/**
 * The split chart PNG, rendered 1,000 times: median time, and whether memory stays flat. Through the chart
 * renderer the app uses (its worker collects every 5 renders and is replaced every 200), then, for
 * comparison, on the main thread in a fresh process, so neither run inherits the other's memory.
 */
export async function benchChartRender(renders = 1_000): Promise<void> {
  const renderer = createChartRenderer();
  try {
    await measure(
      "chart-render-worker",
      (input) => renderer.renderChartPngAsync(input),
      renders,
      () => renderer.stats().workerRssMb,
    );
  } finally {
    await renderer.close();
  }
  const child = spawnSync(process.execPath, [import.meta.filename, MAIN_THREAD, String(renders)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (child.status !== 0) throw new Error(`the main-thread chart bench failed (exit ${child.status})`);
}

const MAIN_THREAD = "--main-thread";
if (process.argv[1] === import.meta.filename && process.argv[2] === MAIN_THREAD) {
  await measure("chart-render-main-thread", async (input) => renderChartPng(input), Number(process.argv[3]));
}
