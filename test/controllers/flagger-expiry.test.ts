import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";

const TOKEN = "shop-gate-token-2f7a91c4";
const POLICY = new URL("../fixtures/controllers/policy.yaml", import.meta.url).pathname;
const body = readFileSync(
  new URL("../fixtures/controllers/flagger/confirm-promotion.json", import.meta.url),
  "utf8",
);

let api: SlackApiServer;
let app: RunningGraydesk;
const clock = { now: Date.parse("2026-12-06T01:00:00Z") };

beforeAll(async () => {
  api = await startSlackApiServer();
  app = await startTestGraydesk(api, {
    policyFile: POLICY,
    gateTokens: { shop: TOKEN },
    clock: () => new Date(clock.now),
  });
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
});

const call = async () =>
  (await fetch(`${app.baseUrl}/flagger/confirm-promotion`, { method: "POST", body })).status;
const requests = () =>
  Object.values(app.graydesk.store.data().approvals).filter((r) => r.controller === "flagger");

describe("a Flagger gate nobody decided in time", () => {
  it("asks again at Flagger's next call once the policy's expiry (30 minutes) has passed", async () => {
    expect(await call()).toBe(403);
    clock.now += 29 * 60_000;
    expect(await call()).toBe(403);
    expect(requests()).toHaveLength(1);
    clock.now += 2 * 60_000;
    expect(await call()).toBe(403);
    expect(requests().map((r) => r.state)).toEqual(["stale", "pending"]);
    expect(requests()[0]?.outcome).toBe("superseded by a newer request");
  });
});
