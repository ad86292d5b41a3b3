import { rmSync } from "node:fs";
import path from "node:path";
import { freePort } from "../test/harness/slack/index.ts";
import { startEnv, startFlags, startGraydeskProcess } from "./graydesk-process.ts";
import { signedRequests } from "./signed-requests.ts";
import { emit, round } from "./stats.ts";
import {
  ALICE,
  askAndApprove,
  BOB,
  benchConfig,
  CHANNEL,
  createBenchSlackClient,
  jobCard,
  NEW_JOB,
  SIGNING_SECRET,
  startServers,
  until,
} from "./world.ts";

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
/** Long enough for two of Graydesk's idle checks (src/idle-trim.ts, every 5 s): idle is what it settles at. */
const IDLE_WAIT_MS = 11_000;

/**
 * Graydesk's memory in its own process: idle after start, after 10,000 slash commands and clicks through its
 * receiver, and after a forced collection. A leak shows as JS heap retained after the collection.
 */
export async function benchMemory(
  total = 10_000,
  batch = 100,
  step: { name: string; nodeFlags?: string[]; env?: Record<string, string> } = {
    name: "as npm start runs it",
  },
): Promise<void> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  const port = await freePort();
  const config = benchConfig(api, kubeconfigPath, dir, port);
  // One start and stop first, as any restart but the first after an upgrade finds it: Node's compile cache holds
  // every module stripped and compiled (for these flags), so the measured process never loads the type stripper.
  const start = (log: string) =>
    startGraydeskProcess(config, path.join(dir, log), step.nodeFlags, true, step.env ?? startEnv());
  await (await start("warm-up.log")).stop();
  const graydesk = await start("graydesk.log");
  // BENCH_HEAP_SNAPSHOTS=<dir> writes heap snapshots when idle and after the requests, to compare by constructor.
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  try {
    const slack = createBenchSlackClient(api, `http://127.0.0.1:${port}`);
    const decided = await askAndApprove({ api, slack }, NEW_JOB);
    const card = structuredClone(await until(() => jobCard(api), 10_000, "job card"));
    await graydesk.settle();
    // Idle as production idles: nothing collected by the bench, after Graydesk's own idle trim had its chance.
    await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    const idleAsIs = await graydesk.sample();
    const idle = await graydesk.measure();
    if (snapshots) await graydesk.heapSnapshot(path.join(snapshots, "idle.heapsnapshot"));
    const build = signedRequests(api, SIGNING_SECRET, CHANNEL);
    const url = `http://127.0.0.1:${port}/slack/events`;
    const started = performance.now();
    let failed = 0;
    for (let sent = 0; sent < total; sent += batch) {
      const requests = Array.from({ length: batch }, (_, i) => {
        // Every kind each ten requests; the two that read the cluster once each, to keep the run short.
        switch ((sent + i) % 10) {
          case 0:
            return build.command("status", ALICE, "status reviews-v2");
          case 1:
            return build.click("show-objects", ALICE, card, "job_show_objects");
          case 2:
          case 3:
            return build.command("list", ALICE, "list bookinfo");
          case 4:
          case 5:
          case 6:
            return build.command("help", ALICE, "help");
          default:
            return build.click("approve-decided", BOB, decided, "approval_approve");
        }
      });
      const statuses = await Promise.all(
        requests.map(async (r) => {
          try {
            const res = await fetch(url, { method: "POST", headers: r.headers, body: r.body });
            await res.arrayBuffer();
            return res.status;
          } catch {
            // A connection the server closed as the client reused it (keep-alive race on a loaded machine):
            // counted as failed, not fatal to the run.
            return 0;
          }
        }),
      );
      failed += statuses.filter((s) => s !== 200).length;
      await graydesk.settle();
      // The test servers keep what they saw; that is this process's memory, not Graydesk's, but keep it small.
      api.reset();
      kube.resetRequests();
    }
    const seconds = (performance.now() - started) / 1000;
    const loaded = await graydesk.sample();
    await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    const idleAfter = await graydesk.sample();
    const again = await graydesk.measure();
    if (snapshots) await graydesk.heapSnapshot(path.join(snapshots, "after.heapsnapshot"));
    const heapGrowthMb = mb(again.heapUsed - idle.heapUsed);
    emit({
      bench: "memory",
      step: step.name,
      nodeFlags: step.nodeFlags ?? startFlags(),
      env: step.env ?? startEnv(),
      requests: total,
      failed,
      seconds: round(seconds, 1),
      idleRssMb: mb(idleAsIs.rss),
      idleHeapUsedMb: mb(idleAsIs.heapUsed),
      idleAfterGcRssMb: mb(idle.rss),
      afterRssMb: mb(loaded.rss),
      afterHeapUsedMb: mb(loaded.heapUsed),
      idleAgainRssMb: mb(idleAfter.rss),
      afterGcRssMb: mb(again.rss),
      afterGcHeapUsedMb: mb(again.heapUsed),
      rssDeltaMb: mb(again.rss - idle.rss),
      heapGrowthMb,
      rule: "idle RSS < 150 MB, < 300 MB after the requests; flat when the JS heap after a forced GC is within 5 MB of idle",
      idleMet: mb(idleAsIs.rss) < 150,
      afterMet: mb(loaded.rss) < 300,
      flat: heapGrowthMb < 5,
    });
  } finally {
    await graydesk.stop();
    await api.close();
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What each step bought: the same run with Node's defaults (`node src/main.ts`), then as `npm start` runs it.
 */
export async function benchMemorySteps(total = 10_000): Promise<void> {
  await benchMemory(total, 100, { name: "node src/main.ts, Node's defaults", nodeFlags: [], env: {} });
  await benchMemory(total, 100);
}

if (import.meta.main) await benchMemorySteps();
