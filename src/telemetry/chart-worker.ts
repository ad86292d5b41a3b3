// The worker thread behind a chart renderer: renders one chart per message. It holds resvg's native memory,
// which goes with the thread when the renderer replaces it.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { renderChartPng } from "./chart.ts";
import type { ChartJob, ChartReply, ChartWorkerData } from "./chart-renderer.ts";

const port = parentPort;
if (!port) throw new Error("chart-worker.ts runs only as a worker thread (see chart-renderer.ts)");
const { collectEvery } = workerData as ChartWorkerData;

// resvg-js has no way to free a render's pixmap, tree and fonts (several MB) but V8 finalizing their small
// wrappers, and V8, unaware of that memory, collects them late: measured ~120 MB more RSS than collecting
// every 5 renders. The collection only sweeps this worker's own small heap (~20 MB), after the reply is sent.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;
let renders = 0;

port.on("message", (job: ChartJob) => {
  let reply: ChartReply;
  try {
    reply = { id: job.id, png: renderChartPng(job.input, job.size) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
  renders++;
  if (collectEvery > 0 && renders % collectEvery === 0) setImmediate(collect);
});
