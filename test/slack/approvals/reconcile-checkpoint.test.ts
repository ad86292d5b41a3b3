// Start-up reconciles the audit trail with the store from where the last start-up's pass got to (a checkpoint
// beside the log), so its cost follows what happened since, not the log's length; a checkpoint that does not
// match the log is ignored and the whole log read, with the same outcome.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reconcileAudit } from "../../../src/slack/approvals/index.ts";
import { AUDIT_FILE, openAuditLog, openFileStore } from "../../../src/store/index.ts";
import { tempDir } from "../../harness/temp-dir.ts";

const NOW = new Date("2026-12-06T10:00:00Z");
const clock = () => NOW;

/** A request the store closed as applied, decided by Bob. */
const applied = (id: string) => ({
  id,
  jobId: "job-1",
  jobName: "reviews-canary",
  namespace: "bookinfo",
  state: "applied",
  requestedBy: "U0ALICE",
  requestedAt: "2026-12-06T09:00:00.000Z",
  decidedBy: "U0BOB",
  decidedAt: "2026-12-06T09:01:00.000Z",
  approvals: [{ user: "U0BOB", at: "2026-12-06T09:01:00.000Z" }],
});

/** Opens the DATA_DIR, reconciles as start-up does, closes; the bytes of the log it read and what it added. */
async function startUp(dir: string) {
  let read = 0;
  const store = await openFileStore(dir);
  const audit = await openAuditLog(dir, { now: clock, onRead: (bytes) => (read += bytes) });
  const opened = read;
  const added = await reconcileAudit(store, audit, { now: clock });
  const reconciling = read - opened;
  const outcomes = (await audit.readAll())
    .filter((r) => r.kind === "applied")
    .map((r) => r.detail?.requestId);
  await audit.close();
  await store.close();
  return { read: reconciling, added, outcomes };
}

/** A long history before: `count` records of other jobs' changes. */
async function history(dir: string, count: number) {
  const audit = await openAuditLog(dir, clock);
  for (let i = 0; i < count; i++)
    await audit.append({ kind: "job.changed", job: `old-${i}`, namespace: "bookinfo", detail: { n: i } });
  await audit.close();
}

async function closeRequest(dir: string, id: string, recorded: boolean) {
  const store = await openFileStore(dir);
  await store.update((d) => {
    d.approvals[id] = applied(id);
  });
  await store.close();
  if (!recorded) return;
  const audit = await openAuditLog(dir, clock);
  await audit.append({ kind: "applied", actor: "U0BOB", detail: { requestId: id } });
  await audit.close();
}

describe("audit reconciliation from the last checkpoint", () => {
  it("reads only the records since the last start-up and still adds each missing outcome once", async () => {
    const dir = tempDir("graydesk-checkpoint-");
    await history(dir, 200);
    await closeRequest(dir, "r1", true);
    const first = await startUp(dir);
    const logBytes = statSync(path.join(dir, AUDIT_FILE)).size;
    expect(first.read).toBe(logBytes);
    expect(first.added).toBe(0);
    // Since then: r2 closed with its outcome record, r3 closed by a process killed before its record.
    await closeRequest(dir, "r2", true);
    await closeRequest(dir, "r3", false);
    const second = await startUp(dir);
    expect(second.added).toBe(1);
    expect(second.read).toBeLessThan(1_000);
    expect(second.outcomes).toEqual(["r1", "r2", "r3"]);
    // Nothing new: nothing read, nothing added; r1..r3 are known recorded from the checkpoint.
    const third = await startUp(dir);
    expect(third).toMatchObject({ added: 0, read: 0, outcomes: ["r1", "r2", "r3"] });
  });

  it("reads the whole log when the checkpoint does not match it (a log moved aside and replaced)", async () => {
    const dir = tempDir("graydesk-checkpoint-moved-");
    await history(dir, 20);
    await closeRequest(dir, "r1", true);
    await startUp(dir);
    // Another trail in its place, of the same length or longer: r1's outcome is not in it.
    const log = path.join(dir, AUDIT_FILE);
    const size = statSync(log).size;
    writeFileSync(log, "");
    await history(dir, 30);
    expect(statSync(log).size).toBeGreaterThanOrEqual(size);
    const replaced = statSync(log).size;
    const after = await startUp(dir);
    expect(after.read).toBe(replaced);
    expect(after.added).toBe(1);
    expect(after.outcomes).toEqual(["r1"]);
  });

  it("keeps no checkpoint past a record dated after its clock's now (left for a later pass)", async () => {
    const dir = tempDir("graydesk-checkpoint-future-");
    const ahead = await openAuditLog(dir, () => new Date(NOW.getTime() + 3_600_000));
    await ahead.append({ kind: "job.changed", job: "x", namespace: "bookinfo" });
    await ahead.close();
    const first = await startUp(dir);
    const second = await startUp(dir);
    expect(first.read).toBeGreaterThan(0);
    expect(second.read).toBe(first.read);
  });
});
