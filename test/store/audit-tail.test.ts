import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GENESIS, recordHash } from "../../src/store/audit-chain.ts";
import { TAIL_RECORDS } from "../../src/store/audit-tail.ts";
import { AUDIT_FILE, firstBreak, openAuditLog } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const clock = () => new Date("2026-11-22T10:00:00Z");

/** A chained log of `n` records written straight to disk, as a long-running Graydesk leaves it. */
function longLog(n: number, job = (seq: number) => `job-${seq}`): string {
  const dir = tempDir("graydesk-audit-tail-");
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const unsigned = { at: clock().toISOString(), seq, kind: "shift.requested", job: job(seq), prev };
    const hash = recordHash(unsigned);
    lines.push(JSON.stringify({ ...unsigned, hash }));
    prev = hash;
  }
  writeFileSync(path.join(dir, AUDIT_FILE), `${lines.join("\n")}\n`);
  return dir;
}

async function readsAt(n: number) {
  const dir = longLog(n);
  let bytes = 0;
  const log = await openAuditLog(dir, { now: clock, onRead: (b) => (bytes += b) });
  const atOpen = bytes;
  await log.append({ kind: "approved", job: "newest" });
  let served = 0;
  let newest: string | undefined;
  for (let i = 0; i < 50; i++) {
    const recent = await log.recent();
    served += recent.length;
    newest = recent[0]?.job;
  }
  await log.close();
  const chain = readFileSync(path.join(dir, AUDIT_FILE), "utf8").trim().split("\n");
  return { atOpen, perOpen: (bytes - atOpen) / 50, recordsPerOpen: served / 50, newest, chain };
}

describe("the audit log's recent records come from memory, whatever the log's length", () => {
  it("reads no bytes per recent() and serves a bounded number of records at 2,000 and 40,000 records", async () => {
    const short = await readsAt(2_000);
    const long = await readsAt(40_000);
    for (const run of [short, long]) {
      expect(run.perOpen).toBe(0);
      expect(run.recordsPerOpen).toBeLessThanOrEqual(TAIL_RECORDS);
      expect(run.newest).toBe("newest");
      // Start-up reads only the log's end, the same at any length.
      expect(run.atOpen).toBeLessThanOrEqual(64 * 1024);
    }
    // Both logs are longer than the end start-up reads: the same bytes at 2,000 and 40,000 records.
    expect(long.atOpen).toBe(short.atOpen);
    // Appending after the tail was seeded keeps the hash chain whole.
    expect(firstBreak(long.chain)).toBeUndefined();
    expect(long.chain).toHaveLength(40_001);
  }, 60_000);

  it("gives the latest records newest first, continuing across a restart", async () => {
    const dir = tempDir("graydesk-audit-tail-");
    const log = await openAuditLog(dir, clock);
    for (const job of ["a", "b", "c"]) await log.append({ kind: "approved", job });
    expect((await log.recent(2)).map((r) => r.job)).toEqual(["c", "b"]);
    await log.close();
    const again = await openAuditLog(dir, clock);
    await again.append({ kind: "approved", job: "d" });
    expect((await again.recent()).map((r) => [r.job, r.seq])).toEqual([
      ["d", 4],
      ["c", 3],
      ["b", 2],
      ["a", 1],
    ]);
    await again.close();
  });
});

describe("a job's history reads the job's own lines through an index", () => {
  async function historyAt(n: number) {
    // Every 400th record is the target job's; the rest belong to others.
    const dir = longLog(n, (seq) => (seq % 400 === 0 ? "target" : `job-${seq}`));
    let bytes = 0;
    const log = await openAuditLog(dir, { now: clock, onRead: (b) => (bytes += b) });
    const first = await log.forJob("", "target");
    await log.append({ kind: "approved", job: "target" });
    const before = bytes;
    const again = await log.forJob("", "target");
    const perHistory = bytes - before;
    await log.close();
    const chain = readFileSync(path.join(dir, AUDIT_FILE), "utf8").trim().split("\n");
    return { first, again, perHistory, chain };
  }

  it("reads the job's records and no others after the first, at 4,000 and 40,000 records", async () => {
    const short = await historyAt(4_000);
    const long = await historyAt(40_000);
    expect(short.first.map((r) => r.seq)).toEqual([400, 800, 1200, 1600, 2000, 2400, 2800, 3200, 3600, 4000]);
    expect(short.again.at(-1)).toMatchObject({ kind: "approved", job: "target", seq: 4_001 });
    expect(long.again).toHaveLength(101);
    // Bytes per history: the job's own lines, about 200 bytes each, not the 40,000 others.
    expect(short.perHistory).toBeLessThan(11 * 300);
    expect(long.perHistory).toBeLessThan(101 * 300);
    expect(firstBreak(long.chain)).toBeUndefined();
  }, 60_000);
});
