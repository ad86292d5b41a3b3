import { describe, expect, it } from "vitest";
import { ApprovalGate, type NewRequest } from "../../src/approvals/index.ts";
import { openFileStore } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const input: NewRequest = {
  jobId: "job-1",
  jobName: "reviews-canary",
  namespace: "bookinfo",
  operation: "shift",
  planId: "plan-1",
  planHash: "abc",
  summary: "reviews: v1 100 → 80, v2 0 → 20",
  requestedBy: "U0REQ",
  requiredApprovals: 1,
  expiryMinutes: 30,
};

async function gate(now: { t: number }) {
  const store = await openFileStore(tempDir("graydesk-gate-"));
  return { store, gate: new ApprovalGate(store, () => new Date(now.t)) };
}

describe("approval gate", () => {
  it("opens a pending request that expires after the policy's minutes", async () => {
    const now = { t: Date.parse("2026-11-22T10:00:00Z") };
    const { gate: g } = await gate(now);
    const request = await g.open(input);
    expect(request).toMatchObject({
      state: "pending",
      requestedAt: "2026-11-22T10:00:00.000Z",
      expiresAt: "2026-11-22T10:30:00.000Z",
    });
  });

  it("hands the plan out for applying exactly once under concurrent clicks and retries", async () => {
    const { gate: g } = await gate({ t: Date.now() });
    const request = await g.open(input);
    const decisions = await Promise.all([
      g.decide(request.id, "U0A", "approve"),
      g.decide(request.id, "U0A", "approve"),
      g.decide(request.id, "U0B", "approve"),
      g.decide(request.id, "U0C", "approve"),
    ]);
    expect(decisions.map((d) => d.kind)).toEqual(["apply", "already", "already", "already"]);
    expect(g.get(request.id)).toMatchObject({ state: "approved", decidedBy: "U0A" });
  });

  it("waits for the number of approvals the policy asks for", async () => {
    const { gate: g } = await gate({ t: Date.now() });
    const request = await g.open({ ...input, requiredApprovals: 2 });
    expect(await g.decide(request.id, "U0A", "approve")).toMatchObject({ kind: "recorded", remaining: 1 });
    expect((await g.decide(request.id, "U0A", "approve")).kind).toBe("already");
    expect((await g.decide(request.id, "U0B", "approve")).kind).toBe("apply");
  });

  it("records a rejection, after which approving does nothing", async () => {
    const { gate: g } = await gate({ t: Date.now() });
    const request = await g.open(input);
    expect((await g.decide(request.id, "U0B", "reject")).kind).toBe("rejected");
    expect((await g.decide(request.id, "U0C", "approve")).kind).toBe("already");
  });

  it("refuses an expired request and marks it expired", async () => {
    const now = { t: Date.parse("2026-11-22T10:00:00Z") };
    const { gate: g } = await gate(now);
    const request = await g.open(input);
    now.t += 30 * 60_000;
    expect(await g.decide(request.id, "U0B", "approve")).toMatchObject({
      kind: "expired",
      request: { state: "expired" },
    });
  });

  it("expires every due request in one sweep", async () => {
    const now = { t: Date.parse("2026-11-22T10:00:00Z") };
    const { gate: g } = await gate(now);
    await g.open(input);
    await g.open({ ...input, jobId: "job-2", expiryMinutes: 60 });
    now.t += 45 * 60_000;
    expect((await g.expireDue()).map((r) => r.jobId)).toEqual(["job-1"]);
  });

  it("supersedes a job's older pending request when a new one opens", async () => {
    const { gate: g } = await gate({ t: Date.now() });
    const first = await g.open(input);
    const second = await g.open({ ...input, planId: "plan-2" });
    expect(g.get(first.id)).toMatchObject({ state: "stale", outcome: "superseded by a newer request" });
    expect(g.pendingFor("job-1").map((r) => r.id)).toEqual([second.id]);
    expect((await g.decide(first.id, "U0B", "approve")).kind).toBe("already");
  });

  it("answers not-found for an unknown request and records the outcome of an applied one", async () => {
    const { gate: g, store } = await gate({ t: Date.now() });
    expect((await g.decide("nope", "U0B", "approve")).kind).toBe("not-found");
    const request = await g.open(input);
    await g.decide(request.id, "U0B", "approve");
    await g.finish(request.id, "applied", "reviews: v1 80, v2 20");
    await g.addMessage(request.id, { channel: "C1", ts: "1.1" });
    expect(store.data().approvals[request.id]).toMatchObject({
      state: "applied",
      messages: [{ channel: "C1", ts: "1.1" }],
    });
  });

  it("finds a job's pending requests through its index: opened, superseded, decided, and after a restart", async () => {
    const now = { t: Date.now() };
    const dir = tempDir("graydesk-gate-");
    let store = await openFileStore(dir);
    let g = new ApprovalGate(store, () => new Date(now.t));
    const other = await g.open({ ...input, jobId: "job-2" });
    expect(g.pendingFor("job-1")).toEqual([]);
    const first = await g.open(input);
    expect(g.pendingFor("job-1").map((r) => r.id)).toEqual([first.id]);
    // A newer request for the job supersedes the older one.
    const second = await g.open(input);
    expect(g.get(first.id)?.state).toBe("stale");
    expect(g.pendingFor("job-1").map((r) => r.id)).toEqual([second.id]);
    await g.decide(second.id, "U0A", "approve");
    expect(g.pendingFor("job-1")).toEqual([]);
    expect(g.pendingFor("job-2").map((r) => r.id)).toEqual([other.id]);
    await store.close();
    store = await openFileStore(dir);
    g = new ApprovalGate(store, () => new Date(now.t));
    expect(g.pendingFor("job-2").map((r) => r.id)).toEqual([other.id]);
    const third = await g.open({ ...input, jobId: "job-2" });
    expect(g.get(other.id)?.state).toBe("stale");
    expect(g.pendingFor("job-2").map((r) => r.id)).toEqual([third.id]);
    await store.close();
  });
});
