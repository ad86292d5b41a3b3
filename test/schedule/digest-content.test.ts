import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ApprovalRequest, openPolicy, type Policy } from "../../src/approvals/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import {
  age,
  buildDigest,
  type DigestInput,
  type DigestMessage,
  MAX_BLOCKS,
  MAX_SECTION_TEXT,
  zonedMinute,
} from "../../src/schedule/index.ts";
import type { VersionHealth } from "../../src/telemetry/index.ts";
import { validateMessage } from "../harness/slack/block-kit.ts";

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
const baseJob = fixture("release/reviews-job.yaml") as ReleaseJob;
const health = fixture("schedule/digest-health.yaml") as Record<
  "healthy" | "failing" | "unavailable",
  VersionHealth
>;

// The fake clock: every age below is measured from here.
const NOW = new Date("2025-07-01T09:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

function job(overrides: Partial<ReleaseJob>): ReleaseJob {
  return { ...structuredClone(baseJob), ...overrides };
}

function approval(overrides: Partial<ApprovalRequest>): ApprovalRequest {
  return {
    id: "a1",
    jobId: "job-1",
    jobName: "reviews-canary",
    namespace: "bookinfo",
    operation: "shift",
    planId: "p1",
    planHash: "h",
    summary: "reviews: v1 80 → 50, v2 20 → 50",
    requestedBy: "U1",
    requestedAt: ago(45 * MIN),
    expiresAt: ago(-15 * MIN),
    requiredApprovals: 1,
    approvals: [],
    state: "pending",
    messages: [],
    ...overrides,
  };
}

const text = (messages: DigestMessage[]) =>
  messages
    .flatMap((m) => m.blocks)
    .map((b) => {
      if ("text" in b && b.text) return typeof b.text === "string" ? b.text : b.text.text;
      return "elements" in b ? JSON.stringify(b.elements) : "";
    })
    .join("\n");

function digest(input: Partial<DigestInput>): DigestMessage[] {
  return buildDigest({ now: NOW, jobs: [], approvals: [], policy: openPolicy(), ...input });
}

describe("digest content", () => {
  it("lists an active job with strategy, configured and observed split, health and age", () => {
    const reviews = job({
      traffic: { kind: "weights", weights: { v1: 80, v2: 20 } },
      createdAt: ago(2 * DAY + 3 * 3600_000),
    });
    const out = text(
      digest({
        jobs: [
          {
            job: reviews,
            configured: { kind: "weights", weights: { v1: 80, v2: 20 } },
            health: health.healthy,
          },
        ],
      }),
    );
    expect(out).toContain("*Active jobs (1)*");
    expect(out).toContain("*reviews-canary* (canary, active) — configured v1 80% / v2 20%");
    expect(out).toContain("observed v1 80 % / v2 20 %");
    expect(out).toContain(":large_green_circle: healthy");
    expect(out).toContain("age 2 d 3 h");
  });

  it("shows a breach, an unavailable Prometheus, and a split it could not read back", () => {
    const out = text(
      digest({
        jobs: [
          {
            job: job({
              id: "job-2",
              name: "ratings-canary",
              traffic: { kind: "weights", weights: { v1: 90, v2: 10 } },
            }),
            health: health.failing,
          },
          { job: job({ id: "job-3", name: "details-canary" }), health: health.unavailable },
          { job: job({ id: "job-4", name: "productpage-canary" }) },
        ],
      }),
    );
    expect(out).toMatch(/ratings-canary.*:red_circle: v2: 50\.0 % of requests succeeded/);
    expect(out).toContain("details-canary");
    expect(out).toContain("health unknown (Prometheus at http://prometheus:9090 did not answer)");
    expect(out).toMatch(
      /productpage-canary.*configured v1 100% \/ v2 0% \(as last applied\).*observed not measured/,
    );
  });

  it("lists approvals still waiting, oldest first, with how long they have waited", () => {
    const out = text(
      digest({
        approvals: [
          approval({ id: "a2", jobName: "ratings-canary", requestedAt: ago(10 * MIN) }),
          approval({ id: "a1", requestedAt: ago(3 * 3600_000 + 5 * MIN) }),
          approval({ id: "a3", state: "applied" }),
        ],
      }),
    );
    expect(out).toContain("*Waiting for approval (2)*");
    expect(out.indexOf("reviews-canary")).toBeLessThan(out.indexOf("ratings-canary"));
    expect(out).toContain("asked by <@U1>, waiting 3 h 5 min");
    expect(out).toContain("waiting 10 min");
  });

  it("lists jobs with no change for more than the namespace's forgottenAfterDays", () => {
    const policy: Policy = {
      ...openPolicy(),
      namespaces: { shop: { ...openPolicy().defaults, forgottenAfterDays: 3 } },
    };
    const old = (ns: string, days: number, id: string) =>
      job({
        id,
        name: `${ns}-${days}d`,
        namespace: ns,
        createdAt: ago(30 * DAY),
        history: [{ at: ago(days * DAY), actor: "U1", kind: "shift" }],
      });
    const out = text(
      digest({
        policy,
        jobs: [old("bookinfo", 8, "j1"), old("bookinfo", 5, "j2"), old("shop", 4, "j3")].map((j) => ({
          job: j,
        })),
      }),
    );
    expect(out).toContain("*No change for more than 7 days (1)*");
    expect(out).toContain("*bookinfo-8d* — last change 8 d ago");
    // The last change in the words Home and history use for it, never the raw kind.
    expect(out).toContain("last change 8 d ago (shifted traffic)");
    expect(out).not.toMatch(/bookinfo-5d\* — last change/);
    expect(out).toContain("*No change for more than 3 days (1)*");
    expect(out).toContain("*shop-4d* — last change 4 d ago");
  });

  it("lists jobs finished since the last digest, and not those finished before it", () => {
    const finished = (name: string, at: string, state: ReleaseJob["state"]) =>
      job({ id: name, name, state, takenOverBy: "v2", history: [{ at, actor: "U1", kind: "takeOffline" }] });
    const out = text(
      digest({
        lastDigestAt: new Date(ago(DAY)),
        jobs: [
          finished("new-done", ago(2 * 3600_000), "offline"),
          finished("old-done", ago(2 * DAY), "offline"),
          finished("gone", ago(MIN * 30), "abandoned"),
        ].map((j) => ({ job: j })),
      }),
    );
    expect(out).toContain("*Finished since the last digest (2)*");
    expect(out).toContain("*new-done* — offline keeping v2, 2 h ago");
    expect(out).toContain("*gone* — abandoned keeping v2, 30 min ago");
    expect(out).not.toContain("old-done");
    expect(out).not.toContain("*Active jobs");
  });

  it("groups by namespace and keeps to the channel's namespaces when asked", () => {
    const jobs = ["shop", "bookinfo", "payments"].map((ns, i) => ({
      job: job({ id: `j${i}`, namespace: ns, name: `${ns}-job` }),
    }));
    const all = digest({ jobs });
    const headers = all
      .flatMap((m) => m.blocks)
      .filter((b) => b.type === "header")
      .map((b) => ("text" in b ? b.text?.text : ""));
    expect(headers).toEqual(["bookinfo", "payments", "shop"]);
    const only = text(digest({ jobs, namespaces: ["shop"] }));
    expect(only).toContain("shop-job");
    expect(only).not.toContain("bookinfo-job");
  });

  it("titles a digest in its schedule's own time zone", () => {
    const berlin = digest({ now: new Date("2025-07-01T09:00:00Z"), timeZone: "Europe/Berlin" });
    expect(berlin[0]?.text).toBe("Release digest — 2025-07-01 11:00 Europe/Berlin");
    expect(zonedMinute(new Date("2025-12-31T23:30:00Z"), "America/New_York")).toBe(
      "2025-12-31 18:30 America/New_York",
    );
  });

  it("says there is nothing to report when nothing runs", () => {
    const out = digest({});
    expect(out).toHaveLength(1);
    expect(text(out)).toContain("Nothing to report");
    // Without a schedule's zone the time is a Slack date token: each reader sees it in their own zone.
    expect(out[0]?.text).toBe(
      "Release digest — <!date^1751360400^{date_short_pretty} at {time}|2025-07-01 09:00 UTC>",
    );
  });

  it("splits a long digest across messages within Block Kit limits", () => {
    const jobs = Array.from({ length: 1000 }, (_, i) => ({
      job: job({ id: `j${i}`, name: `service-${i}-canary-with-a-long-name`, namespace: `team-${i % 100}` }),
      health: health.healthy,
    }));
    const messages = digest({ jobs });
    expect(messages.length).toBeGreaterThan(1);
    for (const [i, m] of messages.entries()) {
      expect(m.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      expect(validateMessage(m.blocks, m.text)).toEqual([]);
      expect(m.text).toBe(
        `Release digest — <!date^1751360400^{date_short_pretty} at {time}|2025-07-01 09:00 UTC> (part ${i + 1} of ${messages.length})`,
      );
      for (const b of m.blocks)
        if (b.type === "section") expect(b.text?.text.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    }
    expect(text(messages).match(/\(canary, active\)/g)).toHaveLength(1000);
  });

  it("packs a namespace's many jobs into several sections of at most 3000 characters", () => {
    const jobs = Array.from({ length: 60 }, (_, i) => ({ job: job({ id: `j${i}`, name: `reviews-${i}` }) }));
    const blocks = digest({ jobs }).flatMap((m) => m.blocks);
    const sections = blocks.filter((b) => b.type === "section");
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.text?.text.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
  });
});

describe("age", () => {
  it.each([
    [20_000, "less than a minute"],
    [12 * MIN, "12 min"],
    [2 * 3600_000, "2 h"],
    [2 * 3600_000 + 5 * MIN, "2 h 5 min"],
    [3 * DAY, "3 d"],
    [3 * DAY + 4 * 3600_000, "3 d 4 h"],
  ])("%i ms reads %s", (ms, expected) => {
    expect(age(ms)).toBe(expected);
  });
});
