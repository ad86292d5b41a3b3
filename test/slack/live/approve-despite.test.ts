// Approving more traffic for a failing new version, through the real receiver with recorded Prometheus answers
// (v2 succeeds on 81 % of requests): the request shows ❌ first, a plain Approve is refused and changes nothing,
// "Approve despite failing analysis" applies it and the audit trail says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, BOB, createReviewsJob, reviewsWeights, until } from "../desk/world.ts";
import { type LiveWorld, startLiveWorld } from "./world.ts";

let world: LiveWorld;
let job: ReleaseJob;

beforeAll(async () => {
  world = await startLiveWorld({ prometheus: true });
  job = await createReviewsJob(world, "reviews-despite");
  // Past settling after the routes were set: the first check is judged.
  world.clock.advance(5 * 60_000);
  await world.app.graydesk.refresher.refreshNow();
});
afterAll(async () => {
  await world?.close();
});

type Block = {
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string }[];
};
const blocksOf = (m: StoredMessage) => (m.blocks ?? []) as Block[];
/** The buttons of the message's actions block (the request's Approve/Reject, the breach's Request rollback). */
const actionIds = (m: StoredMessage) =>
  blocksOf(m)
    .filter((b) => b.block_id === "approval_actions" || b.block_id === "breach_actions")
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.action_id);
const approved = async () =>
  (await world.app.graydesk.audit.readAll()).filter((r) => r.kind === "approved" && r.job === job.name);

describe("approving despite a failing analysis", () => {
  it("shows the verdict first, refuses a plain Approve, and records the second confirmation", async () => {
    await world.app.slack.command("/release", "shift reviews-despite 20", { user: ALICE });
    const request = await until(() => approvalMessage(world.api), 10_000);
    // Who asks, what changes and the new version come first; then the verdict, before any step.
    expect(blocksOf(request)[3]?.block_id).toBe("approval_verdict");
    expect(blocksOf(request)[3]?.text?.text).toBe(
      [
        "*Analysis:* the new version fails, and this change gives it more traffic.",
        ":x: *v2* fails (2 failed checks in a row): v2: 81.0 % of requests succeeded, below the 95.0 % minimum.",
        ":white_check_mark: *v1* (stable) passes: success 100.0 %, p99 61 ms, 6,460 requests in the last check",
      ].join("\n"),
    );
    expect(actionIds(request)).toEqual(["approval_approve_despite", "approval_reject"]);

    const id = String(blocksOf(request).find((b) => b.block_id === "approval_actions")?.elements?.[0]?.value);
    await world.app.slack.blockActions(
      request,
      [
        {
          type: "button",
          action_id: "approval_approve",
          block_id: "approval_actions",
          value: id,
          action_ts: "1",
        },
      ],
      { user: BOB },
    );
    const refusal = await until(() =>
      world.api.ephemerals(BOB.id).find((e) => String(e.text).includes("Approve despite failing analysis")),
    );
    expect(String(refusal.text)).toBe(
      ":no_entry: The new version fails its analysis (v2: 81.0 % of requests succeeded, below the 95.0 % minimum.), and this change gives it more traffic. To go ahead anyway, press *Approve despite failing analysis*; that choice is recorded in the audit trail. Nothing changed.",
    );
    expect((await reviewsWeights(world.kube)).v2 ?? 0).toBe(0);
    expect(await approved()).toEqual([]);

    await world.app.slack.clickButton(request, "approval_approve_despite", { user: BOB });
    await until(async () => ((await reviewsWeights(world.kube)).v2 === 20 ? true : undefined), 10_000);
    const [record] = await approved();
    expect(record).toMatchObject({
      actor: BOB.id,
      detail: {
        requestId: id,
        despiteFailingAnalysis: true,
        analysis: "v2: 81.0 % of requests succeeded, below the 95.0 % minimum.",
      },
    });
    world.api.expectNoViolations();
  });

  it("a rollback is never held back by the analysis", async () => {
    await world.app.slack.command("/release", "rollback reviews-despite", { user: ALICE });
    const request = await until(() => {
      const m = approvalMessage(world.api);
      return m && actionIds(m).includes("approval_approve") ? m : undefined;
    }, 10_000);
    expect(String(blocksOf(request).find((b) => b.block_id === "approval_verdict")?.text?.text)).toMatch(
      /^\*Analysis\* \(checks since the last traffic change\):/,
    );
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(async () => ((await reviewsWeights(world.kube)).v1 === 100 ? true : undefined), 10_000);
  });
});
