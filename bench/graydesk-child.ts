import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Config } from "../src/config.ts";
import { startBenchGraydesk } from "./world.ts";

/**
 * Graydesk alone in a process, so its memory is all that is measured. Parent ▶ "measure" ▶ { rss, heapUsed }
 * after forced collections; "stop" ▶ stops and exits.
 */
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function collected() {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

const [configJson, logFile] = process.argv.slice(2) as [string, string];
const { graydesk, logs } = await startBenchGraydesk(JSON.parse(configJson) as Config, logFile);
process.on("message", async (message: "measure" | "settle" | "stop") => {
  if (message === "measure") process.send?.({ memory: await collected() });
  if (message === "settle") {
    const deadline = Date.now() + 30_000;
    while (graydesk.deps.inFlight.size > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    process.send?.({ settled: graydesk.deps.inFlight.size === 0 });
  }
  if (message === "stop") {
    await graydesk.stop();
    logs.end();
    process.exit(0);
  }
});
process.send?.({ ready: true });
