// The process behind a chart renderer: renders one chart per message. It holds resvg's native memory, which
// goes with the process when the renderer replaces it, and a resvg panic ends only this process.
import { renderChartPng } from "./chart.ts";
import type { ChartJob, ChartReply, ChartWorkerData } from "./chart-renderer.ts";

if (!process.send) throw new Error("chart-worker.ts runs only as a forked process (see chart-renderer.ts)");
const { collectEvery } = JSON.parse(process.argv[2] ?? "{}") as ChartWorkerData;

// resvg-js has no way to free a render's pixmap, tree and fonts (several MB) but V8 finalizing their small
// wrappers, and V8, unaware of that memory, collects them late: measured ~120 MB more RSS than collecting
// every 5 renders. The renderer starts this process with --expose-gc; the collection runs after the reply.
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
let renders = 0;

process.on("message", (job: ChartJob) => {
  let reply: ChartReply;
  try {
    reply = { id: job.id, png: renderChartPng(job.input, job.size) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.({ ...reply, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) });
  renders++;
  if (collectEvery > 0 && renders % collectEvery === 0) setImmediate(collect);
});
