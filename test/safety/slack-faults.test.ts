// Slack down or rate limiting while an approval is applied: the cluster changes once and at once, and every
// message Graydesk owes Slack arrives, in order, once Slack is back (even across a restart).
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { SlackOutbox } from "../../src/slack/outbox.ts";
import { openFileStore, type Store } from "../../src/store/index.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  createReviewsJob,
  reviewsWeights,
  startWorld,
  until,
  virtualServiceWrites,
  type World,
} from "../slack/desk/world.ts";

const quiet = createLogger("silent");

describe("an approval applied while Slack is down or rate limiting", () => {
  let world: World;
  let percent = 10;

  beforeAll(async () => {
    world = await startWorld();
    await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    await world.api.waitFor("response_url");
    await createReviewsJob(world, "reviews-slack");
    // The job's first routes, so the shifts below each patch an existing VirtualService once.
    const { request } = await ask();
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(async () => (await reviewsWeights(world.kube)).v2 === percent);
  });
  afterAll(async () => {
    await world?.close();
  });
  beforeEach(() => {
    world.api.setDown(false);
    world.kube.resetRequests();
  });

  async function ask(): Promise<{ request: StoredMessage; id: string; percent: number }> {
    percent += 7;
    const before = approvalMessage(world.api)?.ts;
    await world.app.slack.command("/release", `shift reviews-slack ${percent}`, { user: ALICE });
    const request = await until(() => {
      const m = approvalMessage(world.api);
      return m && m.ts !== before ? m : undefined;
    });
    const id = /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(request.blocks))?.[1] as string;
    return { request, id, percent };
  }

  async function approveWhileSlackFails(fail: () => void) {
    const { request, id, percent } = await ask();
    const notesBefore = world.api.messages(CHANNEL).filter((m) => m.thread_ts).length;
    const writes = virtualServiceWrites(world.kube);
    fail();
    const clickedAt = world.api.calls.length;
    const click = await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    expect(click.status).toBe(200);
    await until(async () => (await reviewsWeights(world.kube)).v2 === percent);
    // A logical clock rather than a stopwatch: how many of Graydesk's Slack updates had got through when the
    // traffic moved. None means the apply did not wait for Slack (nor for its Retry-After).
    const deliveredBeforeMove = world.api.calls
      .slice(clickedAt)
      .filter((c) => ["chat.update", "chat.postMessage"].includes(c.method) && c.status === 200).length;
    await until(() => world.app.graydesk.deps.approvals.gate.get(id)?.state === "applied");
    return { request, id, percent, deliveredBeforeMove, notesBefore, writes };
  }

  async function expectDeliveredAfterwards(request: StoredMessage, id: string, notesBefore: number) {
    const drawn = await until(() => {
      const m = world.api.message(request.channel, request.ts);
      return JSON.stringify(m?.blocks).includes("Applied by <@U0BOB>") ? m : undefined;
    }, 10_000);
    expect(drawn.text).toContain("applied");
    // The approvers' channel copy too (its buttons, and so the request id, are gone once decided).
    const copies = await until(() => {
      const at = world.app.graydesk.deps.approvals.gate.get(id)?.messages ?? [];
      return at.length === 2 ? at : undefined;
    }, 10_000);
    expect(copies.map((m) => m.channel).sort()).toEqual(["C0APPROVERS", CHANNEL]);
    for (const at of copies)
      await until(
        () => JSON.stringify(world.api.message(at.channel, at.ts)?.blocks).includes("Applied by <@U0BOB>"),
        10_000,
      );
    const notes = await until(() => {
      const all = world.api.messages(CHANNEL).filter((m) => m.thread_ts);
      return all.length > notesBefore && all.at(-1)?.text?.includes(":white_check_mark:") ? all : undefined;
    }, 10_000);
    expect(notes.at(-1)?.text).toContain("applied");
    await until(() => world.app.graydesk.outbox.pending().length === 0, 10_000);
    const audit = (await world.app.graydesk.audit.readAll()).filter((r) => r.detail?.requestId === id);
    expect(audit.map((r) => r.kind)).toEqual(["requested", "approved", "applying", "applied"]);
  }

  it.each([
    ["503 for every call", () => world.api.setDown(true)],
    ["connections dropped", () => world.api.setDown("drop")],
  ])(
    "%s: the VirtualService is patched once, at once; messages arrive when Slack is back",
    async (_name, fail) => {
      const { request, id, deliveredBeforeMove, notesBefore, writes } = await approveWhileSlackFails(fail);
      expect(deliveredBeforeMove).toBe(0);
      await world.app.graydesk.deps.inFlight.drain(5_000);
      expect(virtualServiceWrites(world.kube) - writes).toBe(1);
      expect(world.app.graydesk.outbox.pending().length).toBeGreaterThan(0);
      world.api.setDown(false);
      await expectDeliveredAfterwards(request, id, notesBefore);
      expect(virtualServiceWrites(world.kube) - writes).toBe(1);
    },
  );

  it("429 with Retry-After on chat.update and chat.postMessage: applied once, delivered after the wait", async () => {
    const { request, id, deliveredBeforeMove, notesBefore, writes } = await approveWhileSlackFails(() => {
      world.api.failNext("chat.update", { status: 429, retryAfter: 1 }, 4);
      world.api.failNext("chat.postMessage", { status: 429, retryAfter: 1 }, 2);
    });
    expect(deliveredBeforeMove).toBe(0);
    await expectDeliveredAfterwards(request, id, notesBefore);
    expect(virtualServiceWrites(world.kube) - writes).toBe(1);
    const limited = world.api.calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
  });

  it("an approval request asked for while Slack is down is posted once Slack is back, with its buttons", async () => {
    world.api.setDown(true);
    const before = approvalMessage(world.api)?.ts;
    await world.app.slack.command("/release", "shift reviews-slack 33", { user: ALICE });
    await until(() => world.app.graydesk.outbox.pending().some((e) => e.message.kind === "post"));
    const pending = world.app.graydesk.deps.approvals.gate.pendingFor(
      world.app.graydesk.deps.desk.jobs().find((j) => j.name === "reviews-slack")?.id as string,
    );
    expect(pending).toHaveLength(1);
    world.api.setDown(false);
    const posted = await until(() => {
      const m = approvalMessage(world.api);
      return m && m.ts !== before ? m : undefined;
    });
    await until(() => world.app.graydesk.outbox.pending().length === 0);
    // Where it landed is recorded, so the decision redraws it.
    const id = pending[0]?.id as string;
    await until(() => (world.app.graydesk.deps.approvals.gate.get(id)?.messages.length ?? 0) === 2);
    await world.app.slack.clickButton(posted, "approval_approve", { user: BOB });
    await until(() =>
      JSON.stringify(world.api.message(posted.channel, posted.ts)?.blocks).includes("Applied by"),
    );
    expect(await reviewsWeights(world.kube)).toEqual({ v1: 67, v2: 33 });
  });
});

