// Words and times for people: the Bookinfo story, then a release refused and rejected with a reason, Home,
// history, status, list, a digest and Show objects, and every surface the Slack test server recorded is read for raw event kinds, ISO/UTC times and internal ids.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { surfaceLeaks } from "../../views/surface-words.ts";
import { playBookinfoStory } from "./bookinfo-story.ts";
import { ALICE, approvalMessage, BOB, CAROL, CHANNEL, startWorld, until, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Every Web API call and response_url post that puts something in front of a person. */
const SURFACES = [
  "chat.postMessage",
  "chat.update",
  "chat.postEphemeral",
  "response_url",
  "views.open",
  "views.push",
  "views.update",
  "views.publish",
];

/** Generous: a loaded machine answers slowly, and nothing here is about speed. */
const WAIT = 60_000;
const settle = () => until(() => world.app.graydesk.deps.inFlight.size === 0, WAIT);

describe("every surface of the Bookinfo story speaks in people's words", () => {
  it("has no raw event kinds, ISO or UTC times, or internal ids in any message, update, ephemeral, modal or Home", async () => {
    await playBookinfoStory(world);
    const { slack } = world.app;
    // One more release, refused and rejected: an ephemeral refusal, the Reject dialog and a reason in the thread.
    await slack.command(
      "/release",
      "new canary bookinfo/reviews name=reviews-v3 version=v3 image=kubesphere/example-bookinfo-reviews-v3:1.16.2 weight=10",
      { user: ALICE },
    );
    const asked = await until(() => {
      const m = approvalMessage(world.api);
      return m && JSON.stringify(m.blocks).includes("reviews-v3") ? m : undefined;
    }, WAIT);
    await slack.clickButton(asked, "approval_approve", { user: CAROL });
    await until(() => world.api.ephemerals(CAROL.id)[0], WAIT);
    await slack.clickButton(asked, "approval_reject", { user: BOB });
    const dialog = await until(() => world.api.views().find((v) => v.callback_id === "reject_modal"), WAIT);
    await slack.submitView(
      dialog,
      { reject_reason: { reject_reason_value: "v3 waits for the load test" } },
      {
        user: BOB,
      },
    );
    await world.api.waitFor(
      "chat.postMessage",
      (c) => String(c.args.text).includes("<@U0BOB> rejected"),
      WAIT,
    );
    await slack.appHomeOpened({ user: BOB });
    await slack.appHomeOpened({ user: ALICE });
    for (const text of [
      "history bookinfo/reviews-v2",
      "status bookinfo/reviews-v2",
      "list bookinfo",
      "digest now",
    ])
      await slack.command("/release", text, { user: ALICE });
    // The full YAML behind Show objects: the card's (read from the cluster) and a request's (the plan's).
    const find = (id: string) =>
      world.api.messages(CHANNEL).find((m) => JSON.stringify(m.blocks ?? []).includes(`"${id}"`));
    const card = find("job_card_title") as StoredMessage;
    await slack.clickButton(world.api.message(CHANNEL, card.ts) as StoredMessage, "job_show_objects", {
      user: BOB,
    });
    const request = find("approval_show_objects") as StoredMessage;
    await slack.clickButton(
      world.api.message(CHANNEL, request.ts) as StoredMessage,
      "approval_show_objects",
      {
        user: BOB,
      },
    );
    await world.api.waitFor("views.update", undefined, WAIT);
    await world.api.waitFor(
      "chat.postMessage",
      (c) => String(c.args.text).startsWith("Release digest"),
      WAIT,
    );
    await settle();

    const calls = world.api.calls.filter((c) => SURFACES.includes(c.method));
    // Each kind of surface was really drawn and read (ephemeral answers to presses go by response_url).
    const drawn = new Set(calls.map((c) => c.method));
    const kinds = [
      "chat.postMessage",
      "chat.update",
      "response_url",
      "views.open",
      "views.update",
      "views.publish",
    ];
    expect(kinds.filter((k) => !drawn.has(k))).toEqual([]);
    expect(world.api.ephemerals(CAROL.id).length).toBeGreaterThan(0);
    expect(calls.length).toBeGreaterThan(30);
    const found = calls.flatMap((c) => surfaceLeaks(c.args).map((leak) => `${c.method}: ${leak}`));
    expect([...new Set(found)]).toEqual([]);
    world.api.expectNoViolations();
  }, 300_000);
});
