// A failing v2 with a real Prometheus scraping the mesh simulator: one breach post naming the verdict and
// mentioning the approvers, none while it stays the same, an approval request that shows ❌ and takes a second
// confirmation, a second post when it gets worse, and the policy's automatic rollback within its N checks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import type { StoredMessage } from "../harness/slack/index.ts";
import { ALICE, approvalMessage, BOB, createReviewsJob, reviewsWeights, until } from "../slack/desk/world.ts";
import {
  type AnalysisWorld,
  analysisPosts,
  blocksOf,
  blockText,
  SETTLE_MS,
  sleep,
  startAnalysisWorld,
} from "./analysis-world.ts";

/** The policy fixture's `autoRollback.afterFailedChecks`. */
const N = 5;
let world: AnalysisWorld;
let job: ReleaseJob;

beforeAll(async () => {
  world = await startAnalysisWorld(29);
  world.mesh.profiles.set("reviews", "v2", { errorRate: 0.2 });
  job = await createReviewsJob(
    {
      kube: world.kube,
      api: world.api,
      app: world.app,
      clock: { now: 0, advance: () => undefined },
      close: async () => undefined,
    },
    "reviews-failing",
  );
}, 120_000);
afterAll(async () => {
  await world?.close();
});

const graydesk = () => world.app.graydesk;
const check = () => graydesk().refresher.refreshNow();
/** The buttons of the message's actions block (the request's Approve/Reject, the breach's Request rollback). */
const actionIds = (m: StoredMessage) =>
  blocksOf(m)
    .filter((b) => b.block_id === "approval_actions" || b.block_id === "breach_actions")
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.action_id);
const audits = async (kind: string) =>
  (await graydesk().audit.readAll()).filter((r) => r.kind === kind && r.job === "reviews-failing");

/** Asks for a change as Alice and returns the new approval request message. */
async function request(command: string): Promise<StoredMessage> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", command, { user: ALICE });
  return until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before && actionIds(m).length > 0 ? m : undefined;
  }, 15_000);
}

