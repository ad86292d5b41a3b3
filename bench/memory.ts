import path from "node:path";
import { freePort } from "../test/harness/slack/index.ts";
import { startGraydeskProcess } from "./graydesk-process.ts";
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

/**
 * Graydesk's memory in its own process: idle after start, after 10,000 slash commands and clicks through its
 * receiver, and after a forced collection. A leak shows as JS heap retained after the collection.
 */
export async function benchMemory(total = 10_000, batch = 100): Promise<void> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  const port = await freePort();
  const config = benchConfig(api, kubeconfigPath, dir, port);
  const graydesk = await startGraydeskProcess(config, path.join(dir, "graydesk.log"));
  // BENCH_HEAP_SNAPSHOTS=<dir> writes heap snapshots when idle and after the requests, to compare by constructor.
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  try {
    const slack = createBenchSlackClient(api, `http://127.0.0.1:${port}`);
    const decided = await askAndApprove({ api, slack }, NEW_JOB);
    const card = structuredClone(await until(() => jobCard(api), 10_000, "job card"));
    await graydesk.settle();
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
          const res = await fetch(url, { method: "POST", headers: r.headers, body: r.body });
          await res.arrayBuffer();
          return res.status;
        }),
      );
      failed += statuses.filter((s) => s !== 200).length;
      await graydesk.settle();
      // The test servers keep what they saw; that is this process's memory, not Graydesk's, but keep it small.
      api.reset();
      kube.resetRequests();
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await graydesk.measure();
    const again = await graydesk.measure();
    if (snapshots) await graydesk.heapSnapshot(path.join(snapshots, "after.heapsnapshot"));
    const heapGrowthMb = mb(again.heapUsed - idle.heapUsed);
    emit({
      bench: "memory",
      requests: total,
      failed,
      seconds: round(seconds, 1),
      idleRssMb: mb(idle.rss),
      idleHeapUsedMb: mb(idle.heapUsed),
      afterRssMb: mb(after.rss),
      afterGcRssMb: mb(again.rss),
      afterGcHeapUsedMb: mb(again.heapUsed),
      rssDeltaMb: mb(again.rss - idle.rss),
      heapGrowthMb,
      rule: "idle RSS < 150 MB; flat when the JS heap after a forced GC is within 5 MB of idle",
      idleMet: mb(idle.rss) < 150,
      flat: heapGrowthMb < 5,
    });
  } finally {
    await graydesk.stop();
    await api.close();
    await kube.close();
  }
}

if (import.meta.main) await benchMemory();
