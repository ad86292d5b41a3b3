import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LogLevel, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackApiServer, startSlackApiServer } from "./web-api-server.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/slack", name), "utf8"));

let clock = 1_700_000_000_000;
let server: SlackApiServer;
let slack: WebClient;

beforeAll(async () => {
  server = await startSlackApiServer({ now: () => clock });
  slack = new WebClient(server.bot.token, {
    slackApiUrl: server.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setUsers([]);
  server.setChannels([]);
});

async function raw(method: string, body: string | object, headers: Record<string, string> = {}) {
  const isJson = typeof body === "object";
  const res = await fetch(`${server.url}${method}`, {
    method: "POST",
    headers: {
      "content-type": isJson ? "application/json" : "application/x-www-form-urlencoded",
      ...headers,
    },
    body: isJson ? JSON.stringify(body) : body,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe("auth", () => {
  it("answers auth.test for the bot token, in a header or a form field", async () => {
    const viaClient = await slack.auth.test();
    expect(viaClient).toMatchObject({ ok: true, team_id: server.bot.teamId, user_id: server.bot.userId });
    expect(viaClient.bot_id).toBe(server.bot.botId);
    const viaForm = await raw("auth.test", `token=${server.bot.token}`);
    expect(viaForm.json).toMatchObject({ ok: true, team: server.bot.team, url: server.bot.url });
  });

  it.each([
    ["a missing token", {}, "not_authed"],
    ["an unknown token", { authorization: "Bearer xoxb-unknown" }, "invalid_auth"],
  ])("refuses %s", async (_name, headers, error) => {
    const { status, json } = await raw("chat.postMessage", { channel: "C1", text: "hi" }, headers);
    expect(status).toBe(200);
    expect(json).toEqual({ ok: false, error });
  });

  it("answers invalid_json for a JSON body that does not parse", async () => {
    const res = await fetch(`${server.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.bot.token}` },
      body: "{not json",
    });
    expect(await res.json()).toEqual({ ok: false, error: "invalid_json" });
  });

  it("answers unknown_method for a method it does not speak", async () => {
    await expect(slack.apiCall("chat.scheduleMessage", { channel: "C1", text: "x" })).rejects.toMatchObject({
      data: { ok: false, error: "unknown_method" },
    });
  });
});

describe("chat", () => {
  it("posts messages with unique increasing ts and keeps their latest version", async () => {
    const first = await slack.chat.postMessage({ channel: "C1", text: "one" });
    const second = await slack.chat.postMessage({ channel: "C1", text: "two" });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message).toMatchObject({ text: "one", bot_id: server.bot.botId });
    await slack.chat.update({ channel: "C1", ts: first.ts as string, text: "one, edited" });
    expect(server.message("C1", first.ts as string)?.text).toBe("one, edited");
    expect(server.messages("C1").map((m) => m.text)).toEqual(["one, edited", "two"]);
  });

  it("parses blocks sent as JSON (form-encoded by WebClient, raw JSON body) and validates them", async () => {
    const { blocks, text } = fixture("valid-message.json");
    await slack.chat.postMessage({ channel: "C1", text, blocks });
    const viaJson = await raw(
      "chat.postMessage",
      { channel: "C1", blocks: [{ type: "header", text: { type: "plain_text", text: "x".repeat(151) } }] },
      { authorization: `Bearer ${server.bot.token}` },
    );
    expect(viaJson.json.ok).toBe(true);
    expect(server.callsTo("chat.postMessage")[0]?.violations).toEqual([]);
    expect(server.violations).toEqual([
      expect.objectContaining({ rule: "header_text", path: "blocks[0].text.text" }),
    ]);
    expect(() => server.expectNoViolations()).toThrow(/chat.postMessage blocks\[0\].text.text: header_text/);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    [
      "chat.update of an unknown ts",
      "chat.update",
      { channel: "C1", ts: "1.000001", text: "x" },
      "message_not_found",
    ],
    ["chat.delete of an unknown ts", "chat.delete", { channel: "C1", ts: "1.000001" }, "message_not_found"],
    ["chat.postMessage without text or blocks", "chat.postMessage", { channel: "C1" }, "no_text"],
    [
      "chat.update over 4000 chars",
      "chat.update",
      { channel: "C1", ts: "SEEDED", text: "x".repeat(4001) },
      "msg_too_long",
    ],
  ])("refuses %s", async (_name, method, args, error) => {
    const seeded = await slack.chat.postMessage({ channel: "C1", text: "seed" });
    const withTs = { ...args, ...(args.ts === "SEEDED" ? { ts: seeded.ts } : {}) };
    await expect(slack.apiCall(method, withTs)).rejects.toMatchObject({ data: { error } });
  });

  it("refuses to update or delete a message someone else posted", async () => {
    server.addMessage({ channel: "C1", ts: "1700000000.999999", user: "U0ALICE", text: "mine" });
    await expect(
      slack.chat.update({ channel: "C1", ts: "1700000000.999999", text: "x" }),
    ).rejects.toMatchObject({
      data: { error: "cant_update_message" },
    });
    await expect(slack.chat.delete({ channel: "C1", ts: "1700000000.999999" })).rejects.toMatchObject({
      data: { error: "cant_delete_message" },
    });
  });

  it("deletes the bot's own message", async () => {
    const { ts } = await slack.chat.postMessage({ channel: "C1", text: "bye" });
    await slack.chat.delete({ channel: "C1", ts: ts as string });
    expect(server.message("C1", ts as string)).toBeUndefined();
  });

  it("posts ephemeral messages, and refuses users outside a channel with known members", async () => {
    server.setChannels([{ id: "C1", name: "releases", members: ["U0ALICE"] }]);
    const res = await slack.chat.postEphemeral({ channel: "C1", user: "U0ALICE", text: "only you" });
    expect(res.message_ts).toMatch(/^\d+\.\d+$/);
    expect(server.ephemerals("U0ALICE")).toEqual([
      expect.objectContaining({ text: "only you", channel: "C1" }),
    ]);
    await expect(slack.chat.postEphemeral({ channel: "C1", user: "U0BOB", text: "x" })).rejects.toMatchObject(
      {
        data: { error: "user_not_in_channel" },
      },
    );
    await expect(slack.chat.postMessage({ channel: "C404", text: "x" })).rejects.toMatchObject({
      data: { error: "channel_not_found" },
    });
  });
});

describe("views", () => {
  const modal = () => fixture("valid-modal.json");

  it("opens a modal with a fresh trigger id, then updates it by id and by external_id", async () => {
    const opened = await slack.views.open({
      trigger_id: server.issueTriggerId(),
      view: { ...modal(), external_id: "job-1" },
    });
    const id = opened.view?.id as string;
    expect(opened.view).toMatchObject({ id, callback_id: "new_release", root_view_id: id });
    const byId = await slack.views.update({ view_id: id, hash: opened.view?.hash as string, view: modal() });
    expect(byId.view?.hash).not.toBe(opened.view?.hash);
    await slack.views.update({
      external_id: "job-1",
      view: { ...modal(), external_id: "job-1", private_metadata: "2" },
    });
    expect(server.view("job-1")?.private_metadata).toBe("2");
    expect(server.view(id)?.id).toBe(id);
  });

  it.each([
    [
      "an expired trigger",
      () => {
        const t = server.issueTriggerId();
        clock += 3001;
        return t;
      },
      "expired_trigger_id",
    ],
    ["a trigger of unknown format", () => "not-a-trigger", "expired_trigger_id"],
    ["a trigger this server never issued", () => "123.456.abcdef", "expired_trigger_id"],
  ])("refuses views.open with %s", async (_name, trigger, error) => {
    await expect(slack.views.open({ trigger_id: trigger(), view: modal() })).rejects.toMatchObject({
      data: { error },
    });
  });

  it("refuses a trigger used twice", async () => {
    const trigger_id = server.issueTriggerId();
    await slack.views.open({ trigger_id, view: modal() });
    await expect(slack.views.push({ trigger_id, view: modal() })).rejects.toMatchObject({
      data: { error: "exchanged_trigger_id" },
    });
  });

  it("stacks pushed views on the view the trigger came from, at most three deep", async () => {
    const root = (await slack.views.open({ trigger_id: server.issueTriggerId(), view: modal() })).view
      ?.id as string;
    const second = await slack.views.push({ trigger_id: server.issueTriggerId(root), view: modal() });
    expect(second.view).toMatchObject({ root_view_id: root, previous_view_id: root });
    const third = await slack.views.push({
      trigger_id: server.issueTriggerId(second.view?.id as string),
      view: modal(),
    });
    expect(third.view?.root_view_id).toBe(root);
    await expect(
      slack.views.push({ trigger_id: server.issueTriggerId(third.view?.id as string), view: modal() }),
    ).rejects.toMatchObject({ data: { error: "push_limit_reached" } });
  });

  it("answers invalid_arguments with Slack's messages for a view that breaks a rule", async () => {
    const view = { ...modal(), title: { type: "plain_text", text: "A title that is far too long" } };
    const error = await slack.views.open({ trigger_id: server.issueTriggerId(), view }).catch((e) => e);
    expect(error.data).toMatchObject({ ok: false, error: "invalid_arguments" });
    expect(error.data.response_metadata.messages).toEqual([
      "[ERROR] must be at most 24 characters (has 28) (view_title) [json-pointer:/view/title/text]",
    ]);
    expect(server.callsTo("views.open")[0]?.violations).toHaveLength(1);
  });

  it("accepts an invalid view when not strict, still recording the violation", async () => {
    const lax = await startSlackApiServer({ strict: false });
    try {
      const client = new WebClient(lax.bot.token, { slackApiUrl: lax.url, retryConfig: { retries: 0 } });
      const view = { ...modal(), submit: undefined };
      const res = await client.views.open({ trigger_id: lax.issueTriggerId(), view });
      expect(res.ok).toBe(true);
      expect(lax.violations).toEqual([expect.objectContaining({ rule: "submit_required" })]);
    } finally {
      await lax.close();
    }
  });

  it("answers hash_conflict and not_found on views.update", async () => {
    const opened = await slack.views.open({ trigger_id: server.issueTriggerId(), view: modal() });
    await expect(
      slack.views.update({ view_id: opened.view?.id as string, hash: "1.stale", view: modal() }),
    ).rejects.toMatchObject({ data: { error: "hash_conflict" } });
    await expect(slack.views.update({ view_id: "V404", view: modal() })).rejects.toMatchObject({
      data: { error: "not_found" },
    });
  });

  it("publishes home tabs per user", async () => {
    await slack.views.publish({ user_id: "U0ALICE", view: fixture("valid-home.json") });
    expect(server.home("U0ALICE")?.blocks).toHaveLength(3);
    expect(server.home("U0BOB")).toBeUndefined();
    await expect(
      slack.views.publish({ user_id: "U0ALICE", view: { type: "home", blocks: [{ type: "carousel" }] } }),
    ).rejects.toMatchObject({ data: { error: "invalid_arguments" } });
  });
});

describe("files", () => {
  it("takes a filesUploadV2 upload and keeps the bytes", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const res = await slack.filesUploadV2({
      channel_id: "C1",
      file: png,
      filename: "split.png",
      title: "Split",
    });
    const [completion] = res.files as Array<{ files: Array<{ id: string; title: string }> }>;
    const id = completion?.files[0]?.id as string;
    expect(completion?.files[0]?.title).toBe("Split");
    expect(server.file(id)).toMatchObject({ filename: "split.png", completed: true, channelId: "C1" });
    expect(server.file(id)?.bytes?.equals(png)).toBe(true);
  });

  it("refuses to complete an upload whose bytes never arrived", async () => {
    const url = await slack.files.getUploadURLExternal({ filename: "a.png", length: 3 });
    expect(url.upload_url).toBe(`${server.url}upload/${url.file_id}`);
    await expect(
      slack.files.completeUploadExternal({ files: [{ id: url.file_id as string }] }),
    ).rejects.toMatchObject({ data: { error: "file_not_found" } });
    await expect(slack.files.getUploadURLExternal({ filename: "a.png", length: 0 })).rejects.toMatchObject({
      data: { error: "missing_argument" },
    });
  });
});

describe("directory", () => {
  it("answers users, user groups and channels it knows, and Slack's errors for the rest", async () => {
    server.setUsers([{ id: "U0ALICE", name: "alice", profile: { display_name: "Alice" } }]);
    server.setUserGroups([{ id: "S0SRE", handle: "sre", users: ["U0ALICE"] }]);
    server.setChannels([{ id: "C1", name: "releases" }]);
    expect((await slack.users.info({ user: "U0ALICE" })).user).toMatchObject({ name: "alice" });
    expect((await slack.usergroups.users.list({ usergroup: "S0SRE" })).users).toEqual(["U0ALICE"]);
    expect((await slack.conversations.info({ channel: "C1" })).channel).toMatchObject({ name: "releases" });
    await expect(slack.users.info({ user: "U404" })).rejects.toMatchObject({
      data: { error: "user_not_found" },
    });
    await expect(slack.usergroups.users.list({ usergroup: "S404" })).rejects.toMatchObject({
      data: { error: "no_such_subteam" },
    });
    await expect(slack.conversations.info({ channel: "C404" })).rejects.toMatchObject({
      data: { error: "channel_not_found" },
    });
  });
});
