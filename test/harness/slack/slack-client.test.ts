import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { App, HTTPReceiver, LogLevel, verifySlackRequest } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACK_BOUND_MS } from "./index.ts";
import { slackSignature } from "./signature.ts";
import { createSlackClient, type SlackClient } from "./slack-client.ts";
import { type SlackApiServer, startSlackApiServer } from "./web-api-server.ts";

const signingSecret = "graydesk-signing-secret";
const modal = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../fixtures/slack/valid-modal.json"), "utf8"),
);
const seen: Record<string, unknown[]> = {};
const note = (key: string, value: unknown) => {
  seen[key] = [...(seen[key] ?? []), value];
};

let api: SlackApiServer;
let server: Server;
let slack: SlackClient;

// A bare Bolt app with one listener per kind of request, answering the way Graydesk's listeners do.
function buildApp(): HTTPReceiver {
  const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    token: api.bot.token,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
  });
  app.command("/release", async ({ ack, body, client, context }) => {
    await ack();
    note("command", { text: body.text, retryNum: context.retryNum });
    if (body.text === "new") await client.views.open({ trigger_id: body.trigger_id, view: modal });
    else
      await client.chat.postMessage({ channel: body.channel_id, text: "Approve?", blocks: approvalBlocks });
  });
  app.action("approve", async ({ ack, respond, body }) => {
    await ack();
    note("approve", body);
    await respond({ replace_original: true, text: "Approved" });
  });
  app.action("weight", async ({ ack, action }) => {
    await ack();
    note("weight", action);
  });
  app.view("new_release", async ({ ack, view }) => {
    note("submission", view.state.values);
    const weight = view.state.values.weight?.weight_input?.value;
    if (weight === "0") await ack({ response_action: "errors", errors: { weight: "Pick a weight above 0" } });
    else await ack();
  });
  app.view({ callback_id: "new_release", type: "view_closed" }, async ({ ack, body }) => {
    await ack();
    note("closed", body.view.id);
  });
  app.options("service_select", async ({ ack, options }) => {
    await ack({
      options: [{ text: { type: "plain_text", text: `bookinfo/${options.value}` }, value: options.value }],
    });
  });
  app.event("app_home_opened", async ({ event, client }) => {
    await client.views.publish({ user_id: event.user, view: { type: "home", blocks: [] } });
  });
  return receiver;
}

const approvalBlocks = [
  {
    type: "actions",
    block_id: "approval",
    elements: [
      {
        type: "button",
        action_id: "approve",
        value: "job-42",
        text: { type: "plain_text", text: "Approve" },
      },
      {
        type: "static_select",
        action_id: "weight",
        options: [{ text: { type: "plain_text", text: "25%" }, value: "25" }],
      },
    ],
  },
];

