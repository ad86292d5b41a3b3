import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/index.ts";
import { makePlan } from "../../src/release/index.ts";
import type { AuditRecord } from "../../src/store/index.ts";
import { buildApprovalRequest } from "../../views/approval.ts";
import { buildShiftModal, buildTakeOverModal } from "../../views/change-modals.ts";
import { buildHistory } from "../../views/history.ts";
import { buildHome } from "../../views/home.ts";
import { buildJobCard } from "../../views/job-card.ts";
import { buildObjectsModal, splitText } from "../../views/objects-modal.ts";
import { bar } from "../../views/traffic-text.ts";
import { validateHome, validateMessage, validateModal } from "../harness/slack/index.ts";
import { reviewsJob } from "../release/fixtures.ts";
import { surfaceLeaks } from "./surface-words.ts";

const job = reviewsJob({ traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } });
const versions = [
  { version: "v1", deployment: "reviews-v1", replicas: 1, readyReplicas: 1, images: ["reviews-v1:1.16.2"] },
  { version: "v2", deployment: "reviews-v2", replicas: 2, readyReplicas: 1, images: ["reviews-v2:1.16.2"] },
];
const vsBefore = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "reviews", namespace: "bookinfo" },
  spec: {
    hosts: ["reviews"],
    http: [
      {
        route: [
          { destination: { host: "reviews", subset: "v1" }, weight: 80 },
          { destination: { host: "reviews", subset: "v2" }, weight: 20 },
        ],
      },
    ],
  },
};
const vsAfter = structuredClone(vsBefore);
(vsAfter.spec.http[0]?.route[0] as { weight: number }).weight = 20;
(vsAfter.spec.http[0]?.route[1] as { weight: number }).weight = 80;
const plan = makePlan({
  id: "plan-1",
  jobId: job.id,
  operation: "shift",
  steps: [
    {
      action: "patch",
      object: {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        namespace: "bookinfo",
        name: "reviews",
      },
      before: vsBefore,
      after: vsAfter,
    },
  ],
  summary: "reviews: v1 80 → 20, v2 20 → 80",
  notes: ["The ingress gateway bookinfo-gateway routes here too; its traffic follows the same split."],
});
const request: ApprovalRequest = {
  id: "req-1",
  jobId: job.id,
  jobName: job.name,
  namespace: job.namespace,
  operation: "shift traffic to v1 20 %, v2 80 %",
  planId: plan.id,
  planHash: plan.hash,
  summary: plan.summary,
  requestedBy: "U0ALICE",
  requestedAt: "2026-01-01T10:00:00.000Z",
  expiresAt: "2026-01-01T10:30:00.000Z",
  requiredApprovals: 1,
  approvals: [],
  state: "pending",
  messages: [],
};

