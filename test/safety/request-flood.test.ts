// 500 unsigned 10 MB posts at once against the real entry point (no signature, a forged one with the size
// declared, a forged one chunked): each is answered 4xx without its body being held, memory stays bounded, and
// signed commands sent at the same time are still acked within Slack's 3 s. Figures: bench/request-flood.ts.
// The peak is the process's own high-water mark (VmHWM) over the flood, started over when the flood starts, so
// it counts what the process holds (idle, ~180 MB) plus what the flood costs (the first read of each refused
// connection, ~64 KiB each, and its objects), not start-up's transient. 500 bodies read before their signature
// would take gigabytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROCESS_START_MS } from "../harness/entry-point.ts";
import { unreachableKubeconfig } from "../harness/graydesk.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { type Replica, startReplica } from "../replicas/replica-process.ts";
import { POLICY } from "../slack/desk/world.ts";
import { floodGraydesk } from "./request-flood.ts";

let api: SlackApiServer;
let graydesk: Replica;

beforeAll(async () => {
  api = await startSlackApiServer();
  graydesk = await startReplica("flood", {
    api,
    botToken: api.bot.token,
    kubeconfig: unreachableKubeconfig(),
    policyFile: POLICY,
    leaseDurationSeconds: 15,
    store: "lowdb",
  });
}, PROCESS_START_MS + 30_000);
afterAll(async () => {
  await graydesk?.kill();
  await api?.close();
});

describe("unsigned request flood", () => {
  it("500 concurrent 10 MB posts: each answered 4xx, memory bounded, signed commands acked within 3 s", async () => {
    const figures = await floodGraydesk(graydesk, { count: 500, bytes: 10 * 1024 * 1024, signed: 20 });
    const statuses = figures.answers.map((a) => ("status" in a ? a.status : a.error));
    expect(statuses.filter((s) => typeof s !== "number" || s < 400 || s >= 500)).toEqual([]);
    console.info(
      JSON.stringify({
        idleMb: figures.rssBeforeMb,
        floodPeakMb: figures.peakRssMb,
        startPeakMb: figures.startPeakRssMb,
      }),
    );
    expect(figures.peakRssMb).toBeLessThan(250);
    expect(figures.acks).toHaveLength(20);
    for (const ack of figures.acks) {
      expect(ack.status).toBe(200);
      expect(ack.ms).toBeLessThan(3_000);
    }
  }, 120_000);
});
