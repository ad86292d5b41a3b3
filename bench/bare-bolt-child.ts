import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";

/**
 * The floor for ack latency in its own process, as Graydesk runs in its own: a Bolt app on the same HTTP
 * receiver and Web API server whose listeners only ack. argv: port, Web API URL, bot token, signing secret, and
 * an app-level token for Bolt's own Socket Mode receiver instead of HTTP.
 */
const [port, apiUrl, token, signingSecret, appToken] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const receiver = appToken
  ? new SocketModeReceiver({
      appToken,
      logLevel: LogLevel.WARN,
      installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
    })
  : new HTTPReceiver({ signingSecret, unhandledRequestTimeoutMillis: 2_000 });
const app = new App({
  token,
  receiver,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: apiUrl },
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await (appToken ? app.start() : app.start(Number(port)));
process.on("message", async (message: string) => {
  if (message !== "stop") return;
  await app.stop();
  process.exit(0);
});
process.send?.({ ready: true });
