import { describe, expect, it } from "vitest";
import { eventWords, stateWords } from "../../views/event-words.ts";
import { leaks } from "./surface-words.ts";

/** Every kind the audit log and the jobs' history record today. */
const KINDS = [
  ...["requested", "applying", "approved", "rejected", "applied", "expired", "stale", "failed", "aborted"],
  ...["retried", "configured", "policy.rollback", "schedule-approved"],
  ...["digest.posted", "digest.set", "digest.removed"],
  ...["steps.set", "steps.pause", "steps.resume", "steps.cancel"],
  ...["job.created", "job.create-failed", "job.deployed", "job.failed", "job.retried", "job.abandoned"],
  ...["job.adopted", "plan.created", "plan.applied", "plan.refused", "plan.recovered", "plan.tampered"],
  ...["routes-held", "created", "deployed", "fail", "adopted", "shift", "takeOver", "takeOffline"],
  ...["rollback", "abandon", "retry", "prepare", "revert"],
];

describe("event kinds in people's words (Home, history and digests share them)", () => {
  it.each(KINDS)("%s", (kind) => {
    const words = eventWords(kind);
    // No dots, camelCase, underscores or hyphens: a sentence, not an identifier.
    expect(words).not.toMatch(/[.A-Z_-]/);
    expect(leaks(words)).toEqual([]);
    expect(words.length).toBeGreaterThan(3);
  });

  it("names every job state without hyphens", () => {
    expect(stateWords("taken-over")).toBe("taken over");
    expect(stateWords("rolled-back")).toBe("rolled back");
  });
});
