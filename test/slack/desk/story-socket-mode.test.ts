import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketModeServer } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { playBookinfoStory } from "./bookinfo-story.ts";
import { ALICE, startWorld, type World } from "./world.ts";

let world: World;
let socket: SocketModeServer;

beforeAll(async () => {
  world = await startWorld({ socketMode: true });
  socket = world.socket as SocketModeServer;
});
afterAll(async () => {
  await world?.close();
});

describe("seed 004 over Socket Mode: the story that runs over HTTP runs over the socket", () => {
  it("acks every envelope once and loses nothing when Slack asks for a fresh connection mid-story", async () => {
    expect(socket.connectionCount()).toBe(1);
    // Through SLACK_API_URL: the Socket Mode client asked the test server for its URL with the app token.
    const opened = world.api.callsTo("apps.connections.open");
    expect(opened.map((c) => c.token)).toEqual([socket.appToken]);

    await playBookinfoStory(world, async (step) => {
      // After the first change is applied Slack recycles the connection; the next command is sent at once and
      // reaches the app's new connection.
      if (step === 0) socket.disconnect("refresh_requested");
      // Later a status command is on its way when Slack warns the connection is going: it is still answered.
      if (step === 1) {
        const status = world.app.slack.command("/release", "status reviews-v2", { user: ALICE });
        socket.disconnect("warning");
        expect((await status).ackMs).toBeLessThan(ACK_BOUND_MS);
        await world.api.waitFor("response_url", (c) => JSON.stringify(c.args).includes("reviews-v2"));
      }
    });

    expect(socket.connectionCount()).toBe(3);
    expect(socket.violations).toEqual([]);
    // config + status + 4 × (command, approve click); each acked exactly once, none late.
    expect(socket.envelopes).toHaveLength(10);
    for (const envelope of socket.envelopes) {
      expect(envelope.acks, `${envelope.type} ${JSON.stringify(envelope.payload).slice(0, 80)}`).toHaveLength(
        1,
      );
      expect(envelope.ackMs).toBeLessThan(ACK_BOUND_MS);
    }
    const commands = socket.envelopes.filter((e) => e.type === "slash_commands").map((e) => e.payload.text);
    expect(commands.slice(1)).toEqual([
      expect.stringMatching(/^new canary/),
      "shift reviews-v2 v1=20 v2=80",
      "status reviews-v2",
      "takeover reviews-v2 v2",
      "offline reviews-v2",
    ]);
    // The shift went over the new connection.
    const shift = socket.envelopes.find((e) => e.payload.text === "shift reviews-v2 v1=20 v2=80");
    expect(shift?.sentOn).toEqual([2]);
  });
});
