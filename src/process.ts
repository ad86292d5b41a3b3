import { loadConfig } from "./config.ts";
import { startGraydesk } from "./graydesk.ts";
import { createLogger } from "./log.ts";
import type { Clock } from "./slack/deps.ts";

/**
 * The process: read settings, start Graydesk, stop cleanly on SIGTERM/SIGINT. `src/main.ts` runs it with the
 * process's environment; the clock is the system's unless one is passed (tests that run whole processes move it).
 */
export async function runProcess(env: NodeJS.ProcessEnv, options: { clock?: Clock } = {}): Promise<void> {
  const result = loadConfig(env);
  if (!result.ok) {
    process.stderr.write("Graydesk cannot start; fix these settings (see .env.example):\n");
    for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
    process.exit(2);
  }
  const { config } = result;
  const logger = createLogger(config.logLevel);

  // Signals are taken from the start: health answers (and a probe may stop the pod) while start-up waits on Slack.
  const starting = startGraydesk(config, logger, options.clock ? { clock: options.clock } : {});
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new requests, finishing work in flight");
    const graydesk = await starting.catch(() => undefined);
    await graydesk?.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  let graydesk: Awaited<typeof starting>;
  try {
    graydesk = await starting;
  } catch (error) {
    process.stderr.write(`Graydesk cannot start: ${(error as Error).message}\n`);
    process.exit(3);
  }
  logger.info(
    {
      mode: config.slack.mode,
      port: config.slack.port,
      dataDir: config.dataDir,
      store: config.store,
      identity: graydesk.scheduler.identity,
      // Since the process started (modules loaded included), then each step of start-up.
      startedInMs: Math.round(performance.now()),
      startup: graydesk.startup,
    },
    "Graydesk is running",
  );
}
