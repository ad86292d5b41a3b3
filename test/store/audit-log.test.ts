import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_FILE, openAuditLog } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const fresh = () => tempDir("graydesk-audit-");
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
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toEqual({
      at: "2026-11-22T10:00:00.000Z",
      seq: 1,
      kind: "shift.requested",
      actor: "U1",
      job: "reviews-canary",
      detail: { to: { v2: 20 } },
      prev: "0".repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(second).toEqual({
      at: "2026-11-22T10:00:00.000Z",
      seq: 2,
      kind: "shift.approved",
      actor: "U2",
      job: "reviews-canary",
      prev: first.hash,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
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

  it("sets a torn last line aside (never merged with the next record) and keeps counting from the last whole one", async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, clock);
    await log.append({ kind: "whole" });
    await log.close();
    const torn = '{"at":"2026-11-22T10:00:00.000Z","seq":2,"ki';
    appendFileSync(path.join(dir, AUDIT_FILE), torn);
    const notices: string[] = [];
    const reopened = await openAuditLog(dir, { now: clock, notice: (m) => notices.push(m) });
    const next = await reopened.append({ kind: "next" });
    const records = await reopened.readAll();
    await reopened.close();
    expect(records.map((r) => [r.kind, r.seq])).toEqual([
      ["whole", 1],
      ["next", 2],
    ]);
    expect(next.prev).toBe(records[0]?.hash);
    expect(notices).toEqual([expect.stringContaining("torn")]);
    const aside = readdirSync(dir).filter((f) => f.startsWith(`${AUDIT_FILE}.torn-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0] as string), "utf8")).toBe(torn);
  });

  it("refuses to add to a log whose latest records were altered", async () => {
    const dir = fresh();
    const log = await openAuditLog(dir, clock);
    await log.append({ kind: "approved", actor: "U0BOB" });
    await log.append({ kind: "applied", actor: "U0BOB" });
    await log.close();
    const file = path.join(dir, AUDIT_FILE);
    writeFileSync(file, readFileSync(file, "utf8").replace('"actor":"U0BOB"', '"actor":"U0MALLORY"'));
    await expect(openAuditLog(dir, clock)).rejects.toThrow(
      /audit log is not intact: .*record seq 1 \(line 1\) was changed after it was written/,
    );
  });

  it("continues a log written before the chain: the first chained record links to the last old one", async () => {
    const dir = fresh();
    const old = { at: "2026-11-01T00:00:00.000Z", seq: 1, kind: "approved" };
    writeFileSync(path.join(dir, AUDIT_FILE), `${JSON.stringify(old)}\n`);
    const log = await openAuditLog(dir, clock);
    const record = await log.append({ kind: "applied" });
    await log.close();
    expect(record.seq).toBe(2);
    expect(record.prev).toMatch(/^[0-9a-f]{64}$/);
  });

  it("says clearly when DATA_DIR cannot hold the log", async () => {
    await expect(openAuditLog("/proc/graydesk-no-such-dir")).rejects.toThrow(/cannot open the audit log/);
  });
});
