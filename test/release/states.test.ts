import { describe, expect, it } from "vitest";
import type { JobOperation, JobState, ReleaseJob } from "../../src/release/index.ts";
import { canDo, ReleaseError, TRANSITIONS, transition } from "../../src/release/index.ts";
import { reviewsJob } from "./fixtures.ts";

const at = "2025-01-02T00:00:00Z";
const actor = "U1";
const job = (state: JobState, extra: Partial<ReleaseJob> = {}) => reviewsJob({ state, ...extra });

describe("transition table", () => {
  it.each<[JobState, JobOperation, JobState]>([
    ["deploying", { kind: "deployed" }, "ready"],
    ["ready", { kind: "routed" }, "active"],
    ["active", { kind: "shift", traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } }, "active"],
    ["active", { kind: "takeOver", version: "v2" }, "taken-over"],
    ["taken-over", { kind: "takeOffline", keep: "v2" }, "offline"],
    ["active", { kind: "rollback" }, "rolled-back"],
    ["rolled-back", { kind: "takeOffline", keep: "v1" }, "offline"],
    ["taken-over", { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } }, "active"],
    ["active", { kind: "fail", reason: "image pull failed", retryable: true }, "failed"],
    ["awaiting-approval", { kind: "deployApproved" }, "deploying"],
    ["awaiting-approval", { kind: "close", reason: "rejected" }, "not-deployed"],
  ])("%s --%o--> %s", (from, op, to) => {
    const before = job(
      from,
      from === "taken-over" ? { takenOverBy: "v2", traffic: { kind: "serve", version: "v2" } } : {},
    );
    const after = transition(before, { ...op, at, actor });
    expect(after.state).toBe(to);
    expect(after.history.at(-1)).toMatchObject({ at, actor, kind: op.kind });
    expect(before.state).toBe(from);
  });

  it("lists every operation with at least one starting state", () => {
    for (const row of Object.values(TRANSITIONS)) expect(Object.keys(row).length).toBeGreaterThan(0);
  });

  it("takes over: all traffic to the version, remembered as takenOverBy", () => {
    const after = transition(job("active"), { kind: "takeOver", version: "v2", at, actor });
    expect(after.traffic).toEqual({ kind: "serve", version: "v2" });
    expect(after.takenOverBy).toBe("v2");
    expect(after.history.at(-1)?.detail).toBe("v2 takes over all traffic");
  });

  it("rolls back: all traffic to stable", () => {
    const after = transition(job("taken-over", { takenOverBy: "v2" }), { kind: "rollback", at, actor });
    expect(after.traffic).toEqual({ kind: "serve", version: "v1" });
    expect(after.takenOverBy).toBeUndefined();
  });

  it("retries a retryable failure back to the state it failed in", () => {
    const failed = transition(job("active"), {
      kind: "fail",
      reason: "API timeout",
      retryable: true,
      at,
      actor,
    });
    expect(failed.failure).toEqual({ reason: "API timeout", retryable: true, at, from: "active" });
    const retried = transition(failed, { kind: "retry", at, actor });
    expect(retried.state).toBe("active");
    expect(retried.failure).toBeUndefined();
  });

  it("abandons a failed job for good", () => {
    const failed = transition(job("deploying"), {
      kind: "fail",
      reason: "quota",
      retryable: false,
      at,
      actor,
    });
    const abandoned = transition(failed, { kind: "abandon", at, actor });
    expect(abandoned.state).toBe("abandoned");
    expect(canDo(abandoned, { kind: "retry" })).toEqual({
      ok: false,
      reason: "Job reviews-canary was abandoned: nothing can change it any more.",
    });
  });
});

describe("a new version waiting for approval", () => {
  it("changes nothing else until it is approved, and ends for good when it is not", () => {
    const waiting = job("awaiting-approval");
    for (const op of [
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 80, v2: 20 } } },
      { kind: "takeOver", version: "v2" },
      { kind: "rollback" },
      { kind: "fail", reason: "x", retryable: true },
      { kind: "deployed" },
    ] as JobOperation[]) {
      const verdict = canDo(waiting, op);
      expect(verdict.ok).toBe(false);
      if (!verdict.ok)
        expect(verdict.reason).toBe(
          "Job reviews-canary is waiting for approval to deploy v2: nothing is in the cluster yet.",
        );
    }
    const closed = transition(waiting, { kind: "close", reason: "the new version was rejected", at, actor });
    expect(closed.history.at(-1)).toMatchObject({ kind: "close", detail: "the new version was rejected" });
    expect(canDo(closed, { kind: "deployApproved" })).toEqual({
      ok: false,
      reason:
        "Job reviews-canary was closed before its new version was deployed: nothing can change it any more.",
    });
  });
});

describe("refusals, in the user's words", () => {
  it.each<[string, ReleaseJob, JobOperation, string]>([
    [
      "offline job",
      job("offline"),
      { kind: "rollback" },
      "Job reviews-canary is offline: nothing can change it any more.",
    ],
    [
      "offline before take over",
      job("active"),
      { kind: "takeOffline", keep: "v2" },
      "Take a version over before taking the job offline: job reviews-canary still sends traffic to v1 and v2.",
    ],
    [
      "keeping the wrong version",
      job("taken-over", { takenOverBy: "v2" }),
      { kind: "takeOffline", keep: "v1" },
      "Job reviews-canary has v2 serving all traffic: keep v2, or take v1 over first.",
    ],
    [
      "unknown version",
      job("active"),
      { kind: "takeOver", version: "v9" },
      "v9 is not a version of job reviews-canary; choose v1 or v2.",
    ],
    [
      "still deploying",
      job("deploying"),
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "Job reviews-canary is still deploying v2: wait until it is ready.",
    ],
    [
      "failed job",
      job("failed", { failure: { reason: "image pull failed", retryable: true, at, from: "active" } }),
      { kind: "rollback" },
      "Job reviews-canary failed (image pull failed): retry or abandon it first.",
    ],
    [
      "retry that cannot help",
      job("failed", { failure: { reason: "quota", retryable: false, at, from: "active" } }),
      { kind: "retry" },
      "Job reviews-canary failed in a way retrying will not fix: abandon it and start a new job.",
    ],
    [
      "abandon a live job",
      job("active"),
      { kind: "abandon" },
      "Only a failed job can be abandoned; job reviews-canary is active.",
    ],
    [
      "blue-green weights",
      job("active", { strategy: "blue-green", traffic: { kind: "serve", version: "v1" } }),
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "Blue-green job reviews-canary moves traffic with Take Over, not with weights.",
    ],
    [
      "mirror job with weights",
      job("active", { strategy: "mirror" }),
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "A mirror job cannot use a weights traffic policy.",
    ],
    [
      "shift naming a foreign version",
      job("active"),
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v3: 50 } } },
      "v3 is not a version of job reviews-canary; use v1 or v2.",
    ],
    [
      "routed twice",
      job("active"),
      { kind: "routed" },
      "Job reviews-canary is active: setting its first routes is not possible now.",
    ],
  ])("%s", (_name, subject, op, reason) => {
    expect(canDo(subject, op)).toEqual({ ok: false, reason });
    const thrown = (() => {
      try {
        transition(subject, { ...op, at, actor });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ReleaseError);
    expect(thrown).toMatchObject({ code: "not-allowed", message: reason, retryable: false });
  });
});
