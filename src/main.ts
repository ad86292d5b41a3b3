import { registerCommands } from "../commands/index.ts";
import { createKubeConfig, pingCluster } from "./cluster/kubeconfig.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import { createSlackApp } from "./slack/app.ts";
import { InFlight } from "./slack/in-flight.ts";
import { openAuditLog, openFileStore } from "./store/index.ts";

/** Composition root: config ▶ logger ▶ store ▶ cluster ▶ Slack app. Nothing else builds long-lived objects. */
async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write("Graydesk cannot start; fix these settings (see .env.example):\n");
    for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
    process.exit(2);
  }
  const { config } = result;
  const logger = createLogger(config.logLevel);

  let store: Awaited<ReturnType<typeof openFileStore>>;
  let audit: Awaited<ReturnType<typeof openAuditLog>>;
  try {
    store = await openFileStore(config.dataDir);
    audit = await openAuditLog(config.dataDir);
  } catch (error) {
    process.stderr.write(`Graydesk cannot start: ${(error as Error).message}\n`);
    process.exit(3);
  }

  const kc = createKubeConfig(config.kube);
  const inFlight = new InFlight();
  const slack = createSlackApp({
    config,
    logger,
    readiness: [
      { name: "slack", check: async () => void (await slackAuth()) },
      { name: "kubernetes", check: async () => void (await pingCluster(kc)) },
    ],
  });
  const slackAuth = () => slack.app.client.auth.test();
  registerCommands(slack.app, { logger, inFlight });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new requests, finishing work in flight");
    await slack.stop().catch((error) => logger.warn({ err: error }, "receiver did not stop cleanly"));
    const drained = await inFlight.drain(config.shutdownTimeoutMs);
    if (!drained) logger.warn({ pending: inFlight.size }, "shutdown timeout reached with work still running");
    await store.close();
    await audit.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await slack.start();
  logger.info(
    { mode: config.slack.mode, port: config.slack.port, dataDir: config.dataDir },
    "Graydesk is running",
  );
  try {
    const auth = await slackAuth();
    logger.info({ team: auth.team, bot: auth.user_id }, "Slack accepted the bot token");
  } catch (error) {
    logger.error({ err: error }, "Slack rejected the bot token (auth.test); /readyz reports not ready");
  }
}

await main();
