import { loadConfig } from "./config.ts";
import { startGraydesk } from "./graydesk.ts";
import { createLogger } from "./log.ts";

/** The process: read settings, start Graydesk, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write("Graydesk cannot start; fix these settings (see .env.example):\n");
    for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
    process.exit(2);
  }
  const { config } = result;
  const logger = createLogger(config.logLevel);

  let graydesk: Awaited<ReturnType<typeof startGraydesk>>;
  try {
    graydesk = await startGraydesk(config, logger);
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
    },
    "Graydesk is running",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new requests, finishing work in flight");
    await graydesk.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    const auth = await graydesk.slack.app.client.auth.test();
    logger.info({ team: auth.team, bot: auth.user_id }, "Slack accepted the bot token");
  } catch (error) {
    logger.error({ err: error }, "Slack rejected the bot token (auth.test); /readyz reports not ready");
  }
}

await main();
