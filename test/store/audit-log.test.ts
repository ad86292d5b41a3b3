import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_FILE, openAuditLog } from "../../src/store/index.ts";

const fresh = () => mkdtempSync(path.join(tmpdir(), "graydesk-audit-"));
const clock = () => new Date("2026-11-22T10:00:00Z");

describe("audit log", () => {
  it("appends one JSON line per event with a time and an increasing sequence", async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, clock);
    await log.append({
      kind: "shift.requested",
      actor: "U1",
      job: "reviews-canary",
      detail: { to: { v2: 20 } },
    });
    await log.append({ kind: "shift.approved", actor: "U2", job: "reviews-canary" });
    await log.close();
    const lines = readFileSync(path.join(dir, AUDIT_FILE), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        at: "2026-11-22T10:00:00.000Z",
        seq: 1,
        kind: "shift.requested",
        actor: "U1",
        job: "reviews-canary",
        detail: { to: { v2: 20 } },
      },
      { at: "2026-11-22T10:00:00.000Z", seq: 2, kind: "shift.approved", actor: "U2", job: "reviews-canary" },
    ]);
  });

  it("never rewrites earlier lines and continues the sequence after reopening", async () => {
    const dir = fresh();
    const first = await openAuditLog(dir, clock);
    await first.append({ kind: "a" });
    await first.close();
    const before = readFileSync(path.join(dir, AUDIT_FILE), "utf8");
    const second = await openAuditLog(dir, clock);
    const record = await second.append({ kind: "b" });
    await second.close();
    expect(record.seq).toBe(2);
    expect(readFileSync(path.join(dir, AUDIT_FILE), "utf8").startsWith(before)).toBe(true);
  });

  it("keeps order under concurrent appends", async () => {
    const log = await openAuditLog(fresh(), clock);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ kind: `e${i}` })));
    const records = await log.readAll();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await log.close();
  });

  it("skips a torn last line left by a crash and keeps counting from the last whole record", async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, clock);
    await log.append({ kind: "whole" });
    await log.close();
    appendFileSync(path.join(dir, AUDIT_FILE), '{"at":"2026-11-22T10:00:00.000Z","seq":2,"ki');
    const reopened = await openAuditLog(dir, clock);
    const records = await reopened.readAll();
    expect(records.map((r) => r.kind)).toEqual(["whole"]);
    await reopened.close();
  });

  it("says clearly when DATA_DIR cannot hold the log", async () => {
    await expect(openAuditLog("/proc/graydesk-no-such-dir")).rejects.toThrow(/cannot open the audit log/);
  });
});
