// Finding 8: text typed into the Shift modal's conditions reached the approval title, the plan summary and the job
// card unescaped: `<!channel>` pinged everyone, `<@U…>` mentioned someone, `<http://evil|text>` faked a link and
// a ``` broke out of the code block. One escape now covers every such interpolation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  startWorldWithReviewsJob,
  until,
  type World,
} from "../slack/desk/world.ts";
import { blockTexts } from "./mrkdwn-texts.ts";

let world: World;

beforeAll(async () => {
  world = await startWorldWithReviewsJob("reviews-inject");
});
afterAll(async () => {
  await world?.close();
});

const TYPED = [
  "header:x-everyone=<!channel>",
  "header:x-who=<@U0CAROL>",
  "header:x-link=<http://evil.example.com|click-me>",
  "header:x-amp=fish&chips",
  "header:x-code=```</code>```",
];

/** Every mrkdwn text of a message, section by section. */
const texts = (message: StoredMessage): string[] => blockTexts(message);

function expectInert(message: StoredMessage): void {
  const all = texts(message);
  const joined = all.join("\n");
  expect(joined).not.toContain("<!channel>");
  expect(joined).not.toContain("<@U0CAROL>");
  expect(joined).not.toContain("<http://evil");
  expect(joined).not.toMatch(/&(?!amp;|lt;|gt;)/);
  expect(joined).toContain("&lt;!channel&gt;");
  expect(joined).toContain("&lt;@U0CAROL&gt;");
  expect(joined).toContain("&lt;http://evil.example.com|click-me&gt;");
  expect(joined).toContain("fish&amp;chips");
  // A code block opens at the start of its text and closes at the end; nothing typed closes it earlier.
  for (const text of all) {
    const fences = text.split("```").length - 1;
    if (fences > 0) {
      expect(fences).toBe(2);
      expect(text.endsWith("```")).toBe(true);
    }
  }
}

const card = () =>
  world.api
    .messages(CHANNEL)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes('"job_card_title"'))
    .map((m) => world.api.message(CHANNEL, m.ts) as StoredMessage)
    .at(-1) as StoredMessage;

describe("finding 8: Slack formatting typed into the Shift modal", () => {
  it("shows as typed in the approval title, the plan summary and the card, and pings no one", async () => {
    const { slack } = world.app;
    await slack.clickButton(card(), "job_shift", { user: ALICE });
    const opened = await world.api.waitFor("views.open");
    const modal = world.api.view((opened.response as { view: { id: string } }).view.id);
    const submitted = await slack.submitView(
      modal as never,
      { shift_traffic: { shift_traffic_value: TYPED.join(" ") } },
      { user: ALICE },
    );
    expect(submitted.status).toBe(200);
    const request = await until(() => approvalMessage(world.api));
    expectInert(request);
    const [title] = texts(request);
    // The plan summary is the block that words the change; blocks above it (new version, verdict) vary.
    const summary = texts(request).find((t) => t.includes("requests with header")) ?? "";
    expect(title).toContain("asks to *shift traffic to header x-everyone = &lt;!channel&gt; and");
    expect(summary).toContain(
      "requests with header x-everyone = &lt;!channel&gt; and header x-who = &lt;@U0CAROL&gt;",
    );
    expect(summary).toContain("header x-code = `\u200b`\u200b`&lt;/code&gt;`\u200b`\u200b`");
    // The card lists the waiting request in the same words.
    await until(() => JSON.stringify(card().blocks).includes("Waiting for approval"));
    expectInert(card());

    await slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() => JSON.stringify(card().blocks).includes("requests with header x-everyone"));
    const after = card();
    expectInert(after);
    const split = texts(after).find((t) => t.includes("requests with header"));
    expect(split?.startsWith("```")).toBe(true);
    const leaks = world.api.messages().filter((m) => JSON.stringify(m).includes("<!channel>"));
    expect(leaks.map((m) => m.text)).toEqual([]);
  });
});
