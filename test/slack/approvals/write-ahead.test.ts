// Decisions are written to the audit trail before the store commits them. Each crash window is reproduced on a
// real DATA_DIR (lowdb store + file trail): the record is on disk, the commit never happens (the process is
// gone), and the next start-up's reconciliation voids the record, so every decision has exactly one effective
// record and the chain still verifies. A commit that did happen is left alone.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ApprovalGate, decideIn, type NewRequest, writeAhead } from "../../../src/approvals/index.ts";
import { createLogger } from "../../../src/log.ts";
import { reconcileAudit } from "../../../src/slack/approvals/index.ts";
import {
  AUDIT_FILE,
  type AuditLog,
  firstBreak,
  openAuditLog,
  openFileStore,
  type Store,
} from "../../../src/store/index.ts";
import { tempDir } from "../../harness/temp-dir.ts";

const quiet = createLogger("silent");
const NOW = new Date("2026-12-06T10:00:00Z");
const clock = () => NOW;
const about = { job: "reviews-canary", namespace: "bookinfo" };
const input: NewRequest = {
  jobId: "job-1",
  jobName: "reviews-canary",
  namespace: "bookinfo",
  operation: "shift traffic to v1 80 %, v2 20 %",
  planId: "plan-1",
  planHash: "h",
  summary: "reviews: v2 20 %",
  requestedBy: "U0ALICE",
  requiredApprovals: 1,
  expiryMinutes: 60,
};

interface Open {
  dir: string;
  store: Store;
  audit: AuditLog;
  gate: ApprovalGate;
}

async function open(dir = tempDir("graydesk-write-ahead-")): Promise<Open> {
  const store = await openFileStore(dir);
  const audit = await openAuditLog(dir, clock);
  return { dir, store, audit, gate: new ApprovalGate(store, clock) };
}

/** The process dies with `commit` still pending: nothing after the write-ahead record reaches the disk. */
async function crashDuring(o: Open, kind: string, requestId: string, actor: string): Promise<Open> {
  void writeAhead(
    o.audit,
    quiet,
    { kind, actor, ...about, detail: { requestId } },
    () => new Promise(() => {}),
  );
  await o.audit.close();
  await o.store.close();
  return open(o.dir);
}

function trail(dir: string) {
  const lines = readFileSync(path.join(dir, AUDIT_FILE), "utf8").split("\n").filter(Boolean);
  const records = lines.map(
    (l) =>
      JSON.parse(l) as {
        seq: number;
        kind: string;
        detail: { requestId?: string; voids?: { seq: number; kind: string }; recovered?: boolean };
      },
  );
  return { records, broken: firstBreak(lines) };
}

