import { benchAckLatency } from "./ack-latency.ts";
import { benchSocketAckLatency } from "./ack-latency-socket.ts";
import { benchApprovalAtScale } from "./approval-at-scale.ts";
import { benchApprovalToTraffic } from "./approval-to-traffic.ts";
import { benchAuditAppend } from "./audit-append.ts";
import { benchChartRender } from "./chart-render.ts";
import { benchConcurrentShifters } from "./concurrent-shifters.ts";
import { benchDigest } from "./digest.ts";
import { benchHomeOpen } from "./home-open.ts";
import { benchLeaseHandover } from "./lease-handover.ts";
import { benchMemorySteps } from "./memory.ts";
import { benchRefreshRound } from "./refresh-round.ts";
import { benchRequestFlood } from "./request-flood.ts";
import { benchStartup } from "./startup.ts";
import { emit, emitted, round } from "./stats.ts";
import { benchStoreScale } from "./store-scale.ts";
import { benchStoreSize } from "./store-size.ts";
import { summaryTable } from "./summary.ts";

/**
 * `npm run bench`: every benchmark in turn, quick ones first, each printing JSON lines on stdout; the time of
 * each and the total as JSON lines too, and a summary table on stderr, so stdout stays machine-readable.
 */
const budgetSeconds = 300;
const benches: [string, () => Promise<void>][] = [
  ["audit-append", () => benchAuditAppend()],
  ["home-open", () => benchHomeOpen()],
  ["store-size", () => benchStoreSize()],
  // Three rounds each, in one run: per-record store at 10 / 5,000 / 5,000 + 50,000 jobs.
  ["store-scale", () => benchStoreScale(3)],
  // Graydesk's process from fork to serving, 3 starts each at 10 and at 5,000 + 50,000 jobs.
  ["startup", () => benchStartup(3)],
  ["ack-latency", () => benchAckLatency()],
  ["ack-latency-socket", () => benchSocketAckLatency()],
  ["approval-to-traffic", () => benchApprovalToTraffic()],
  ["approval-at-scale", () => benchApprovalAtScale(3)],
  // 50 approvers on 50 jobs at once, with 50 and with 5,000 active jobs: approve → patch p99.
  ["concurrent-shifters", () => benchConcurrentShifters(3)],
  ["digest", () => benchDigest()],
  // A second replica takes over: after a release, and after a crash (the lease runs out first).
  ["lease-handover", () => benchLeaseHandover()],
  // One live-card refresh round at 5,000 active jobs over 50 namespaces + 50,000 finished.
  ["refresh-round", () => benchRefreshRound()],
  ["memory", () => benchMemorySteps()],
  ["request-flood", () => benchRequestFlood()],
  // 500 renders in each mode here (1,000 when run alone): enough to see the worker's memory level off.
  ["chart-render", () => benchChartRender(500)],
];
const started = performance.now();
for (const [name, run] of benches) {
  const start = performance.now();
  await run();
  emit({ bench: "time", of: name, seconds: round((performance.now() - start) / 1000, 1) });
}
const seconds = round((performance.now() - started) / 1000, 1);
emit({ bench: "total", seconds, budgetSeconds, met: seconds < budgetSeconds });
process.stderr.write(`\n${summaryTable(emitted)}\n`);