describe("job card", () => {
  it("shows versions, replicas, the split as bars and the buttons", async () => {
    const card = buildJobCard({ job, versions, pending: ["shift (asked by <@U0ALICE>)"] });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain("v1 ████████░░ 80 %");
    expect(text).toContain("v2 ██░░░░░░░░ 20 %");
    expect(text).toContain("1/2 ready");
    const buttons = card.blocks
      .flatMap((b) => (b.type === "actions" ? b.elements : []))
      .map((e) => e.action_id);
    expect(buttons).toEqual(["job_shift", "job_take_over", "job_rollback", "job_show_objects"]);
    await expect(JSON.stringify(card, null, 2)).toMatchFileSnapshot("__snapshots__/job-card.json");
  });

  it("shows the failure reason with Retry and Abandon when retryable", () => {
    const failed = reviewsJob({
      state: "failed",
      failure: {
        reason: "reviews-v2 did not become ready in 10 minutes",
        retryable: true,
        at: "x",
        from: "deploying",
      },
    });
    const card = buildJobCard({ job: failed });
    expect(validateMessage(card.blocks, card.text)).toEqual([]);
    expect(JSON.stringify(card.blocks)).toContain("did not become ready");
    const buttons = card.blocks
      .flatMap((b) => (b.type === "actions" ? b.elements : []))
      .map((e) => e.action_id);
    expect(buttons).toEqual(["job_retry", "job_abandon", "job_show_objects"]);
  });

  it("offers no Retry when retrying cannot help, and only Show objects once offline", () => {
    const failed = reviewsJob({
      state: "failed",
      failure: { reason: "bad image", retryable: false, at: "x", from: "deploying" },
    });
    const ids = (j: typeof job) =>
      buildJobCard({ job: j })
        .blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))
        .map((e) => e.action_id);
    expect(ids(failed)).toEqual(["job_abandon", "job_show_objects"]);
    expect(ids(reviewsJob({ state: "offline" }))).toEqual(["job_show_objects"]);
    expect(ids(reviewsJob({ state: "taken-over", takenOverBy: "v2" }))).toContain("job_take_offline");
  });

  it("shows mirror share and request conditions", () => {
    const mirrored = buildJobCard({
      job: reviewsJob({ strategy: "mirror", traffic: { kind: "mirror", percent: 30, to: "v2" } }),
    });
    expect(JSON.stringify(mirrored.blocks)).toContain("mirror → v2 30 %");
    const matched = buildJobCard({
      job: reviewsJob({
        traffic: {
          kind: "match",
          to: "v2",
          rules: [{ kind: "header", name: "x-canary", match: "exact", value: "always" }],
        },
      }),
    });
    expect(JSON.stringify(matched.blocks)).toContain("requests with header x-canary = always → v2");
  });

  it.each([
    [0, "v1 ░░░░░░░░░░ 0 %"],
    [5, "v1 █░░░░░░░░░ 5 %"],
    [100, "v1 ██████████ 100 %"],
    [140, "v1 ██████████ 100 %"],
  ])("bar(%i)", (percent, text) => {
    expect(bar("v1", percent)).toBe(text);
  });
});

