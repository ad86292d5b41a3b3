import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACK_BOUND_MS, createSlackClient } from "./slack-client.ts";
import { type SocketModeServer, startSocketModeServer } from "./socket-mode-server.ts";
import { type SlackApiServer, startSlackApiServer } from "./web-api-server.ts";

let api: SlackApiServer;
let socket: SocketModeServer;
let app: App | undefined;
const seen: string[] = [];

beforeEach(async () => {
  api = await startSlackApiServer();
  // Slack's bound is 3 s; on a loaded machine the test's own delays count too, so only a hung ack is late here.
  socket = await startSocketModeServer(api, { ackTimeoutMs: ACK_BOUND_MS });
  seen.length = 0;
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await socket.close();
  await api.close();
});

/**
 * Bolt's stock Socket Mode receiver pointed at the test servers; listeners note what they saw and ack.
 * `workMs` is time spent before the ack, as a listener that reads something first would.
 */
async function startStockApp(workMs = 0): Promise<App> {
  const receiver = new SocketModeReceiver({
    appToken: socket.appToken,
    logLevel: LogLevel.ERROR,
    installerOptions: { clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } } },
  });
  app = new App({ token: api.bot.token, receiver, clientOptions: { slackApiUrl: api.url } });
  app.command("/release", async ({ ack, command }) => {
    seen.push(`command ${command.text}`);
    await new Promise((resolve) => setTimeout(resolve, workMs));
    await ack({ text: `got ${command.text}` });
  });
  app.action("go", async ({ ack }) => {
    seen.push("action go");
    await ack();
  });
  app.view("form", async ({ ack }) => {
    await ack({ response_action: "errors", errors: { name_block: "Name is taken" } });
  });
  app.event("app_home_opened", async ({ event }) => {
    seen.push(`event ${event.type} ${event.user}`);
  });
  await app.start();
  return app;
}

const client = () =>
  createSlackClient({ baseUrl: "http://unused", signingSecret: "unused", api, socketMode: socket });
const BUTTON = {
  ts: "1.000100",
  channel: "C0RELEASES",
  blocks: [
    {
      type: "actions",
      block_id: "b",
      elements: [{ type: "button", action_id: "go", text: { type: "plain_text", text: "Go" } }],
    },
  ],
};
const FORM = {
  id: "V1",
  type: "modal",
  callback_id: "form",
  title: { type: "plain_text", text: "F" },
  blocks: [
    {
      type: "input",
      block_id: "name_block",
      label: { type: "plain_text", text: "Name" },
      element: { type: "plain_text_input", action_id: "name" },
    },
  ],
};

describe("Socket Mode test server", () => {
  it("hands out a ws:// URL for the app token only, and greets the connection with hello", async () => {
    const botTry = await fetch(`${api.url}apps.connections.open`, {
      method: "POST",
      headers: { authorization: `Bearer ${api.bot.token}` },
    });
    expect(await botTry.json()).toMatchObject({ ok: false, error: "not_allowed_token_type" });
    await startStockApp();
    expect(socket.connectionCount()).toBe(1);
    expect(api.callsTo("apps.connections.open").at(-1)?.response).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\//),
    });
  });

  it("sends slash commands, interactivity and events as envelopes; the ack's payload is the reply", async () => {
    await startStockApp();
    const slack = client();
    expect((await slack.command("/release", "help")).json).toEqual({ text: "got help" });
    expect((await slack.clickButton(BUTTON, "go")).body).toBe("");
    const submitted = await slack.submitView(FORM, { name_block: { name: "x" } });
    expect(submitted.json).toEqual({ response_action: "errors", errors: { name_block: "Name is taken" } });
    await slack.appHomeOpened({ user: { id: "U0BOB", name: "bob" } });
    expect(seen).toEqual(["command help", "action go", "event app_home_opened U0BOB"]);
    expect(socket.envelopes.map((e) => e.type)).toEqual([
      "slash_commands",
      "interactive",
      "interactive",
      "events_api",
    ]);
    for (const e of socket.envelopes) expect(e.acks).toHaveLength(1);
    expect(socket.violations).toEqual([]);
  });

  it.each(["warning", "refresh_requested"] as const)(
    "after disconnect (%s) the envelope sent meanwhile waits for the app's next connection",
    async (reason) => {
      await startStockApp();
      socket.disconnect(reason);
      const reply = await client().command("/release", "list");
      expect(reply.json).toEqual({ text: "got list" });
      expect(socket.connectionCount()).toBe(2);
      expect(socket.envelopes[0]?.sentOn).toEqual([2]);
      expect(seen).toEqual(["command list"]);
      // The stock client pauses 5 s before reconnecting: longer than Slack waits for an ack.
      expect(socket.envelopes[0]?.ackMs).toBeGreaterThan(4_500);
    },
  );

  it("sends an event again on the next connection when the first one died before its ack", async () => {
    await startStockApp();
    const reply = client().appHomeOpened({ user: { id: "U0BOB", name: "bob" } });
    socket.drop();
    await reply;
    const [event] = socket.envelopes;
    expect(event?.sentOn).toEqual([1, 2]);
    expect(event?.acks.map((a) => a.connection)).toEqual([2]);
  });

  it("loses a command whose connection died before its ack, as Slack does", async () => {
    await startStockApp(50);
    const reply = client().command("/release", "status");
    socket.drop();
    await expect(reply).rejects.toThrow(/lost: connection 1 closed before its ack/);
    expect(socket.violations).toEqual([expect.stringMatching(/slash_commands\) lost/)]);
  });

  it("shows the stock client losing the ack of a command it was handling when disconnect came", async () => {
    await startStockApp(50);
    const reply = client().command("/release", "history");
    socket.disconnect("refresh_requested");
    await expect(reply).rejects.toThrow(/lost/);
    expect(seen).toEqual(["command history"]);
  });

  it("counts an ack later than its bound as a violation", async () => {
    await socket.close();
    socket = await startSocketModeServer(api, { ackTimeoutMs: 0 });
    await startStockApp();
    await client().command("/release", "help");
    expect(socket.violations).toEqual([expect.stringMatching(/acked after \d+ ms/)]);
  });
});