describe("decisions written ahead of their commit", () => {
  it("a request recorded but never opened is voided at the next start-up", async () => {
    let o = await open();
    const id = o.gate.newId();
    o = await crashDuring(o, "requested", id, "U0ALICE");
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(1);
    // A second start-up finds nothing left to do.
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(0);
    await o.audit.close();
    await o.store.close();
    const { records, broken } = trail(o.dir);
    expect(broken).toBeUndefined();
    expect(records.map((r) => r.kind)).toEqual(["requested", "voided"]);
    expect(records[1]?.detail).toMatchObject({
      requestId: id,
      voids: { seq: 1, kind: "requested" },
      recovered: true,
    });
    expect(o.store.data().approvals[id]).toBeUndefined();
  });

  it("an approval recorded but not committed is voided; the request stays pending for the approver", async () => {
    let o = await open();
    const id = o.gate.newId();
    await writeAhead(
      o.audit,
      quiet,
      { kind: "requested", actor: "U0ALICE", ...about, detail: { requestId: id } },
      () => o.gate.open(input, id),
    );
    o = await crashDuring(o, "approved", id, "U0BOB");
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(1);
    expect(o.gate.get(id)).toMatchObject({ state: "pending", approvals: [] });
    // Approving again works and is recorded once more, with its commit.
    const decision = await writeAhead(
      o.audit,
      quiet,
      { kind: "approved", actor: "U0BOB", ...about, detail: { requestId: id } },
      () => o.gate.decide(id, "U0BOB", "approve"),
    );
    expect(decision.kind).toBe("apply");
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(0);
    await o.audit.close();
    await o.store.close();
    const { records, broken } = trail(o.dir);
    expect(broken).toBeUndefined();
    expect(records.map((r) => r.kind)).toEqual(["requested", "approved", "voided", "approved"]);
  });

  it("a rejection recorded but not committed is voided; one committed is left alone", async () => {
    let o = await open();
    const [first, second] = [o.gate.newId(), o.gate.newId()];
    await o.gate.open(input, first);
    o = await crashDuring(o, "rejected", first, "U0BOB");
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(1);
    expect(o.gate.get(first)?.state).toBe("pending");
    await o.gate.open(input, second);
    await writeAhead(
      o.audit,
      quiet,
      { kind: "rejected", actor: "U0BOB", ...about, detail: { requestId: second } },
      () => o.gate.decide(second, "U0BOB", "reject"),
    );
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(0);
    await o.audit.close();
    await o.store.close();
    expect(trail(o.dir).records.map((r) => [r.kind, r.detail.requestId])).toEqual([
      ["rejected", first],
      ["voided", first],
      ["rejected", second],
    ]);
  });

  it("a decision the gate gave to someone else is voided at once, not at start-up", async () => {
    const o = await open();
    const id = o.gate.newId();
    await o.gate.open(input, id);
    await o.gate.decide(id, "U0CAROL", "reject");
    const decision = await writeAhead(
      o.audit,
      quiet,
      { kind: "approved", actor: "U0BOB", ...about, detail: { requestId: id } },
      () => o.gate.decide(id, "U0BOB", "approve"),
      (d) => (d.kind === "apply" ? undefined : "the request was decided before this"),
    );
    expect(decision.kind).toBe("already");
    await o.audit.close();
    await o.store.close();
    const { records } = trail(o.dir);
    expect(records.map((r) => r.kind)).toEqual(["approved", "voided"]);
    expect(records[1]?.detail).toMatchObject({
      voids: { seq: 1 },
      why: "the request was decided before this",
    });
  });

  it("an approval and its apply recorded together, crashed before their one commit: both voided; committed: left", async () => {
    let o = await open();
    const [lost, kept] = [o.gate.newId(), o.gate.newId()];
    await o.gate.open(input, lost);
    await o.gate.open({ ...input, jobId: "job-2" }, kept);
    const both = (requestId: string) =>
      Promise.all([
        o.audit.append({ kind: "approved", actor: "U0BOB", ...about, detail: { requestId } }),
        o.audit.append({ kind: "applying", actor: "U0BOB", ...about, detail: { requestId, planHash: "h" } }),
      ]);
    // Committed: the gate's compare-and-set in the write that would also move the plan to applying.
    await both(kept);
    await o.store.update((d) => decideIn(d, { id: kept, user: "U0BOB", choice: "approve", now: NOW }));
    // Killed between the trail's flush and the write.
    await both(lost);
    await o.audit.close();
    await o.store.close();
    o = await open(o.dir);
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(2);
    expect(await reconcileAudit(o.store, o.audit, { now: clock })).toBe(0);
    expect(o.gate.get(lost)).toMatchObject({ state: "pending", approvals: [] });
    expect(o.gate.get(kept)).toMatchObject({ state: "approved", decidedBy: "U0BOB" });
    await o.audit.close();
    await o.store.close();
    const { records, broken } = trail(o.dir);
    expect(broken).toBeUndefined();
    expect(records.map((r) => [r.kind, r.detail.requestId === kept ? "kept" : "lost"])).toEqual([
      ["approved", "kept"],
      ["applying", "kept"],
      ["approved", "lost"],
      ["applying", "lost"],
      ["voided", "lost"],
      ["voided", "lost"],
    ]);
    expect(records.slice(4).map((r) => r.detail.voids)).toEqual([
      { seq: 3, kind: "approved" },
      { seq: 4, kind: "applying" },
    ]);
  });

  it("leaves records of requests retention deleted, and records younger than the grace of a shared trail", async () => {
    const o = await open();
    await o.audit.append({ kind: "requested", ...about, detail: { requestId: "pruned-long-ago" } });
    const later = () => new Date(NOW.getTime() + 8 * 24 * 3600_000);
    expect(await reconcileAudit(o.store, o.audit, { now: later })).toBe(0);
    await o.audit.append({ kind: "requested", ...about, detail: { requestId: "in-flight-elsewhere" } });
    expect(await reconcileAudit(o.store, o.audit, { now: clock, graceMs: 60_000 })).toBe(0);
    await o.audit.close();
    await o.store.close();
  });
});
