import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";

const ALICE = { id: "U0ALICE", name: "alice" };
const BOB = { id: "U0BOB", name: "bob" };
const CAROL = { id: "U0CAROL", name: "carol" };
const GATES = "C0GATES";
const TOKEN = "shop-gate-token-2f7a91c4";
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/controllers/flagger/${name}.json`, import.meta.url), "utf8");
const POLICY = new URL("../fixtures/controllers/policy.yaml", import.meta.url).pathname;

let api: SlackApiServer;
let app: RunningGraydesk;

beforeAll(async () => {
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL]);
  app = await startTestGraydesk(api, { policyFile: POLICY, gateTokens: { shop: TOKEN } });
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
});

/** Calls a gate the way Flagger does: a plain JSON POST, no Slack signature. */
async function flagger(gate: string, body: string, query = ""): Promise<{ status: number; message: string }> {
  const response = await fetch(`${app.baseUrl}/flagger/${gate}${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, message: ((await response.json()) as { message: string }).message };
}

function gateRequests(gate: string) {
  return Object.values(app.graydesk.store.data().approvals).filter(
    (r) => r.controller === "flagger" && r.gate === gate,
  );
}

function card(): StoredMessage {
  const found = api
    .messages(GATES)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes('"gated_title"'))
    .find((m) => JSON.stringify(m.blocks).includes("podinfo"));
  if (!found) throw new Error("no card for podinfo");
  return api.message(GATES, found.ts) as StoredMessage;
}

/** The block id of the actions under a pending request of `gate` on the card. */
function actionsBlockFor(message: StoredMessage, gate: string): string {
  const blocks = message.blocks as { block_id: string; type: string; text?: { text: string } }[];
  const at = blocks.findIndex((b) => b.block_id.startsWith("gated_request_") && b.text?.text.includes(gate));
  const next = blocks[at + 1];
  if (next?.type !== "actions") throw new Error(`no buttons for ${gate}`);
  return next.block_id;
}

