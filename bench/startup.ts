import { rmSync } from "node:fs";
import path from "node:path";
import { freePort } from "../test/harness/slack/index.ts";
import { startGraydeskProcess } from "./graydesk-process.ts";
import { type Seed, seedDataDir } from "./seed-state.ts";
import { emit, round } from "./stats.ts";
import { benchConfig, startServers } from "./world.ts";

const SIZES: Seed[] = [
  { active: 10, finished: 0 },
  { active: 5_000, finished: 50_000 },
];
/** Card refreshes are timed elsewhere (one round's requests and time): kept out of start-up. */
const QUIET = { refreshIntervalSeconds: 3600 };
const ms = (x: number) => round(x, 0);

/**
 * Graydesk's start-up as `npm start` runs it (its own process, npm start's Node flags, the compile cache of
 * src/main.ts) on a DATA_DIR of 10 and of 5,000 active + 50,000 finished jobs with their audit trail: from fork
 * to serving (Slack requests answered), with the process's CPU until then, its module loading, and each step of
 * Graydesk's start-up. Per size a first start (the audit checkpoint made), then `rounds` starts, one JSON line
 * each; at 10 jobs also one start without the compile cache, for what the cache buys.
 */
export async function benchStartup(rounds = 3): Promise<void> {
  for (const seed of SIZES) {
    const { kube, api, dir, kubeconfigPath } = await startServers();
    try {
      const config = { ...benchConfig(api, kubeconfigPath, dir, await freePort()), ...QUIET };
      const records = seedDataDir(config.dataDir, seed);
      // The first start on a seeded DATA_DIR has no audit checkpoint yet (as the first after an upgrade): it reads
      // the whole audit log, once; the rounds after it are the restarts that follow.
      const runs = [
        { round: 0, cache: true, first: true },
        ...Array.from({ length: rounds }, (_, i) => ({ round: i + 1, cache: true, first: false })),
      ];
      if (seed.finished === 0) runs.push({ round: 0, cache: false, first: false });
      for (const run of runs) {
        const forked = performance.now();
        const graydesk = await startGraydeskProcess(
          config,
          path.join(dir, "graydesk.log"),
          undefined,
          run.cache,
        );
        const wallMs = performance.now() - forked;
        const started = await graydesk.started();
        await graydesk.stop();
        emit({
          bench: "startup",
          ...(run.first ? { firstStart: "no audit checkpoint yet: whole log read" } : {}),
          ...(run.cache ? (run.first ? {} : { round: run.round }) : { compileCache: false }),
          activeJobs: seed.active,
          finishedJobs: seed.finished,
          records,
          wallMs: ms(wallMs),
          cpuMs: ms(started.cpuMs),
          moduleLoadMs: ms(started.loadedMs),
          graydeskMs: ms(started.readyMs - started.loadedMs),
          phasesMs: started.phases,
          rssMB: round(started.memory.rss / 1e6, 0),
          heapUsedMB: round(started.memory.heapUsed / 1e6, 0),
          target: "startup < 3000 ms",
          met: wallMs < 3000,
        });
      }
    } finally {
      await api.close();
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.main) await benchStartup(Number(process.argv[2] ?? 3));
