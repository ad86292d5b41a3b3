// The signature is checked once per request, by the guard: Bolt behind it does not check it again.
import crypto from "node:crypto";
import { App } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { guardedReceiver } from "../../src/slack/guarded-receiver.ts";
import { freePort, signedHeaders } from "../harness/slack/index.ts";

const SECRET = "guarded-receiver-secret";
const NOW = Date.now();
const COMMAND = "command=%2Frelease&text=help&team_id=T1&user_id=U1&channel_id=C1&trigger_id=1.2.3";
let url: string;
let stop: () => Promise<unknown>;
const heard: string[] = [];

beforeAll(async () => {
  const receiver = guardedReceiver({ signingSecret: SECRET, now: () => NOW });
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: "xoxb-test", botId: "B1", botUserId: "UBOT" }),
  });
  app.command("/release", async ({ ack, command }) => {
    await ack();
    heard.push(command.text);
  });
  const port = await freePort();
  await receiver.start(port);
  stop = () => receiver.stop();
  url = `http://127.0.0.1:${port}/slack/events`;
});
afterAll(() => stop?.());

const post = (headers: Record<string, string>) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: COMMAND,
  });

describe("the guarded receiver", () => {
  it("hands a request the guard verified to the listener without Bolt verifying it again", async () => {
    const headers = signedHeaders(SECRET, COMMAND, NOW);
    // Every signature check is one HMAC with the signing secret: counted from here to the answer.
    const hmac = vi.spyOn(crypto, "createHmac");
    try {
      const res = await post(headers);
      expect(res.status).toBe(200);
      expect(hmac.mock.calls.filter(([, key]) => key === SECRET)).toHaveLength(1);
    } finally {
      hmac.mockRestore();
    }
    expect(heard).toEqual(["help"]);
  });

  it("still refuses an unsigned or forged request before any listener", async () => {
    expect((await post({})).status).toBe(401);
    const forged = { ...signedHeaders(SECRET, COMMAND, NOW), "x-slack-signature": `v0=${"2".repeat(64)}` };
    expect((await post(forged)).status).toBe(401);
    expect(heard).toEqual(["help"]);
  });
});
