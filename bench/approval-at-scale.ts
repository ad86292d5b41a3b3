import { rmSync } from "node:fs";
import path from "node:path";
import { freePort } from "../test/harness/slack/index.ts";
import { startGraydeskProcess } from "./graydesk-process.ts";
import { timeKubeRequests } from "./kube-timeline.ts";
import { rawPatchFloor } from "./raw-patch.ts";
import { type Seed, seedDataDir } from "./seed-state.ts";
import { emit, percentile, round } from "./stats.ts";
import {
  ALICE,
  approvalMessage,
  askAndApprove,
  BOB,
  benchConfig,
  CHANNEL,
  NEW_JOB,
  preparedApprove,
  settle,
  startBenchWorld,
  startServers,
  until,
} from "./world.ts";

/** The seeded jobs are beside the one the benchmark makes (reviews-v2): 10 and 5,000 active in all. */
const SIZES: Seed[] = [
  { active: 9, finished: 0 },
  { active: 4_999, finished: 0 },
  { active: 4_999, finished: 50_000 },
];
/** Card refreshes read the cluster for every live job (a separate issue): kept out of these figures. */
const QUIET = { refreshIntervalSeconds: 3600 };
const ms = (x: number) => round(x, 1);

/**
 * Approve click (signed up front, as Slack sends it) → VirtualService patched, against one raw client-node merge
 * patch from Graydesk's process over its pooled connection (the floor, timed after each shift in the same run),
 * with a store of 10, 5,000 and 5,000 + 50,000 jobs; at each size also the wall time of each user operation, and Graydesk's start-up.
 * `rounds` rounds of `shifts` shifts per size; one JSON line per round.
 */
export async function benchApprovalAtScale(rounds = 3, shifts = 8, sizes: Seed[] = SIZES): Promise<void> {
  for (const seed of sizes) {
    const startups = await startupTimes(seed, rounds);
    const world = await startBenchWorld({ seed: (dir) => seedDataDir(dir, seed), config: QUIET });
    const { api, kube, slack, graydesk } = world;
    const timeline = timeKubeRequests(kube);
    const floor = rawPatchFloor(world, timeline);
    try {
      let t = performance.now();
      await askAndApprove(world, NEW_JOB);
      const createMs = performance.now() - t;
      await settle(graydesk);
      for (let r = 1; r <= rounds; r++) {
        const app: number[] = [];
        const raw: number[] = [];
        const ask: number[] = [];
        const applied: number[] = [];
        for (let i = 0; i < shifts; i++) {
          // Alternating across rounds too: a shift to the weights already set patches nothing.
          const to = ((r - 1) * shifts + i) % 2 === 0 ? "v1=20 v2=80" : "v1=80 v2=20";
          const before = approvalMessage(api)?.ts;
          t = performance.now();
          await slack.command("/release", `shift reviews-v2 ${to}`, { user: ALICE });
          const request = structuredClone(
            await until(() => {
              const m = approvalMessage(api);
              return m && m.ts !== before ? m : undefined;
            }, 30_000),
          );
          ask.push(performance.now() - t);
          await settle(graydesk);
          timeline.reset();
          const patched = timeline.nextWrite("virtualservices");
          const approve = preparedApprove(world, request, BOB);
          t = performance.now();
          await approve();
          app.push((await patched) - t);
          await until(
            () =>
              JSON.stringify(api.message(CHANNEL, request.ts)?.blocks).includes("Applied") ? true : undefined,
            30_000,
          );
          applied.push(performance.now() - t);
          await settle(graydesk);
          raw.push(await floor.measure());
        }
        // The list's answer: the next response_url call (the messages the shifts left stay in place).
        const calls = api.calls.length;
        t = performance.now();
        await slack.command("/release", "list", { user: ALICE });
        await until(() => api.calls.slice(calls).find((c) => c.method === "response_url"), 30_000);
        const listMs = performance.now() - t;
        const p50Ratio = round(percentile(app, 50) / percentile(raw, 50), 2);
        const slowest = Math.max(
          percentile(ask, 100),
          percentile(app, 100),
          percentile(applied, 100),
          listMs,
          r === 1 ? createMs : 0,
        );
        emit({
          bench: "approval-at-scale",
          round: r,
          activeJobs: seed.active + 1,
          finishedJobs: seed.finished,
          what: "approve click → VirtualService patched",
          p50Ms: ms(percentile(app, 50)),
          p99Ms: ms(percentile(app, 99)),
          rawPatchP50Ms: ms(percentile(raw, 50)),
          p50Ratio,
          operations: {
            ...(r === 1 ? { createAndFirstShiftMs: ms(createMs) } : {}),
            shiftRequestPostedP50Ms: ms(percentile(ask, 50)),
            shiftRequestPostedMaxMs: ms(percentile(ask, 100)),
            approveToAppliedP50Ms: ms(percentile(applied, 50)),
            approveToAppliedMaxMs: ms(percentile(applied, 100)),
            listMs: ms(listMs),
          },
          startupMs: startups.map(ms),
          target: "p50 ratio <= 1.5; every operation < 1000 ms; startup < 3000 ms",
          met: { ratio: p50Ratio <= 1.5, operations: slowest < 1000, startup: Math.max(...startups) < 3000 },
        });
      }
    } finally {
      await world.close();
    }
  }
}

/** Graydesk's start-up on a DATA_DIR seeded to `seed`, from fork to serving, `times` times. */
async function startupTimes(seed: Seed, times: number): Promise<number[]> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  try {
    const config = { ...benchConfig(api, kubeconfigPath, dir, await freePort()), ...QUIET };
    seedDataDir(config.dataDir, seed);
    const out: number[] = [];
    for (let i = 0; i < times; i++) {
      const start = performance.now();
      const graydesk = await startGraydeskProcess(config, path.join(dir, "graydesk.log"));
      out.push(performance.now() - start);
      await graydesk.stop();
    }
    return out;
  } finally {
    await api.close();
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `node bench/approval-at-scale.ts [rounds] [shifts] [active jobs, e.g. 10,5000]`: all sizes when none is named. */
if (import.meta.main) {
  const [rounds, shifts, active] = process.argv.slice(2);
  const named = active?.split(",").map(Number);
  const sizes = named ? SIZES.filter((s) => named.includes(s.active + 1) && s.finished === 0) : SIZES;
  await benchApprovalAtScale(Number(rounds ?? 3), Number(shifts ?? 8), sizes);
}
