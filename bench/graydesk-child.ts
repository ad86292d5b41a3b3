import { setFlagsFromString, writeHeapSnapshot } from "node:v8";
import { runInNewContext } from "node:vm";
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import type { Config } from "../src/config.ts";
import { startBenchGraydesk } from "./graydesk-start.ts";

/**
 * Graydesk alone in a process, as in production where the Kubernetes API and Slack are remote: the test
 * servers' CPU and memory stay in the parent. Parent ▶ message ▶ one reply carrying the message's own key:
 * "settle" ▶ { settled } once no work is in flight; "measure" ▶ { memory } after forced collections;
 * "sample" ▶ { sample } as it is, no collection forced; "startup" ▶ { startup } (ms from the process's start to its
 * modules loaded and to serving, CPU until serving, Graydesk's own start-up steps);
 * { heapSnapshot: file } ▶ { snapshot: file }; { rawPatch: object } ▶ { patched } (the floor for a traffic
 * change: one merge patch from a client in this process); "refresh" ▶ { refreshed } (one round of the live-card
 * refresher, its summary and wall time); "stop" ▶ stops and exits.
 */
// Every static import above is loaded by now: the process's time so far is its module loading.
const loadedMs = performance.now();
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collected() {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

type Message =
  | "startup"
  | "sample"
  | "measure"
  | "settle"
  | "stop"
  | "refresh"
  | { heapSnapshot: string }
  | { rawPatch: Record<string, unknown>; kubeconfig: string };

const [configJson, logFile] = process.argv.slice(2) as [string, string];
const config = JSON.parse(configJson) as Config;
const { graydesk, logs } = await startBenchGraydesk(config, logFile);
const readyMs = performance.now();
const cpu = process.cpuUsage();
const { rss, heapUsed } = process.memoryUsage();
const started = {
  loadedMs,
  readyMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  phases: graydesk.startup,
  memory: { rss, heapUsed },
};
let objects: KubernetesObjectApi | undefined;

process.on("message", async (message: Message) => {
  if (message === "measure") process.send?.({ memory: await collected() });
  if (message === "startup") process.send?.({ startup: started });
  if (message === "sample") {
    const { rss, heapUsed, external } = process.memoryUsage();
    process.send?.({ sample: { rss, heapUsed, external } });
  }
  if (message === "settle") {
    const deadline = Date.now() + 30_000;
    while (graydesk.deps.inFlight.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    process.send?.({ settled: graydesk.deps.inFlight.size === 0 });
  }
  if (message === "refresh") {
    const start = performance.now();
    const summary = await graydesk.refresher.refreshNow();
    process.send?.({ refreshed: { summary, ms: performance.now() - start } });
  }
  if (message === "stop") {
    await graydesk.stop();
    logs.end();
    process.exit(0);
  }
  if (typeof message !== "object") return;
  if ("heapSnapshot" in message) {
    gc();
    process.send?.({ snapshot: writeHeapSnapshot(message.heapSnapshot) });
  }
  if ("rawPatch" in message) {
    if (!objects) {
      const kc = new KubeConfig();
      kc.loadFromFile(message.kubeconfig);
      objects = KubernetesObjectApi.makeApiClient(kc);
    }
    await objects.patch(
      message.rawPatch as never,
      undefined,
      undefined,
      "bench",
      undefined,
      PatchStrategy.MergePatch,
    );
    process.send?.({ patched: true });
  }
});
process.send?.({ ready: true });