async function until<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("Flagger gates, called as Flagger calls them", () => {
  it("opens one request on the first confirm-promotion call and answers 403 to retries without another", async () => {
    const first = await flagger("confirm-promotion", fixture("confirm-promotion"));
    expect(first.status).toBe(403);
    expect(first.message).toContain("approval requested");
    expect(gateRequests("confirm-promotion")).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      const retry = await flagger("confirm-promotion", fixture("confirm-promotion"));
      expect(retry.status).toBe(403);
      expect(retry.message).toContain("waiting for approval");
    }
    expect(gateRequests("confirm-promotion")).toHaveLength(1);
    const posted = await until(() => card());
    const text = JSON.stringify(posted.blocks);
    expect(text).toContain("promote the canary");
    expect(text).toContain("canaryWeight");
    expect(text).toContain("99.4%");
    expect(text).not.toContain(TOKEN);
    expect(
      api.messages(GATES).filter((m) => JSON.stringify(m.blocks ?? []).includes('"gated_title"')),
    ).toHaveLength(1);
    api.expectNoViolations();
  });

  it("refuses an approval by someone the policy does not name, and the gate stays shut", async () => {
    await app.slack.clickButton(card(), "gated_approve", {
      user: CAROL,
      blockId: actionsBlockFor(card(), "promote the canary"),
    });
    await until(() => api.ephemerals(CAROL.id).find((e) => String(e.text).includes("right to approve")));
    expect((await flagger("confirm-promotion", fixture("confirm-promotion"))).status).toBe(403);
  });

  it("answers 200 after the approval, and keeps answering 200 for that checksum", async () => {
    await app.slack.clickButton(card(), "gated_approve", {
      user: BOB,
      blockId: actionsBlockFor(card(), "promote the canary"),
    });
    await until(() => (gateRequests("confirm-promotion")[0]?.state === "applied" ? true : undefined));
    const passed = await flagger("confirm-promotion", fixture("confirm-promotion"));
    expect(passed).toEqual({ status: 200, message: "confirm-promotion of shop/podinfo approved by U0BOB" });
    expect((await flagger("confirm-promotion", fixture("confirm-promotion"))).status).toBe(200);
    expect(gateRequests("confirm-promotion")).toHaveLength(1);
    // The audit record of the outcome follows the request's closing: wait for it.
    const audit = await until(async () => {
      const all = (await app.graydesk.audit.readAll()).filter((r) => r.detail?.controller === "flagger");
      return all.some((r) => r.kind === "applied") ? all : undefined;
    });
    expect(audit.map((r) => [r.kind, r.actor])).toEqual([
      ["requested", "flagger"],
      ["approved", BOB.id],
      ["applied", BOB.id],
    ]);
  });

  it("opens a new request for a new checksum (a new revision)", async () => {
    const next = await flagger("confirm-promotion", fixture("confirm-promotion-next-revision"));
    expect(next.status).toBe(403);
    const requests = gateRequests("confirm-promotion");
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => [r.revision, r.state])).toEqual([
      ["7c9f5d6b8c", "applied"],
      ["5b8e01aa93", "pending"],
    ]);
    expect((await flagger("confirm-promotion", fixture("confirm-promotion-next-revision"))).status).toBe(403);
  });

  it.each([
    ["a wrong token in the metadata", "confirm-promotion", fixture("confirm-promotion-wrong-token"), "", 401],
    ["no token at all", "confirm-rollout", fixture("confirm-rollout-no-metadata"), "", 401],
    [
      "a wrong token in the URL",
      "confirm-rollout",
      fixture("confirm-rollout-no-metadata"),
      "?token=shop-gate-token-99999999",
      401,
    ],
    [
      "a namespace with no token",
      "confirm-promotion",
      fixture("confirm-promotion").replace('"shop"', '"other"'),
      "",
      403,
    ],
  ])("refuses %s and changes nothing", async (_case, gate, body, query, status) => {
    const before = JSON.stringify(app.graydesk.store.data());
    const slackCalls = api.calls.length;
    const audited = (await app.graydesk.audit.readAll()).length;
    const answer = await flagger(gate, body, query);
    expect(answer.status).toBe(status);
    expect(answer.message).not.toContain(TOKEN);
    expect(JSON.stringify(app.graydesk.store.data())).toBe(before);
    expect(api.calls.length).toBe(slackCalls);
    expect((await app.graydesk.audit.readAll()).length).toBe(audited);
  });

  it("takes the token from the URL when the metadata has none", async () => {
    const answer = await flagger(
      "confirm-rollout",
      fixture("confirm-rollout-no-metadata"),
      `?token=${TOKEN}`,
    );
    expect(answer.status).toBe(403);
    expect(gateRequests("confirm-rollout")).toHaveLength(1);
  });

  it.each([
    ['{"name":"podinfo"', "the body is not JSON"],
    ['{"namespace":"shop","phase":"Progressing","checksum":"x"}', "name: must be the canary's name"],
    ['{"name":"podinfo","namespace":"shop","phase":"Progressing"}', "checksum: must be"],
    [
      '{"name":"podinfo","namespace":"shop","phase":"Progressing","checksum":"x","metadata":{"token":1}}',
      "metadata.token: must be a string",
    ],
  ])("answers 400 naming the field for %s", async (body, problem) => {
    const answer = await flagger("confirm-promotion", body);
    expect(answer.status).toBe(400);
    expect(answer.message).toContain(problem);
  });

  it("answers 403 to a rejected gate and keeps it shut for that checksum", async () => {
    await app.slack.clickButton(card(), "gated_reject", {
      user: BOB,
      blockId: actionsBlockFor(card(), "promote the canary"),
    });
    await until(() => (gateRequests("confirm-promotion")[1]?.state === "rejected" ? true : undefined));
    const answer = await flagger("confirm-promotion", fixture("confirm-promotion-next-revision"));
    expect(answer).toEqual({
      status: 403,
      message: "confirm-promotion of shop/podinfo was rejected by U0BOB",
    });
    expect(gateRequests("confirm-promotion")).toHaveLength(2);
  });

  it("answers 200 to rollback only after a rollback request is approved", async () => {
    const before = await flagger("rollback", fixture("rollback-waiting-promotion"));
    expect(before.status).toBe(403);
    expect(gateRequests("rollback")).toHaveLength(0);
    await app.slack.clickButton(card(), "gated_request_rollback", { user: ALICE });
    await until(() => gateRequests("rollback")[0]);
    // The card shows the request with its buttons once its redraw reached Slack.
    await until(() => (JSON.stringify(card().blocks).includes("roll back the canary*.") ? true : undefined));
    expect((await flagger("rollback", fixture("rollback-waiting-promotion"))).status).toBe(403);
    // The person who asked may not approve it.
    await app.slack.clickButton(card(), "gated_approve", {
      user: ALICE,
      blockId: actionsBlockFor(card(), "roll back"),
    });
    await until(() =>
      api.ephemerals(ALICE.id).find((e) => String(e.text).includes("someone else must approve")),
    );
    expect((await flagger("rollback", fixture("rollback-waiting-promotion"))).status).toBe(403);
    await app.slack.clickButton(card(), "gated_approve", {
      user: BOB,
      blockId: actionsBlockFor(card(), "roll back"),
    });
    await until(() => (gateRequests("rollback")[0]?.state === "applied" ? true : undefined));
    expect((await flagger("rollback", fixture("rollback-waiting-promotion"))).status).toBe(200);
    await until(() => (JSON.stringify(card().blocks).includes("rolled back") ? true : undefined));
  });

  it("lists the canaries beside Graydesk's own jobs, marked with their controller", async () => {
    await app.slack.command("/release", "list shop", { user: ALICE, channel: { id: GATES, name: "gates" } });
    const reply = await until(() =>
      api.callsTo("response_url").find((c) => JSON.stringify(c.args).includes("Release jobs in")),
    );
    const text = JSON.stringify(reply.args);
    expect(text).toContain("shop/podinfo");
    expect(text).toContain("[Flagger] canary");
    expect(text).toContain("shop/frontend");
  });
});
