import { fork } from "node:child_process";
import { freePort, type SlackApiServer } from "../test/harness/slack/index.ts";
import { ask } from "./graydesk-process.ts";

/**
 * The floor for ack latency: a Bolt app whose listeners only ack, in its own process beside the same Web API
 * server. Whatever Graydesk adds above this is its own work before (or beside) the ack.
 */
export async function startBareBolt(
  api: SlackApiServer,
  signingSecret: string,
  /** Socket Mode with this app-level token (Bolt's stock receiver) instead of the HTTP receiver. */
  appToken?: string,
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = fork(
    new URL("./bare-bolt-child.ts", import.meta.url),
    [String(port), api.url, api.bot.token, signingSecret, ...(appToken ? [appToken] : [])],
    // Node's defaults, whatever flags this process has: the floor is Bolt as Node runs it by default.
    { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] },
  );
  await ask(child, "", "ready");
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      await exited;
    },
  };
}