describe("analysis of a failing new version against a real Prometheus", () => {
  it("one breach post naming the verdict and mentioning requester and approvers; none while it stays the same", async () => {
    // v2 has no traffic yet, so nothing fails: a plain Approve goes through.
    const shift = await request("shift reviews-failing 20");
    await world.app.slack.clickButton(shift, "approval_approve", { user: BOB });
    await until(async () => ((await reviewsWeights(world.kube)).v2 === 20 ? true : undefined), 15_000);
    // Settling: checks right after the change judge nothing, whatever the rate window still holds.
    await check();
    expect(analysisPosts(world.api)).toEqual([]);
    await sleep(SETTLE_MS);
    await until(async () => {
      await check();
      return analysisPosts(world.api).length > 0 ? true : undefined;
    }, 30_000);
    for (let i = 0; i < 2; i++) {
      await sleep(1_500);
      await check();
    }
    const posts = analysisPosts(world.api);
    expect(posts).toHaveLength(1);
    const text = String(posts[0]?.text);
    expect(text).toMatch(
      /^:rotating_light: Analysis of \*reviews-failing\* fails\n:x: \*v2\* fails \(1 failed check\): v2: \d\d\.\d % of requests succeeded, below the 95\.0 % minimum\./,
    );
    expect(text).toContain("<@U0ALICE> <@U0BOB> <@U0DAVE> <!subteam^S0RELEASE>");
    expect(text).toContain("moves all traffic back by itself after 5 failed checks in a row");
    expect(actionIds(posts[0] as StoredMessage)).toEqual(["breach_request_rollback"]);
  });

  it("an approval request for the failing v2 shows ❌ and refuses a plain Approve without the second confirmation", async () => {
    const shift = await request("shift reviews-failing 50");
    // The verdict comes right after who asks, what changes and what the new version is.
    expect(blocksOf(shift)[3]?.block_id).toBe("approval_verdict");
    expect(blockText(shift, "approval_verdict")).toMatch(
      /^\*Analysis:\* the new version fails, and this change gives it more traffic\.\n:x: \*v2\* fails \(\d+ failed checks?( in a row)?\): v2: \d\d\.\d % of requests succeeded/,
    );
    expect(actionIds(shift)).toEqual(["approval_approve_despite", "approval_reject"]);
    // A plain Approve (an old message, a client without the dialog) is refused and changes nothing.
    const id = String(blocksOf(shift).find((b) => b.block_id === "approval_actions")?.elements?.[0]?.value);
    await world.app.slack.blockActions(
      shift,
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
    expect(String(refusal.text)).toMatch(/^:no_entry: The new version fails its analysis \(v2: /);
    expect((await reviewsWeights(world.kube)).v2).toBe(20);
    expect(await audits("approved")).toHaveLength(1);
    // The second confirmation approves, and the audit trail says it was despite the analysis.
    await world.app.slack.clickButton(shift, "approval_approve_despite", { user: BOB });
    await until(async () => ((await reviewsWeights(world.kube)).v2 === 50 ? true : undefined), 15_000);
    const approved = (await audits("approved")).at(-1);
    expect(approved?.actor).toBe(BOB.id);
    expect(approved?.detail).toMatchObject({ requestId: id, despiteFailingAnalysis: true });
    expect(String(approved?.detail?.analysis)).toMatch(/^v2: \d\d\.\d % of requests succeeded/);
  });

  it("no new post while it stays the same at 50 %, a second post when it drops further, then rollback within N checks", async () => {
    await sleep(SETTLE_MS + 1_000);
    await check();
    await check();
    expect(analysisPosts(world.api)).toHaveLength(1);
    // v2 gets worse: 45 % of its requests fail. Once the rate window holds only that, one check posts it.
    world.mesh.profiles.set("reviews", "v2", { errorRate: 0.45 });
    await sleep(12_000);
    let checks = 2;
    await check();
    checks++;
    const posts = analysisPosts(world.api);
    expect(posts).toHaveLength(2);
    expect(String(posts[1]?.text)).toMatch(
      /^:rotating_light: Analysis of \*reviews-failing\* got worse \(was: v2: \d\d\.\d % of requests succeeded, below the 95\.0 % minimum\.\)\n:x: \*v2\* fails \(3 failed checks in a row\): v2: [4-6]\d\.\d % of requests succeeded/,
    );
    expect(String(posts[1]?.text)).toContain("<@U0BOB> <@U0DAVE> <!subteam^S0RELEASE>");
    // The policy's rollback: all traffic back on v1 after N failed checks in a row, by Graydesk itself.
    while (checks < N + 1 && graydesk().deps.desk.job(job.id)?.state !== "rolled-back") {
      await check();
      checks++;
    }
    expect(checks).toBeLessThanOrEqual(N);
    expect(graydesk().deps.desk.job(job.id)?.state).toBe("rolled-back");
    const weights = await reviewsWeights(world.kube);
    expect(weights.v1).toBe(100);
    expect(weights.v2 ?? 0).toBe(0);
    const [rollback] = await audits("policy.rollback");
    expect(rollback).toMatchObject({
      actor: "graydesk-policy",
      detail: {
        rule: "autoRollback.afterFailedChecks: 5",
        version: "v2",
        metric: "success-rate",
        failedChecks: 5,
      },
    });
    expect(Number(rollback?.detail?.value)).toBeLessThan(0.7);
    const note = await until(() =>
      world.api.messages("C0RELEASES").find((m) => String(m.text).startsWith(":leftwards_arrow_with_hook:")),
    );
    expect(String(note.text)).toContain(
      "Graydesk moved all traffic of *reviews-failing* back to *v1* by itself (v2 had 50 %).",
    );
    expect(String(note.text)).toContain("failed 5 checks in a row on success rate");
    expect(note.thread_ts).toBeDefined();
    world.api.expectNoViolations();
  });
});
