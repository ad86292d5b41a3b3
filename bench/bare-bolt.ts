import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { freePort, type SlackApiServer } from "../test/harness/slack/index.ts";

/**
 * The floor for ack latency: a Bolt app on the same HTTP receiver and Web API server whose listeners only ack.
 * Whatever Graydesk adds above this is its own work before (or beside) the ack.
 */
export async function startBareBolt(
  api: SlackApiServer,
  signingSecret: string,
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const app = new App({
    token: api.bot.token,
    receiver: new HTTPReceiver({ signingSecret, port, unhandledRequestTimeoutMillis: 2_000 }),
    logLevel: LogLevel.WARN,
    clientOptions: { slackApiUrl: api.url },
  });
  app.command(/.*/, async ({ ack }) => {
    await ack();
  });
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  await app.start(port);
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => app.stop() as Promise<void> };
}