beforeAll(async () => {
  api = await startSlackApiServer();
  server = createServer(buildApp().requestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  slack = createSlackClient({ baseUrl: `http://127.0.0.1:${port}`, signingSecret, api });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await api.close();
});
beforeEach(() => {
  api.reset();
  for (const key of Object.keys(seen)) delete seen[key];
});

describe("signatures", () => {
  it("produces the signature Bolt's own verifier accepts", () => {
    const body = "command=%2Frelease&text=status";
    const nowMs = Date.now();
    const timestamp = Math.floor(nowMs / 1000);
    const headers = {
      "x-slack-signature": slackSignature(signingSecret, timestamp, body),
      "x-slack-request-timestamp": timestamp,
    };
    expect(() => verifySlackRequest({ signingSecret, body, headers, nowMilliseconds: nowMs })).not.toThrow();
    expect(slackSignature("secret", 1531420618, "a=b")).toMatch(/^v0=[0-9a-f]{64}$/);
  });

  it("is accepted by Bolt's HTTP receiver, which acks in well under 3 s", async () => {
    const reply = await slack.command("/release", "status");
    expect(reply.status).toBe(200);
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    expect(seen.command).toEqual([{ text: "status", retryNum: undefined }]);
  });

  it.each([
    ["no signature", { signature: "none" as const }],
    ["a signature made with the wrong secret", { signature: "wrong-secret" as const }],
    ["a garbled signature", { signature: "v0=deadbeef" }],
    ["a timestamp six minutes old", { timestamp: Math.floor(Date.now() / 1000) - 360 }],
  ])("gets 401 with %s", async (_name, sign) => {
    const reply = await slack.command("/release", "status", { sign });
    expect(reply.status).toBe(401);
    expect(seen.command).toBeUndefined();
  });

  it("passes Slack's retry headers through to the listener", async () => {
    await slack.command("/release", "status", { sign: { retryNum: 1, retryReason: "http_timeout" } });
    expect(seen.command).toEqual([{ text: "status", retryNum: 1 }]);
  });
});

describe("interactions through Bolt", () => {
  it("opens a modal with the issued trigger id and submits it with stateFrom values", async () => {
    await slack.command("/release", "new");
    const open = await api.waitFor("views.open");
    expect(open.response).toMatchObject({ ok: true });
    const view = api.views()[0];
    if (!view) throw new Error("no view opened");
    const reply = await slack.submitView(view, {
      service: { service_select: "reviews" },
      strategy: { strategy_select: "blue_green" },
      weight: { weight_input: "20" },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("");
    const [values] = seen.submission as Array<Record<string, Record<string, unknown>>>;
    expect(values?.strategy?.strategy_select).toMatchObject({ selected_option: { value: "blue_green" } });
    expect(values?.service?.service_select).toMatchObject({ selected_option: { value: "reviews" } });
    expect(values?.approvers?.approvers_select).toEqual({
      type: "multi_users_select",
      selected_users: ["U0BOB"],
    });
  });

  it("returns the app's response_action errors as the ack body", async () => {
    const reply = await slack.submitView({ ...modal, id: "V1" }, { weight: { weight_input: "0" } });
    expect(reply.json).toEqual({ response_action: "errors", errors: { weight: "Pick a weight above 0" } });
  });

  it("closes a view", async () => {
    await slack.closeView({ ...modal, id: "V9" });
    expect(seen.closed).toEqual(["V9"]);
  });

  it("clicks a button on a recorded message; the app's respond() replaces it", async () => {
    await slack.command("/release", "status");
    const posted = await api.waitFor("chat.postMessage");
    const { channel, ts } = posted.response as { channel: string; ts: string };
    const message = api.message(channel, ts);
    if (!message) throw new Error("message not stored");
    const reply = await slack.clickButton(message, "approve");
    expect(reply.status).toBe(200);
    const [body] = seen.approve as Array<Record<string, unknown>>;
    expect(body).toMatchObject({
      type: "block_actions",
      container: { type: "message", message_ts: ts, channel_id: channel },
      channel: { id: channel },
      actions: [{ type: "button", action_id: "approve", block_id: "approval", value: "job-42" }],
    });
    await api.waitFor("response_url");
    expect(api.message(channel, ts)?.text).toBe("Approved");
  });

  it("chooses an option in a select", async () => {
    const message = { channel: "C0RELEASES", ts: "1700000000.000100", blocks: approvalBlocks };
    await slack.choose(message, "weight", "25");
    expect(seen.weight).toEqual([
      expect.objectContaining({
        type: "static_select",
        selected_option: expect.objectContaining({ value: "25" }),
      }),
    ]);
  });

  it("asks for external_select options and gets them in the ack", async () => {
    const reply = await slack.suggest({ ...modal, id: "V1" }, "service_select", "rev");
    expect(reply.json).toEqual({
      options: [{ text: { type: "plain_text", text: "bookinfo/rev" }, value: "rev" }],
    });
  });

  it("delivers app_home_opened; the app publishes the home tab", async () => {
    const reply = await slack.appHomeOpened({ user: { id: "U0CAROL", name: "carol" } });
    expect(reply.status).toBe(200);
    await api.waitFor("views.publish");
    expect(api.home("U0CAROL")).toMatchObject({ type: "home" });
  });

  it("answers the url_verification challenge", async () => {
    const reply = await slack.urlVerification("c-123");
    expect(reply.json).toEqual({ challenge: "c-123" });
  });
});
