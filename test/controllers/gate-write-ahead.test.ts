// Controller gates record their requests and decisions before the store commits them, like Graydesk's own
// approvals: with the audit trail unwritable (a full disk), Flagger's gate call opens no request and stays shut,
// and an approval leaves the request pending; once the trail takes writes, the same request opens and passes.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditLog, AuditWriteError } from "../../src/store/index.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type SlackApiServer, type StoredMessage, startSlackApiServer } from "../harness/slack/index.ts";
import { until } from "../slack/desk/world.ts";

const ALICE = { id: "U0ALICE", name: "alice" };
const BOB = { id: "U0BOB", name: "bob" };
const GATES = "C0GATES";
const TOKEN = "shop-gate-token-2f7a91c4";
const POLICY = new URL("../fixtures/controllers/policy.yaml", import.meta.url).pathname;
const body = readFileSync(
  new URL("../fixtures/controllers/flagger/confirm-promotion.json", import.meta.url),
  "utf8",
);

let api: SlackApiServer;
let app: RunningGraydesk;
let full = false;

const fillable = (audit: AuditLog): AuditLog => ({
  ...audit,
  append: (event) => {
    if (!full) return audit.append(event);
    const enospc = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    return Promise.reject(new AuditWriteError("audit.log", enospc));
  },
  readAll: () => audit.readAll(),
  close: () => audit.close(),
});

beforeAll(async () => {
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB]);
  app = await startTestGraydesk(api, {
    policyFile: POLICY,
    gateTokens: { shop: TOKEN },
    wrapAudit: fillable,
  });
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
});

const flagger = async () =>
  (
    await fetch(`${app.baseUrl}/flagger/confirm-promotion`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    })
  ).status;
const requests = () =>
  Object.values(app.graydesk.store.data().approvals).filter((r) => r.controller === "flagger") as unknown as {
    state: string;
    approvals: unknown[];
  }[];

function card(): StoredMessage | undefined {
  const found = api.messages(GATES).find((m) => JSON.stringify(m.blocks ?? []).includes('"gated_title"'));
  return found && api.message(GATES, found.ts);
}

describe("controller gates with a full audit disk", () => {
  it("open no request and stay shut; an approval leaves the request pending; afterwards both go through", async () => {
    full = true;
    expect(await flagger()).not.toBe(200);
    expect(requests()).toEqual([]);
    full = false;
    expect(await flagger()).toBe(403);
    expect(requests()).toHaveLength(1);

    const message = await until(() => card(), 10_000);
    const blocks = message.blocks as { block_id: string; type: string }[];
    const actions = blocks.find((b) => b.type === "actions" && b.block_id.startsWith("gated_"))?.block_id;
    full = true;
    await app.slack.clickButton(message, "gated_approve", {
      user: BOB,
      ...(actions ? { blockId: actions } : {}),
    });
    await until(() =>
      api.calls.find((c) => JSON.stringify(c.args).includes("could not record this in its audit trail")),
    );
    full = false;
    expect(requests()).toMatchObject([{ state: "pending", approvals: [] }]);
    expect(await flagger()).toBe(403);

    await app.slack.clickButton(message, "gated_approve", {
      user: BOB,
      ...(actions ? { blockId: actions } : {}),
    });
    await until(() => (requests()[0]?.state === "applied" ? true : undefined), 10_000);
    expect(await flagger()).toBe(200);
  });
});
