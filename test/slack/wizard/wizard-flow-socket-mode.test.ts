// The wizard over Socket Mode: suggestions, view submissions answered in the ack, buttons and selects reach
// Graydesk as envelopes, and the walk that runs over signed HTTP runs the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketModeServer } from "../../harness/slack/index.ts";
import { startWorld, type World } from "../desk/world.ts";
import { walkWizardToJob } from "./wizard-walk.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld({ socketMode: true });
});
afterAll(async () => {
  await world?.close();
});

describe("/release new canary over Socket Mode", () => {
  it("walks the four tabs and creates the job, each envelope acked once", async () => {
    await walkWizardToJob(world);
    const socket = world.socket as SocketModeServer;
    expect(socket.violations).toEqual([]);
    const kinds = new Set(socket.envelopes.map((e) => `${e.type}:${e.payload.type ?? "command"}`));
    expect(kinds).toEqual(
      new Set([
        "slash_commands:command",
        "interactive:view_submission",
        "interactive:block_suggestion",
        "interactive:block_actions",
      ]),
    );
    for (const envelope of socket.envelopes) expect(envelope.acks).toHaveLength(1);
  });
});
