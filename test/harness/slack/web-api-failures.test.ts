import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackApiServer, startSlackApiServer } from "./web-api-server.ts";

let server: SlackApiServer;
const client = (options: ConstructorParameters<typeof WebClient>[1] = {}) =>
  new WebClient(server.bot.token, {
    slackApiUrl: server.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    ...options,
  });

beforeAll(async () => {
  server = await startSlackApiServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe("failures", () => {
  it("answers a queued error code once, then works again", async () => {
    server.failNext("chat.postMessage", "channel_not_found");
    await expect(client().chat.postMessage({ channel: "C1", text: "x" })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: "channel_not_found" },
    });
    expect((await client().chat.postMessage({ channel: "C1", text: "x" })).ok).toBe(true);
  });

  it("rate limits with 429 and Retry-After, which WebClient waits out before retrying", async () => {
    server.failNext("chat.update", { status: 429, retryAfter: 1 });
    const slack = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const { ts } = await slack.chat.postMessage({ channel: "C1", text: "x" });
    const started = Date.now();
    await slack.chat.update({ channel: "C1", ts: ts as string, text: "y" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const [limited, retried] = server.callsTo("chat.update");
    expect(limited).toMatchObject({ status: 429, response: { ok: false, error: "ratelimited" } });
    expect(retried?.status).toBe(200);
  });

  it("sends the Retry-After header a client can read when it rejects rate-limited calls", async () => {
    server.failNext("views.publish", { status: 429, retryAfter: 30 }, 2);
    const slack = client({ rejectRateLimitedCalls: true });
    await expect(
      slack.views.publish({ user_id: "U1", view: { type: "home", blocks: [] } }),
    ).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 30,
    });
    const res = await fetch(`${server.url}views.publish`, { method: "POST" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
  });

  it("answers 503 to everything while Slack is down", async () => {
    server.setDown(true);
    await expect(client().auth.test()).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    server.setDown(false);
    expect((await client().auth.test()).ok).toBe(true);
  });

  it("drops connections when asked to", async () => {
    server.setDown("drop");
    await expect(client().auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
    expect(server.calls).toEqual([]);
  });
});

describe("response_url", () => {
  async function post(url: string, body: object) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  it("replaces the original message and records what was posted", async () => {
    const { ts } = await client().chat.postMessage({ channel: "C1", text: "pending" });
    const url = server.responseUrl({ channel: "C1", messageTs: ts as string, user: "U0ALICE" });
    expect(url).toMatch(new RegExp(`^${server.url}response/R0\\d+$`));
    expect(await post(url, { replace_original: true, text: "approved" })).toEqual({
      status: 200,
      text: "ok",
    });
    expect(server.message("C1", ts as string)?.text).toBe("approved");
    const call = await server.waitFor("response_url");
    expect(call.args).toEqual({ replace_original: true, text: "approved" });
  });

  it("posts in channel, ephemerally, or deletes the original as asked", async () => {
    const { ts } = await client().chat.postMessage({ channel: "C1", text: "pending" });
    const url = server.responseUrl({ channel: "C1", messageTs: ts as string, user: "U0ALICE" });
    await post(url, { response_type: "in_channel", text: "for all" });
    await post(url, { text: "for you" });
    expect(server.messages("C1").map((m) => m.text)).toEqual(["pending", "for all"]);
    expect(server.ephemerals("U0ALICE").map((m) => m.text)).toEqual(["for you"]);
    await post(url, { delete_original: true });
    expect(server.message("C1", ts as string)).toBeUndefined();
  });

  it("refuses unknown urls and a sixth use", async () => {
    expect((await post(`${server.url}response/R404`, { text: "x" })).status).toBe(404);
    const url = server.responseUrl({ channel: "C1", user: "U0ALICE" });
    for (let i = 0; i < 5; i++) expect((await post(url, { text: `${i}` })).status).toBe(200);
    expect(await post(url, { text: "6" })).toEqual({ status: 404, text: "used_url" });
  });

  it("validates blocks posted to a response_url", async () => {
    const url = server.responseUrl({ channel: "C1", user: "U0ALICE" });
    await post(url, { text: "x", blocks: [{ type: "section" }] });
    expect(server.violations).toEqual([
      expect.objectContaining({ rule: "section_content", path: "blocks[0]" }),
    ]);
  });
});

describe("waitFor", () => {
  it("resolves on a call made later and matching the predicate", async () => {
    const waiting = server.waitFor("chat.postMessage", (c) => c.args.text === "second");
    await client().chat.postMessage({ channel: "C1", text: "first" });
    await client().chat.postMessage({ channel: "C1", text: "second" });
    expect((await waiting).args.channel).toBe("C1");
  });

  it("rejects after the timeout, naming the calls it saw", async () => {
    await client().auth.test();
    await expect(server.waitFor("views.open", undefined, 50)).rejects.toThrow(
      "no matching views.open call within 50 ms (calls so far: auth.test)",
    );
  });
});