describe("approval request", () => {
  it("shows who asked, the summary, the diff, notes, expiry and the buttons", async () => {
    const message = buildApprovalRequest({ request, plan, confirm: false });
    expect(validateMessage(message.blocks, message.text)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("<@U0ALICE> asks to *shift traffic to v1 20 %, v2 80 %*");
    expect(text).toMatch(/-\s+weight: 80/);
    expect(text).toMatch(/\+\s+weight: 20/);
    expect(text).toContain("bookinfo-gateway");
    expect(text).toContain("Expires <!date^");
    await expect(JSON.stringify(message, null, 2)).toMatchFileSnapshot("__snapshots__/approval-request.json");
  });

  it("asks to confirm Approve on take-over", () => {
    const message = buildApprovalRequest({
      request: { ...request, operation: "let v2 take over all traffic" },
      plan,
      confirm: true,
    });
    expect(validateMessage(message.blocks, message.text)).toEqual([]);
    const approve = message.blocks
      .flatMap((b) => (b.type === "actions" ? b.elements : []))
      .find((e) => e.action_id === "approval_approve") as { confirm?: unknown };
    expect(approve.confirm).toBeDefined();
  });

  it.each([
    ["applied", "Applied by <@U0BOB>", false],
    ["rejected", "Rejected by <@U0BOB>", false],
    ["expired", "Expired before anyone approved it", true],
    ["stale", "the cluster changed since this plan was made", true],
  ] as const)(
    "once %s shows the outcome, no Approve, and Re-request only when it can help",
    (state, words, rerequest) => {
      const message = buildApprovalRequest({
        request: { ...request, state, decidedBy: "U0BOB", decidedAt: "2026-01-01T10:05:00.000Z" },
        plan,
        confirm: false,
      });
      expect(validateMessage(message.blocks, message.text)).toEqual([]);
      expect(JSON.stringify(message.blocks)).toContain(words);
      const ids = message.blocks
        .flatMap((b) => (b.type === "actions" ? b.elements : []))
        .map((e) => e.action_id);
      expect(ids).toEqual(["approval_show_objects", ...(rerequest ? ["approval_rerequest"] : [])]);
    },
  );
});

describe("modals and home", () => {
  it("Shift… and Take over… modals pass the validator", () => {
    expect(validateModal(buildShiftModal(job, { jobId: job.id, channel: "C1" }))).toEqual([]);
    expect(validateModal(buildTakeOverModal(job, { jobId: job.id }))).toEqual([]);
  });

  it("Show objects cuts long YAML into blocks within Slack's limits", () => {
    const yaml = Array.from({ length: 400 }, (_, i) => `  line-${i}: ${"x".repeat(40)}`).join("\n");
    const modal = buildObjectsModal("reviews-v2", [{ kind: "VirtualService", name: "reviews", yaml }]);
    expect(validateModal(modal)).toEqual([]);
    expect(modal.blocks.length).toBeGreaterThan(3);
    expect(validateModal(buildObjectsModal("reviews-v2", "loading"))).toEqual([]);
    expect(splitText("a\nbb\nccc", 4)).toEqual(["a\nbb", "ccc"]);
    expect(splitText("x".repeat(9), 4)).toEqual(["xxxx", "xxxx", "x"]);
  });

  it("App Home lists waiting approvals, active jobs and recent activity", async () => {
    const activity: AuditRecord[] = [
      {
        seq: 1,
        at: "2026-01-01T10:00:00.000Z",
        kind: "requested",
        actor: "U0ALICE",
        job: job.name,
        namespace: "bookinfo",
        detail: { operation: "shift" },
      },
    ];
    const asked = { ...request, messages: [{ channel: "C0RELEASES", ts: "1700000000.000100" }] };
    const home = buildHome({ user: "U0BOB", jobs: [job], waiting: [asked], activity });
    expect(validateHome(home)).toEqual([]);
    const text = JSON.stringify(home.blocks);
    expect(text).toContain("Waiting for your approval (1)");
    // Each waiting request can be decided from Home, or opened where it was asked.
    const actions = home.blocks.find((b) => b.block_id === "home_waiting_actions_0") as {
      elements: { action_id: string; value?: string; url?: string }[];
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      "approval_approve",
      "approval_reject",
      "home_open_request",
    ]);
    expect(actions.elements[0]?.value).toBe(request.id);
    expect(actions.elements[2]?.url).toBe("https://slack.com/archives/C0RELEASES/p1700000000000100");
    expect(text).toContain("Your active jobs (1)");
    expect(text).toContain("*asked for approval*");
    expect(text).not.toContain("*requested*");
    // No raw event kinds, ISO/UTC times or internal ids (the request's id is only a button value).
    expect(surfaceLeaks(home)).toEqual([]);
    await expect(JSON.stringify(home, null, 2)).toMatchFileSnapshot("__snapshots__/home.json");
    const empty = buildHome({ user: "U0BOB", jobs: [], waiting: [], activity: [] });
    expect(validateHome(empty)).toEqual([]);
    expect(JSON.stringify(empty.blocks)).toContain("Nothing is waiting for you.");
  });
});

describe("history in people's words", () => {
  it("shows no raw event kinds and no ISO times", () => {
    const story = {
      ...job,
      history: [
        { at: "2026-01-01T09:00:00.000Z", kind: "plan.applied", actor: "U0BOB" },
        { at: "2026-01-01T09:05:00.000Z", kind: "routes-held", actor: "graydesk" },
        { at: "2026-01-01T09:10:00.000Z", kind: "takeOver", actor: "U0BOB" },
      ],
    } as typeof job;
    const audit: AuditRecord[] = [
      {
        seq: 1,
        at: "2026-01-01T09:01:00.000Z",
        kind: "requested",
        actor: "U0ALICE",
        job: job.name,
        namespace: "bookinfo",
      },
    ];
    const message = buildHistory(story, audit);
    expect(validateMessage(message.blocks, message.text)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    for (const raw of ["plan.applied", "routes-held", "takeOver", "*requested*"])
      expect(text).not.toContain(raw);
    expect(text).toContain("*applied a change*");
    expect(text).toContain("*let the new version take over*");
    // Times are Slack date tokens (each reader's zone); the ISO form appears nowhere.
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(text).toContain("<!date^1767258000^");
  });
});
