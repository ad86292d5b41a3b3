// The guard in front of Bolt refuses what is not Slack before reading (or while reading) the body.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT, checkHeaders, guardSlackRequests } from "../../src/slack/request-guard.ts";
import { signedHeaders } from "../harness/slack/index.ts";

const SECRET = "guard-test-secret";
const NOW = 1_800_000_000_000;
let server: Server;
let url: string;
let passed = 0;

beforeAll(async () => {
  const next = (_req: unknown, res: { writeHead(s: number): { end(): void } }) => {
    passed += 1;
    res.writeHead(200).end();
  };
  server = createServer(guardSlackRequests(next as never, { signingSecret: SECRET, now: () => NOW }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
// A refused upload leaves its connection half-read: closed here, not left to the server's idle timeouts.
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const COMMAND = "command=%2Frelease&text=help";

function post(body: string, headers: Record<string, string>, declare = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    if (!declare) req.setHeader("transfer-encoding", "chunked");
    req.end(body);
  });
}

const signed = (body: string, at = NOW, extra: Record<string, string> = {}) => ({
  "content-type": "application/x-www-form-urlencoded",
  ...signedHeaders(SECRET, body, at),
  ...extra,
});

describe("request guard", () => {
  it("passes a signed Slack request on", async () => {
    const before = passed;
    expect(await post(COMMAND, signed(COMMAND))).toBe(200);
    expect(passed).toBe(before + 1);
  });

  it.each([
    ["six minutes old", NOW - 6 * 60_000],
    ["six minutes in the future", NOW + 6 * 60_000],
  ])("refuses a correctly signed request %s", async (_name, at) => {
    expect(await post(COMMAND, signed(COMMAND, at))).toBe(401);
  });

  it("refuses a forged signature, a missing one and a malformed timestamp", async () => {
    const forged = { ...signed(COMMAND), "x-slack-signature": `v0=${"1".repeat(64)}` };
    expect(await post(COMMAND, forged)).toBe(401);
    expect(await post(COMMAND, { "content-type": "application/x-www-form-urlencoded" })).toBe(401);
    expect(await post(COMMAND, { ...signed(COMMAND), "x-slack-request-timestamp": "1e9" })).toBe(401);
  });

  it("refuses a body declared over the limit, or not declared, before reading it", async () => {
    const big = "a".repeat(BODY_LIMIT + 1);
    expect(await post(big, signed(big))).toBe(413);
    expect(await post(COMMAND, signed(COMMAND), false)).toBe(411);
  });

  it.each([
    [NOW / 1000, true],
    [NOW / 1000 + 299, true],
    [NOW / 1000 - 301, false],
    [NOW / 1000 + 301, false],
  ])("timestamp %d is inside the window: %s", (stamp, ok) => {
    const headers = {
      "x-slack-signature": `v0=${"a".repeat(64)}`,
      "x-slack-request-timestamp": String(stamp),
    };
    expect(checkHeaders({ headers }, NOW).ok).toBe(ok);
  });
});
