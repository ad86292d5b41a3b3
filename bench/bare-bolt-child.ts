import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

/**
 * The floor for ack latency in its own process, as Graydesk runs in its own: a Bolt app on the same HTTP
 * receiver and Web API server whose listeners only ack. argv: port, Web API URL, bot token, signing secret.
 */
const [port, apiUrl, token, signingSecret] = process.argv.slice(2) as [string, string, string, string];
const app = new App({
  token,
  receiver: new HTTPReceiver({ signingSecret, unhandledRequestTimeoutMillis: 2_000 }),
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: apiUrl },
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await app.start(Number(port));
process.on("message", async (message: string) => {
  if (message !== "stop") return;
  await app.stop();
  process.exit(0);
});
process.send?.({ ready: true });
