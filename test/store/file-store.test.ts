import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  COMMIT_FILE,
  COMMIT_LOG,
  META_FILE,
  openFileStore,
  packPath,
  readStateDir,
  recordPath,
  SCHEMA_VERSION,
  STATE_DIR,
  StoreWriteError,
} from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const fresh = () => tempDir("graydesk-store-");

/** Polls `done` until it holds (the record files follow a commit through the log on a timer). */
async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("file store", () => {
  it("makes the per-record layout with the current schema version, one directory per collection", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    expect(JSON.parse(readFileSync(path.join(dir, STATE_DIR, META_FILE), "utf8"))).toEqual({
      schemaVersion: SCHEMA_VERSION,
    });
    expect(readdirSync(path.join(dir, STATE_DIR)).sort()).toEqual(
      [
        "approvals",
        "breaches",
        "channels",
        "gated",
        "jobs",
        "journal",
        META_FILE,
        "outbox",
        "plans",
        "schedules",
        "steps",
      ].sort(),
    );
    expect(store.data()).toMatchObject({ schemaVersion: SCHEMA_VERSION, jobs: {}, approvals: {} });
    await store.close();
  });

  it("persists updates, one compact file per record, and reads them back after reopening", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.jobs.j1 = { id: "j1", name: "reviews-canary" };
    });
    expect(readFileSync(recordPath(dir, "jobs", "j1"), "utf8")).toBe('{"id":"j1","name":"reviews-canary"}');
    await store.close();
    const reopened = await openFileStore(dir);
    expect(reopened.data().jobs.j1).toEqual({ id: "j1", name: "reviews-canary" });
    await reopened.close();
  });

  it("writes only the records an update changed", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      for (let i = 0; i < 50; i++) d.jobs[`j${i}`] = { id: `j${i}`, state: "active", history: [] };
    });
    await store.flush();
    const before = readFileSync(recordPath(dir, "jobs", "j7"), "utf8");
    // A rewritten file is a new file (temporary file renamed over the old one): a new inode.
    const inode = (id: string) => statSync(recordPath(dir, "jobs", id)).ino;
    const untouched = Object.fromEntries(["j0", "j8", "j49"].map((id) => [id, inode(id)]));
    const touched = inode("j7");
    await store.update((d) => {
      const job = d.jobs.j7 as unknown as { history: unknown[] };
      job.history.push({ kind: "shifted" });
      // Read every record: reading copies and writes nothing.
      expect(Object.values(d.jobs).filter((j) => j.state === "active")).toHaveLength(50);
    });
    expect(readFileSync(recordPath(dir, "jobs", "j7"), "utf8")).not.toBe(before);
    expect(JSON.parse(readFileSync(recordPath(dir, "jobs", "j7"), "utf8")).history).toEqual([
      { kind: "shifted" },
    ]);
    expect(store.data().jobs.j8).toEqual({ id: "j8", state: "active", history: [] });
    expect(inode("j7")).not.toBe(touched);
    for (const [id, before] of Object.entries(untouched)) expect(inode(id)).toBe(before);
    await store.close();
  });

  it("commits a change to several records in one write that start-up replays after a crash", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.approvals.a1 = { id: "a1", state: "pending" };
      d.plans.p1 = { id: "p1", status: "proposed" };
    });
    // Committed by the commit file; its record files follow off the caller's path, at the latest by flush.
    expect(readStateDir(dir).plans.p1).toEqual({ id: "p1", status: "proposed" });
    await store.flush();
    expect(existsSync(path.join(dir, STATE_DIR, COMMIT_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(recordPath(dir, "approvals", "a1"), "utf8"))).toEqual({
      id: "a1",
      state: "pending",
    });
    await store.close();
    // What a kill between the commit file and the record files leaves: the commit file, the old records.
    writeFileSync(
      path.join(dir, STATE_DIR, COMMIT_FILE),
      JSON.stringify({
        writes: [
          ["approvals", "a1", { id: "a1", state: "approved" }],
          ["plans", "p1", { id: "p1", status: "applying" }],
          ["journal", "p1", { id: "p1", state: "running" }],
        ],
      }),
    );
    expect(readStateDir(dir).plans.p1).toEqual({ id: "p1", status: "applying" });
    const reopened = await openFileStore(dir);
    expect(reopened.data().approvals.a1).toEqual({ id: "a1", state: "approved" });
    expect(reopened.data().plans.p1).toEqual({ id: "p1", status: "applying" });
    expect(reopened.data().journal.p1).toEqual({ id: "p1", state: "running" });
    expect(existsSync(path.join(dir, STATE_DIR, COMMIT_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(recordPath(dir, "plans", "p1"), "utf8"))).toEqual({
      id: "p1",
      status: "applying",
    });
    await reopened.close();
  });

  it("commits a burst through the commit log, brings the record files up after it, and replays the log after a crash", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    const log = path.join(dir, STATE_DIR, COMMIT_LOG);
    await store.update((d) => {
      d.approvals.a1 = { id: "a1", state: "pending" };
      d.plans.p1 = { id: "p1", status: "proposed" };
    });
    // While the log is ahead of the record files, single-record updates go to it too, in order.
    await store.update((d) => {
      d.approvals.a1 = { id: "a1", state: "approved" };
    });
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(2);
    expect(existsSync(recordPath(dir, "approvals", "a1"))).toBe(false);
    expect(readStateDir(dir).approvals.a1).toEqual({ id: "a1", state: "approved" });
    // Once updates pause, each record's file gets its latest value and the log goes.
    await until(() => !existsSync(log));
    expect(JSON.parse(readFileSync(recordPath(dir, "approvals", "a1"), "utf8"))).toEqual({
      id: "a1",
      state: "approved",
    });
    await store.close();
    // What a kill leaves: the log's lines (the last one cut short by a full disk), the record files behind it.
    writeFileSync(
      log,
      `${JSON.stringify({
        writes: [
          ["plans", "p1", { id: "p1", status: "applying" }],
          ["journal", "p1", { id: "p1" }],
        ],
      })}\n` +
        `${JSON.stringify({
          writes: [
            ["plans", "p1", { id: "p1", status: "applied" }],
            ["journal", "p1", null],
          ],
        })}\n` +
        '{"writes":[["plans","p1",{"id":"p1","status":"fai',
    );
    expect(readStateDir(dir).plans.p1).toEqual({ id: "p1", status: "applied" });
    const reopened = await openFileStore(dir);
    expect(reopened.data().plans.p1).toEqual({ id: "p1", status: "applied" });
    expect(reopened.data().journal.p1).toBeUndefined();
    expect(existsSync(log)).toBe(false);
    expect(JSON.parse(readFileSync(recordPath(dir, "plans", "p1"), "utf8"))).toEqual({
      id: "p1",
      status: "applied",
    });
    expect(readFileSync(recordPath(dir, "journal", "p1"), "utf8")).toBe("null");
    await reopened.close();
  });

  it("marks a deleted record in its file until start-up folds the files into the collections' packs", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.outbox.m1 = { id: "m1" };
      d.outbox.m2 = { id: "m2" };
    });
    await store.update((d) => {
      delete d.outbox.m1;
    });
    await store.flush();
    expect(readFileSync(recordPath(dir, "outbox", "m1"), "utf8")).toBe("null");
    expect(store.data().outbox).toEqual({ m2: { id: "m2" } });
    await store.close();
    const notices: unknown[] = [];
    const compacted = await openFileStore(dir, { compactAbove: 0, notice: (m, d) => notices.push([m, d]) });
    expect(compacted.data().outbox).toEqual({ m2: { id: "m2" } });
    expect(notices).toEqual([["record files folded into the collections' packs", { files: 2 }]]);
    expect(existsSync(recordPath(dir, "outbox", "m1"))).toBe(false);
    expect(existsSync(recordPath(dir, "outbox", "m2"))).toBe(false);
    expect(readFileSync(packPath(dir, "outbox"), "utf8")).toBe('["m2",{"id":"m2"}]');
    // Written after the pack: the record's own file wins over it, until the next compaction.
    await compacted.update((d) => {
      (d.outbox.m2 as { sent?: boolean }).sent = true;
    });
    await compacted.close();
    const reopened = await openFileStore(dir);
    expect(reopened.data().outbox).toEqual({ m2: { id: "m2", sent: true } });
    await reopened.close();
  });

  it("keeps ids that are not file names: slashes, dots, very long ones", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    const ids = ["flagger/bookinfo/reviews", "..", ".hidden", "steps:j1:abc", "ü ☃", "x".repeat(400)];
    await store.update((d) => {
      for (const id of ids) d.gated[id] = { id };
    });
    await store.close();
    const reopened = await openFileStore(dir);
    expect(Object.keys(reopened.data().gated).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(reopened.data().gated[id]).toEqual({ id });
    await reopened.close();
  });

  it("serializes updates so a read-then-write inside one update is a compare-and-set", async () => {
    const store = await openFileStore(fresh());
    await store.update((d) => {
      d.approvals.a1 = { id: "a1", state: "pending" };
    });
    const decide = (by: string) =>
      store.update((d) => {
        const request = d.approvals.a1;
        if (request?.state !== "pending") return false;
        request.state = "approved";
        request.by = by;
        return true;
      });
    const outcomes = await Promise.all([decide("U1"), decide("U2"), decide("U3")]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(store.data().approvals.a1?.by).toBe("U1");
    await store.close();
  });

  it("leaves memory and files unchanged when the write fails", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.jobs.j1 = { id: "j1", state: "active" };
    });
    const jobs = path.join(dir, STATE_DIR, "jobs");
    chmodSync(jobs, 0o500);
    try {
      const attempt = store.update((d) => {
        d.jobs.j2 = { id: "j2" };
        (d.jobs.j1 as unknown as { state: string }).state = "offline";
      });
      if (process.getuid?.() === 0) {
        // root ignores directory permissions; the write succeeds
        await attempt;
        expect(store.data().jobs.j2).toEqual({ id: "j2" });
      } else {
        await expect(attempt).rejects.toThrow(StoreWriteError);
        expect(store.data().jobs.j2).toBeUndefined();
        expect(store.data().jobs.j1).toEqual({ id: "j1", state: "active" });
      }
    } finally {
      chmodSync(jobs, 0o700);
    }
    await store.close();
  });

  it("refuses a record file that is not JSON and leaves it byte-for-byte unchanged", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.jobs.j1 = { id: "j1" };
    });
    await store.close();
    const file = recordPath(dir, "jobs", "j1");
    writeFileSync(file, '{"id":"j1"');
    await expect(openFileStore(dir)).rejects.toThrow(/j1\.json is not valid JSON.*will not overwrite it/);
    expect(readFileSync(file, "utf8")).toBe('{"id":"j1"');
  });

  it("refuses a layout from a newer Graydesk and leaves it unchanged", async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, STATE_DIR));
    writeFileSync(path.join(dir, STATE_DIR, META_FILE), JSON.stringify({ schemaVersion: 99 }));
    await expect(openFileStore(dir)).rejects.toThrow(/schema version 99, newer than this Graydesk/);
    expect(readFileSync(path.join(dir, STATE_DIR, META_FILE), "utf8")).toBe('{"schemaVersion":99}');
  });

  it("refuses updates after close", async () => {
    const store = await openFileStore(fresh());
    await store.close();
    await expect(store.update(() => 1)).rejects.toThrow(/closed/);
  });
});
