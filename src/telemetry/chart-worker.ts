// The worker thread behind a chart renderer: renders one chart per message. It holds resvg's native memory,
// which goes with the thread when the renderer replaces it.
import { parentPort } from "node:worker_threads";
import { renderChartPng } from "./chart.ts";
import type { ChartJob, ChartReply } from "./chart-renderer.ts";

const port = parentPort;
if (!port) throw new Error("chart-worker.ts runs only as a worker thread (see chart-renderer.ts)");

port.on("message", (job: ChartJob) => {
  let reply: ChartReply;
  try {
    reply = { id: job.id, png: renderChartPng(job.input, job.size) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
