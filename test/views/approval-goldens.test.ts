// Issue 15, must show: golden Block Kit files for the approval request of each change (shift, take-over,
// offline, abandon), the approvers-channel copy and the offline card, each passing the Block Kit validator and
// read for raw event kinds, ISO times and internal ids. Home with a waiting approval is home.json
// (desk-views.test.ts).
import type { Button, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { type ApprovalView, buildApprovalRequest } from "../../views/approval.ts";
import { buildJobCard } from "../../views/job-card.ts";
import { validateMessage } from "../harness/slack/index.ts";
import { reviewsJob } from "../release/fixtures.ts";
import { ABANDON, type GoldenRequest, OFFLINE, SHIFT, TAKE_OVER, V2_IMAGE } from "./approval-fixtures.ts";
import { surfaceLeaks } from "./surface-words.ts";

const passing = {
  lines: [
    ":white_check_mark: *v2* passes: success 99.8 %, p99 84 ms, 1,204 requests in the last check",
    ":white_check_mark: *v1* (stable) passes: success 99.9 %, p99 61 ms, 4,810 requests in the last check",
  ],
};
const newVersion = (image = V2_IMAGE) => ({ version: "v2", images: [image], stable: "v1" });
const DIGEST = "sha256:4f5c0e1d2b3a49586776655443322110ffeeddccbbaa99887766554433221100";

const VIEWS: [GoldenRequest, Omit<ApprovalView, "request" | "plan">][] = [
  [
    SHIFT,
    {
      confirm: false,
      analysis: passing,
      evidence: ["v2: 20.1 % of requests · v1: 79.9 % (last 5 minutes)"],
      newVersion: newVersion(),
    },
  ],
  [TAKE_OVER, { confirm: true, analysis: passing, newVersion: newVersion(`${V2_IMAGE}@${DIGEST}`) }],
  [OFFLINE, { confirm: true, newVersion: newVersion() }],
  // Without a metrics source the request says no check judged the new version.
  [ABANDON, { confirm: true, newVersion: newVersion(), unmeasured: true }],
];

const idsOf = (blocks: KnownBlock[]) => blocks.map((b) => b.block_id ?? b.type);
const textOf = (blocks: KnownBlock[], prefix: string) =>
  blocks
    .filter((b) => b.block_id?.startsWith(prefix))
    .map((b) => (b.type === "section" ? (b.text?.text ?? "") : ""))
    .join("\n");

describe("approval requests an approver can decide from", () => {
  it.each(VIEWS)(
    "$name: who asks, what changes, the new version, verdict, steps with deletes first",
    async (golden, view) => {
      const message = buildApprovalRequest({ request: golden.request, plan: golden.plan, ...view });
      expect(validateMessage(message.blocks, message.text)).toEqual([]);
      expect(surfaceLeaks(message)).toEqual([]);
      const ids = idsOf(message.blocks);
      // The first lines: who asks, what changes in plain words, what the new version is.
      expect(ids.slice(0, 3)).toEqual(["approval_title", "approval_summary", "approval_new_version"]);
      expect(textOf(message.blocks, "approval_summary")).toBe(`*What changes:* ${golden.request.summary}`);
      expect(textOf(message.blocks, "approval_new_version")).toContain(
        "`docker.io/istio/examples-bookinfo-reviews-v2:1.20.3`",
      );
      // Then the verdict (when there is one), before any step.
      const firstStep = ids.indexOf("approval_steps_0");
      if (view.analysis || view.unmeasured) expect(ids.indexOf("approval_verdict")).toBe(3);
      expect(firstStep).toBeGreaterThan(2);
      // Deletions first, each marked; whole objects only behind Show objects, line diffs only for changes in place.
      const steps = textOf(message.blocks, "approval_steps_");
      const deletes = golden.plan.steps.filter((s) => s.action === "delete");
      if (deletes.length > 0) {
        expect(steps.startsWith(`*:rotating_light: Deletes ${deletes.length} objects:*`)).toBe(true);
        for (const step of deletes)
          expect(steps.indexOf(`*DELETE* ${step.object.kind} \`bookinfo/${step.object.name}\``)).toBeLessThan(
            steps.indexOf("in the order they run"),
          );
      }
      const diffs = ids.filter((id) => id.startsWith("approval_diff_"));
      expect(diffs).toHaveLength(golden.plan.steps.filter((s) => s.action === "patch").length);
      expect(ids).toContain("approval_objects_actions");
      expect(ids.indexOf("approval_objects_actions")).toBeLessThan(ids.indexOf("approval_actions"));
      const confirm = message.blocks
        .flatMap((b) => (b.type === "actions" ? (b.elements as Button[]) : []))
        .find((e) => e.action_id === "approval_approve")?.confirm;
      expect(confirm !== undefined).toBe(view.confirm);
      // The confirmation names what is deleted.
      for (const step of deletes)
        expect(confirm?.text.text).toContain(`${step.object.kind} ${step.object.name}`);
      await expect(JSON.stringify(message, null, 2)).toMatchFileSnapshot(
        `__snapshots__/approval-${golden.name}.json`,
      );
    },
  );

  it("take-over names the image and its digest apart", () => {
    const [golden, view] = VIEWS[1] as (typeof VIEWS)[number];
    const message = buildApprovalRequest({ request: golden.request, plan: golden.plan, ...view });
    expect(textOf(message.blocks, "approval_new_version")).toBe(
      `*New version* \`v2\` runs \`${V2_IMAGE}\` (digest \`${DIGEST}\`)`,
    );
  });

  it("the approvers-channel copy mentions the approvers and links to the card and the thread", async () => {
    const copy = {
      card: { channel: "C0RELEASES", ts: "1767258000.000100" },
      thread: { channel: "C0RELEASES", ts: "1767261600.000200", threadTs: "1767258000.000100" },
      users: ["U0BOB", "U0DAVE"],
      groups: ["S0RELEASE"],
    };
    const message = buildApprovalRequest({
      request: { ...SHIFT.request, messages: [] },
      plan: SHIFT.plan,
      confirm: false,
      analysis: passing,
      newVersion: newVersion(),
      copy,
    });
    expect(validateMessage(message.blocks, message.text)).toEqual([]);
    expect(surfaceLeaks(message)).toEqual([]);
    expect(idsOf(message.blocks).slice(0, 5)).toEqual([
      "approval_title",
      "approval_summary",
      "approval_new_version",
      "approval_links",
      "approval_verdict",
    ]);
    expect(message.text.startsWith("<@U0BOB> <@U0DAVE> <!subteam^S0RELEASE> ")).toBe(true);
    await expect(JSON.stringify(message, null, 2)).toMatchFileSnapshot(
      "__snapshots__/approval-approvers-copy.json",
    );
  });
});

const versionInfo = (version: string, image: string) => ({
  version,
  deployment: `reviews-${version}`,
  replicas: 1,
  readyReplicas: 1,
  images: [image],
});

describe("the job card", () => {
  it("once offline: a header, only the version still deployed, Show objects alone", async () => {
    const job = reviewsJob({
      state: "offline",
      takenOverBy: "v2",
      traffic: { kind: "serve", version: "v2" },
      history: [
        { at: "2026-01-01T10:05:00.000Z", actor: "U0BOB", kind: "takeOver" },
        { at: "2026-01-01T11:00:00.000Z", actor: "U0BOB", kind: "takeOffline" },
      ],
    });
    const card = buildJobCard({ job, versions: [versionInfo("v2", V2_IMAGE)] });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    expect(surfaceLeaks(card)).toEqual([]);
    expect(card.blocks[0]).toMatchObject({
      type: "header",
      text: { type: "plain_text", text: "reviews-canary · offline" },
    });
    const split = textOf(card.blocks, "job_card_split");
    expect(split).toContain("v2");
    expect(split).not.toContain("v1");
    // The card says what the version runs, as the request did.
    expect(textOf(card.blocks, "job_card_versions")).toContain(`runs \`${V2_IMAGE}\``);
    const buttons = card.blocks.flatMap((b) => (b.type === "actions" ? (b.elements as Button[]) : []));
    expect(buttons.map((b) => b.action_id)).toEqual(["job_show_objects"]);
    await expect(JSON.stringify(card, null, 2)).toMatchFileSnapshot("__snapshots__/job-card-offline.json");
  });

  const canary = (state: ReleaseJob["state"], extra: Partial<ReleaseJob> = {}) =>
    reviewsJob({ state, ...extra });
  it.each([
    ["deploying", canary("deploying"), "job_shift", "primary"],
    ["ready", canary("ready"), "job_shift", "primary"],
    ["active", canary("active"), "job_shift", "primary"],
    [
      "active blue-green",
      canary("active", { strategy: "blue-green", traffic: { kind: "serve", version: "v1" } }),
      "job_take_over",
      "primary",
    ],
    ["taken over", canary("taken-over", { takenOverBy: "v2" }), "job_take_offline", "primary"],
    ["rolled back", canary("rolled-back"), "job_take_offline", "primary"],
    [
      "failed, retryable",
      canary("failed", { failure: { reason: "x", retryable: true, at: "x", from: "deploying" } }),
      "job_retry",
      "primary",
    ],
    [
      "failed for good",
      canary("failed", { failure: { reason: "x", retryable: false, at: "x", from: "deploying" } }),
      "job_abandon",
      "danger",
    ],
  ] as const)("%s: one primary action, first; every other button secondary", (_name, job, primary, style) => {
    const card = buildJobCard({ job });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    const buttons = card.blocks.flatMap((b) => (b.type === "actions" ? (b.elements as Button[]) : []));
    expect(buttons[0]).toMatchObject({ action_id: primary, style });
    expect(buttons.slice(1).filter((b) => b.style)).toEqual([]);
    expect(card.blocks[0]?.type).toBe("header");
  });

  it("while the job runs, a version without a Deployment and without traffic has no row", () => {
    const job = reviewsJob({
      state: "failed",
      failure: { reason: "reviews-v2 did not become ready", retryable: true, at: "x", from: "deploying" },
      traffic: { kind: "weights", weights: { v1: 100, v2: 0 } },
    });
    const card = buildJobCard({ job, versions: [versionInfo("v1", "reviews-v1:1")] });
    const split = textOf(card.blocks, "job_card_split");
    expect(split).toContain("v1");
    expect(split).not.toContain("v2");
    // Traffic sent to a version that is gone stays in sight: that is a fault, not history.
    const sent = buildJobCard({
      job: reviewsJob({ traffic: { kind: "weights", weights: { v1: 90, v2: 10 } } }),
      versions: [versionInfo("v1", "reviews-v1:1")],
    });
    expect(textOf(sent.blocks, "job_card_split")).toContain("v2 █░░░░░░░░░ 10 %");
  });
});
