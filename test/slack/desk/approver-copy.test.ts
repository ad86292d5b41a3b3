// Approvers are told: the approvers-channel copy links to the card and the thread and mentions the namespace's
// approvers; approvers who opted in get a direct message; every copy says what the new version runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, approvalMessage, CHANNEL, createReviewsJob, startWorld, until, type World } from "./world.ts";

const POLICY = new URL("../../fixtures/desk/policy-dms.yaml", import.meta.url).pathname;
let world: World;

beforeAll(async () => {
  world = await startWorld({ policyFile: POLICY });
});
afterAll(async () => {
  await world?.close();
});

const text = (m: { blocks?: unknown } | undefined) => JSON.stringify(m?.blocks ?? []);

describe("an approval request reaches its approvers", () => {
  it("says what the new version runs, links the copies to the card and thread, and DMs who opted in", async () => {
    await createReviewsJob(world, "reviews-told");
    await world.app.slack.command("/release", "shift bookinfo/reviews-told 10", { user: ALICE });
    const inThread = await until(() => approvalMessage(world.api));
    const card = world.api.messages(CHANNEL).find((m) => text(m).includes("job_card_title"));
    expect(inThread.thread_ts).toBe(card?.ts);
    // Who asks, what changes, and what the new version is, before anything else.
    const blocks = inThread.blocks as { block_id?: string; text?: { text: string } }[];
    expect(blocks.slice(0, 3).map((b) => b.block_id)).toEqual([
      "approval_title",
      "approval_summary",
      "approval_new_version",
    ]);
    expect(blocks[2]?.text?.text).toBe(
      "*New version* `v2` runs `kubesphere/example-bookinfo-reviews-v2:1.16.2`",
    );
    expect(text(inThread)).not.toContain("approval_links");

    const copy = await until(() => approvalMessage(world.api, "C0APPROVERS"));
    const links = (copy.blocks as { block_id?: string; elements?: { text: string }[] }[]).find(
      (b) => b.block_id === "approval_links",
    );
    const cardLink = `https://slack.com/archives/${CHANNEL}/p${card?.ts.replace(".", "")}`;
    const threadLink = `https://slack.com/archives/${CHANNEL}/p${inThread.ts.replace(".", "")}?thread_ts=${card?.ts}&cid=${CHANNEL}`;
    expect(links?.elements?.[0]?.text).toBe(
      `<@U0BOB> <@U0DAVE> <!subteam^S0RELEASE>: your approval is asked. Open the <${cardLink}|job card> · <${threadLink}|request in the job's thread>.`,
    );
    expect(copy.text).toContain("<@U0BOB> <@U0DAVE> <!subteam^S0RELEASE>");

    // Dave opted in; Alice did too, but she asked, so she is not asked to approve her own change.
    const dm = await until(() => approvalMessage(world.api, "U0DAVE"));
    expect(text(dm)).toContain(threadLink);
    expect(approvalMessage(world.api, ALICE.id)).toBeUndefined();
    world.api.expectNoViolations();
  });
});
