// An admission webhook or an aggregated API can put anything in a refusal's Status message: `<!channel>`,
// `<@U…>`, a fake `<https://…|link>`. Graydesk shows that text to people (the thread, the card, the approver's
// and the retrier's private replies) as data: escaped exactly once, so it pings, mentions and links nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  createReviewsJob,
  reviewsWeights,
  startWorld,
  until,
  type World,
} from "../slack/desk/world.ts";
import { blockTexts } from "./mrkdwn-texts.ts";

const HOSTILE =
  'admission webhook "guard.example.com" denied the request: <!channel> ask <@U0CAROL> at <https://evil.example.com|click here> & now';
const ESCAPED =
  'admission webhook "guard.example.com" denied the request: &lt;!channel&gt; ask &lt;@U0CAROL&gt; at &lt;https://evil.example.com|click here&gt; &amp; now';

let world: World;
let jobId: string;

beforeAll(async () => {
  world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  jobId = (await createReviewsJob(world, "reviews-hostile")).id;
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.kube.faults.clear());

/** Every mrkdwn text of a message or reply: its `text` and its blocks' texts. */
function texts(message: { text?: unknown; blocks?: unknown }): string[] {
  return [...(typeof message.text === "string" ? [message.text] : []), ...blockTexts(message)];
}

/** The refusal is there, escaped once, and nothing of it is live mrkdwn. */
function expectEscapedOnce(where: string, all: string[]): void {
  const joined = all.join("\n");
  expect(joined, where).toContain(ESCAPED);
  expect(joined, where).not.toContain("<!channel>");
  expect(joined, where).not.toContain("<@U0CAROL>");
  expect(joined, where).not.toContain("<https://evil");
  expect(joined, where).not.toContain("&amp;lt;");
  expect(joined, where).not.toContain("&amp;amp;");
  expect(joined, where).not.toMatch(/&(?!amp;|lt;|gt;)/);
}

function card(): StoredMessage {
  const at = world.app.graydesk.deps.cards.where(jobId);
  return world.api.message(CHANNEL, at?.ts as string) as StoredMessage;
}

describe("a webhook's hostile refusal of a Graydesk write", () => {
  it("reaches the thread, the card, the request and the approver escaped once; Retry's reply too", async () => {
    const before = await reviewsWeights(world.kube);
    const fault = {
      kind: "status",
      status: 500,
      verb: "patch",
      resource: "virtualservices",
      message: HOSTILE,
    } as const;
    await world.app.slack.command("/release", "shift reviews-hostile 30", { user: ALICE });
    const request = await until(() => approvalMessage(world.api));
    world.kube.faults.add(fault);
    const repliesBefore = world.api.calls.length;
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() => world.app.graydesk.deps.desk.job(jobId)?.state === "failed", 10_000);
    expect(await reviewsWeights(world.kube)).toEqual(before);
    // The job keeps the refusal as plain text, as it came; its views escape it.
    expect(world.app.graydesk.deps.desk.job(jobId)?.failure?.reason).toContain(HOSTILE);

    const note = await until(() =>
      world.api.messages(CHANNEL).find((m) => m.thread_ts && String(m.text).includes("was not applied")),
    );
    expectEscapedOnce("the thread's note", texts(note));
    const failedCard = await until(() => {
      const c = card();
      return JSON.stringify(c?.blocks).includes('"job_retry"') ? c : undefined;
    });
    expectEscapedOnce("the job card", texts(failedCard));
    const closed = await until(() => {
      const m = world.api.message(request.channel, request.ts);
      return JSON.stringify(m?.blocks).includes("Failed") ? m : undefined;
    });
    expectEscapedOnce("the approval request", texts(closed));
    const approver = await until(() =>
      world.api.calls
        .slice(repliesBefore)
        .find((c) => c.method === "response_url" && String(c.args.text).includes("applying failed")),
    );
    expectEscapedOnce("the approver's reply", texts(approver.args));

    // Retry resumes the approved plan; refused the same way, the retrier hears why in an error reply.
    world.kube.faults.add(fault);
    const repliesAtRetry = world.api.calls.length;
    await world.app.slack.clickButton(failedCard, "job_retry", { user: BOB });
    const answer = await until(() =>
      world.api.calls
        .slice(repliesAtRetry)
        .find((c) => c.method === "response_url" && String(c.args.text).includes("update failed")),
    );
    expect(String(answer.args.text)).toContain("VirtualService bookinfo/reviews update failed");
    expectEscapedOnce("the retrier's error reply", texts(answer.args));
    expect(await reviewsWeights(world.kube)).toEqual(before);

    // No message Slack received anywhere carries the live mention.
    const leaks = world.api.calls.filter((c) => JSON.stringify(c.args).includes("<!channel>"));
    expect(leaks.map((c) => c.method)).toEqual([]);
  });
});
