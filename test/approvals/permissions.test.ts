import { describe, expect, it } from "vitest";
import { cachedGroups, OPEN_DEFAULTS, Permissions } from "../../src/approvals/index.ts";

const groups: Record<string, string[]> = { S0SRE: ["U0SRE1", "U0SRE2"] };
const permissions = new Permissions(async (g) => groups[g] ?? []);
const strict = {
  ...OPEN_DEFAULTS,
  requesters: { users: ["U0DEV"], groups: ["S0SRE"] },
  approvers: { users: [], groups: ["S0SRE"] },
};

describe("permissions", () => {
  it("lets anyone request and anyone else approve under the open policy", async () => {
    expect(await permissions.mayRequest(OPEN_DEFAULTS, "bookinfo", "U0ANY")).toEqual({ ok: true });
    expect(
      await permissions.mayApprove(OPEN_DEFAULTS, "bookinfo", "U0B", { requestedBy: "U0A", approvals: [] }),
    ).toEqual({
      ok: true,
    });
  });

  it("refuses a requester approving their own request, naming the rule", async () => {
    expect(
      await permissions.mayApprove(OPEN_DEFAULTS, "bookinfo", "U0A", { requestedBy: "U0A", approvals: [] }),
    ).toEqual({
      ok: false,
      rule: "You asked for this change: someone else must approve it (policy for bookinfo).",
    });
    const selfAllowed = { ...OPEN_DEFAULTS, selfApproval: true };
    expect(
      (await permissions.mayApprove(selfAllowed, "ns", "U0A", { requestedBy: "U0A", approvals: [] })).ok,
    ).toBe(true);
  });

  it("refuses a second approval by the same person", async () => {
    const verdict = await permissions.mayApprove(OPEN_DEFAULTS, "ns", "U0B", {
      requestedBy: "U0A",
      approvals: [{ user: "U0B" }],
    });
    expect(verdict).toEqual({
      ok: false,
      rule: "You have already approved this request; it needs another approver.",
    });
  });

  it("checks users and user groups named by the policy", async () => {
    expect((await permissions.mayRequest(strict, "bookinfo", "U0DEV")).ok).toBe(true);
    expect((await permissions.mayRequest(strict, "bookinfo", "U0SRE2")).ok).toBe(true);
    expect(await permissions.mayRequest(strict, "bookinfo", "U0OUT")).toEqual({
      ok: false,
      rule: "Only <@U0DEV>, <!subteam^S0SRE> may request changes in namespace bookinfo.",
    });
    expect(
      await permissions.mayApprove(strict, "bookinfo", "U0DEV", { requestedBy: "U0SRE1", approvals: [] }),
    ).toEqual({
      ok: false,
      rule: "Only <!subteam^S0SRE> may approve changes in namespace bookinfo.",
    });
  });

  it("caches group members and forgets failures", async () => {
    let calls = 0;
    let fail = true;
    let clock = 0;
    const members = cachedGroups(
      async () => {
        calls++;
        if (fail) throw new Error("ratelimited");
        return ["U1"];
      },
      1000,
      () => clock,
    );
    await expect(members("S1")).rejects.toThrow("ratelimited");
    fail = false;
    expect(await members("S1")).toEqual(["U1"]);
    expect(await members("S1")).toEqual(["U1"]);
    expect(calls).toBe(2);
    clock = 2000;
    await members("S1");
    expect(calls).toBe(3);
  });
});
