import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFileStore, SCHEMA_VERSION, STATE_FILE, StoreWriteError } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const fresh = () => tempDir("graydesk-store-");

describe("file store", () => {
  it("creates the state file with the current schema version and every collection", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    const onDisk = JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8"));
    expect(onDisk).toEqual({
      schemaVersion: SCHEMA_VERSION,
      jobs: {},
      approvals: {},
      schedules: {},
      channels: {},
      plans: {},
      journal: {},
      steps: {},
      outbox: {},
      gated: {},
      breaches: {},
    });
    await store.close();
  });

  it("persists updates and reads them back after reopening", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    await store.update((d) => {
      d.jobs.j1 = { id: "j1", name: "reviews-canary" };
    });
    await store.close();
    const reopened = await openFileStore(dir);
    expect(reopened.data().jobs.j1).toEqual({ id: "j1", name: "reviews-canary" });
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
  });

  it("leaves memory unchanged when the write fails", async () => {
    const dir = fresh();
    const store = await openFileStore(dir);
    chmodSync(dir, 0o500);
    try {
      const attempt = store.update((d) => {
        d.jobs.j2 = { id: "j2" };
      });
      if (process.getuid?.() === 0) {
        // root ignores directory permissions; the write succeeds
        await attempt;
        expect(store.data().jobs.j2).toEqual({ id: "j2" });
      } else {
        await expect(attempt).rejects.toThrow(StoreWriteError);
        expect(store.data().jobs.j2).toBeUndefined();
      }
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it.each([
    ["not JSON", "{ this is not json", /is not valid JSON.*will not overwrite it/],
    ["not an object", "[1, 2, 3]", /cannot be used: the file does not hold a JSON object/],
    ["from the future", JSON.stringify({ schemaVersion: 99 }), /schema version 99, newer than this Graydesk/],
    ["empty", "", /is not valid JSON/],
  ])("refuses a corrupt file (%s) and leaves it byte-for-byte unchanged", async (_name, content, message) => {
    const dir = fresh();
    const file = path.join(dir, STATE_FILE);
    writeFileSync(file, content);
    await expect(openFileStore(dir)).rejects.toThrow(message);
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("migrates a file written before schema versions and keeps the original beside it", async () => {
    const dir = fresh();
    const file = path.join(dir, STATE_FILE);
    const old = JSON.stringify({ jobs: { j1: { id: "j1" } } });
    writeFileSync(file, old);
    const store = await openFileStore(dir);
    expect(store.data()).toMatchObject({ schemaVersion: 1, jobs: { j1: { id: "j1" } }, approvals: {} });
    expect(JSON.parse(readFileSync(file, "utf8")).schemaVersion).toBe(1);
    expect(readFileSync(`${file}.schema-v0.bak`, "utf8")).toBe(old);
  });

  it("refuses updates after close", async () => {
    const store = await openFileStore(fresh());
    await store.close();
    await expect(store.update(() => 1)).rejects.toThrow(/closed/);
  });
});
