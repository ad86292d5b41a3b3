import pino from "pino";
import type { Config } from "../src/config.ts";
import { startGraydesk } from "../src/graydesk.ts";
import { createLogger } from "../src/log.ts";

/**
 * Starts Graydesk exactly as main.ts does; pino writes synchronously to stdout there, to a file here. Kept apart
 * from the bench world (which loads the test servers), so Graydesk's process loads what production loads.
 */
export async function startBenchGraydesk(config: Config, logFile: string) {
  const logs = pino.destination({ dest: logFile, sync: true, mkdir: true });
  const graydesk = await startGraydesk(config, createLogger("info", logs));
  return { graydesk, logs };
}