describe("the outbox against the Slack test server", () => {
  let api: SlackApiServer;
  const fresh = () => tempDir("graydesk-outbox-");
  const open = (store: Store) =>
    new SlackOutbox({
      client: new WebClient(api.bot.token, { slackApiUrl: api.url, retryConfig: { retries: 0 } }),
      store,
      logger: quiet,
      retry: { firstMs: 10, maxMs: 40 },
      pollMs: 10,
    });

  beforeAll(async () => {
    api = await startSlackApiServer();
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => api.reset());

  it("sends at once while Slack is up, keeping nothing", async () => {
    const outbox = open(await openFileStore(fresh()));
    const ts = await outbox.send({ kind: "post", channel: CHANNEL, text: "hello" });
    expect(ts).toBeDefined();
    expect(api.message(CHANNEL, ts as string)?.text).toBe("hello");
    expect(outbox.pending()).toEqual([]);
  });

  it("keeps thread notes while Slack is down and delivers them in order when it is back", async () => {
    const outbox = open(await openFileStore(fresh()));
    const parent = (await outbox.send({ kind: "post", channel: CHANNEL, text: "card" })) as string;
    api.setDown(true);
    for (let i = 1; i <= 5; i++)
      expect(await outbox.send({ kind: "post", channel: CHANNEL, text: `note ${i}`, threadTs: parent })).toBe(
        undefined,
      );
    expect(outbox.pending()).toHaveLength(5);
    outbox.start();
    api.setDown(false);
    await until(() => outbox.pending().length === 0);
    await outbox.stop();
    const notes = api.messages(CHANNEL).filter((m) => m.thread_ts === parent);
    expect(notes.map((m) => m.text)).toEqual(["note 1", "note 2", "note 3", "note 4", "note 5"]);
  });

  it("a message sent while older ones of its channel wait queues behind them instead of overtaking", async () => {
    const outbox = open(await openFileStore(fresh()));
    api.setDown("drop");
    await outbox.send({ kind: "post", channel: CHANNEL, text: "first" });
    api.setDown(false);
    expect(await outbox.send({ kind: "post", channel: CHANNEL, text: "second" })).toBeUndefined();
    await until(async () => (await outbox.deliverDue()) >= 0 && outbox.pending().length === 0);
    expect(api.messages(CHANNEL).map((m) => m.text)).toEqual(["first", "second"]);
  });

  it("coalesces updates of one message to the latest content", async () => {
    const outbox = open(await openFileStore(fresh()));
    const ts = (await outbox.send({ kind: "post", channel: CHANNEL, text: "v0" })) as string;
    api.setDown(true);
    for (const text of ["v1", "v2", "v3"]) await outbox.send({ kind: "update", channel: CHANNEL, ts, text });
    expect(outbox.pending()).toHaveLength(1);
    api.setDown(false);
    await until(async () => {
      await outbox.deliverDue();
      return outbox.pending().length === 0;
    });
    expect(api.callsTo("chat.update").map((c) => c.args.text)).toEqual(["v3"]);
    expect(api.message(CHANNEL, ts)?.text).toBe("v3");
  });

  it("what Slack could not take survives a restart and runs its after-post handler", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    const first = open(store);
    api.setDown(true);
    await first.send(
      { kind: "post", channel: CHANNEL, text: "approval" },
      { handler: "seen", data: { id: "r1" } },
    );
    await first.stop();
    await store.close();

    const reopened = await openFileStore(dir);
    const second = open(reopened);
    const seen: string[] = [];
    second.onPosted("seen", async (data, at) => void seen.push(`${data.id}@${at.channel}/${at.ts}`));
    api.setDown(false);
    second.start();
    await until(() => second.pending().length === 0);
    await second.stop();
    const [message] = api.messages(CHANNEL);
    expect(message?.text).toBe("approval");
    expect(seen).toEqual([`r1@${CHANNEL}/${message?.ts}`]);
  });

  it("drops a message Slack refuses for good (channel gone) instead of retrying it forever", async () => {
    const outbox = open(await openFileStore(fresh()));
    api.setDown(true);
    await outbox.send({ kind: "post", channel: CHANNEL, text: "doomed" });
    api.setDown(false);
    api.failNext("chat.postMessage", "channel_not_found");
    await until(async () => (await outbox.deliverDue()) === 0 && outbox.pending().length === 0);
    expect(api.callsTo("chat.postMessage").map((c) => c.response)).toEqual([
      { ok: false, error: "channel_not_found" },
    ]);
    await expect(outbox.send({ kind: "update", channel: CHANNEL, ts: "1.2", text: "x" })).rejects.toThrow(
      /message_not_found/,
    );
  });
});
