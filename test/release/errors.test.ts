import { describe, expect, it } from "vitest";
import { assertNoFieldErrors, ReleaseError, UserFacingError } from "../../src/release/index.ts";

describe("ReleaseError", () => {
  it.each([
    ["conflict", true],
    ["cluster-unavailable", true],
    ["stale-plan", true],
    ["not-allowed", false],
    ["forbidden", false],
    ["invalid-field", false],
  ] as const)("%s is retryable: %s", (code, retryable) => {
    const error = new ReleaseError(code, "VirtualService bookinfo/reviews update failed");
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error).toMatchObject({
      code,
      retryable,
      message: "VirtualService bookinfo/reviews update failed",
    });
  });

  it("keeps the cause apart from the user's message", () => {
    const cause = new Error("HTTP 409 from the API server");
    const error = new ReleaseError("conflict", "Someone changed reviews meanwhile; try again.", {
      cause,
      retryable: false,
    });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("409");
  });

  it("gathers field errors into one invalid-field error", () => {
    const fields = [
      { field: "name", message: "Give the job a name." },
      { field: "replicas", message: "Replicas are a whole number from 1 to 100." },
    ];
    expect(() => assertNoFieldErrors(fields, "The job cannot be created")).toThrow(
      expect.objectContaining({
        code: "invalid-field",
        message: "The job cannot be created: Give the job a name. (and 1 more)",
        fields,
      }),
    );
    expect(() => assertNoFieldErrors([], "The job cannot be created")).not.toThrow();
  });

  it("serves other folders as a plain user-facing error", () => {
    const error = new UserFacingError("approval-expired", "This approval expired; ask again.");
    expect(error).toMatchObject({ code: "approval-expired", retryable: false, name: "UserFacingError" });
  });
});
