import { readFileSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  archivePath,
  isUnread,
  openFileStore,
  packPath,
  readStateDir,
  type StoredRecord,
  StoreError,
  unreadChangedAt,
} from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const fresh = () => tempDir("graydesk-archive-");

/** A finished job as the desk keeps it: nested values, a history, fields the summary leaves out. */
const finished = (i: number): StoredRecord => ({
  id: `done-${i}`,
  name: `svc-${i}`,
  namespace: "shop",
  service: { name: "cart", ports: [{ name: "http", port: 8080 }] },
  state: i % 2 === 0 ? "offline" : "abandoned",
  traffic: { kind: "serve", version: "v1" },
  history: [{ at: "2026-01-01T00:00:00.000Z", actor: "U1", kind: "created" }],
  createdAt: `2026-01-0${(i % 9) + 1}T00:00:00.000Z`,
  createdBy: "U1",
});
const live: StoredRecord = { id: "live", name: "cart", namespace: "shop", state: "active", history: [] };

/** A store holding `count` finished jobs and a live one, as read from its pack and archive. */
async function seeded(dir: string, count = 3) {
  const store = await openFileStore(dir, { compactAbove: 0 });
  await store.update((d) => {
    for (let i = 0; i < count; i++) d.jobs[`done-${i}`] = finished(i);
    d.jobs.live = live;
  });
  await store.close();
  // This start folds the record files into the pack and the archive; the next reads them from there.
  await (await openFileStore(dir, { compactAbove: 0 })).close();
  return openFileStore(dir, { compactAbove: 0 });
}

describe("archive of finished jobs", () => {
  it("keeps finished jobs apart from the pack and reads each one whole only when more than its summary is read", async () => {
    const dir = fresh();
    const store = await seeded(dir);
    expect(readFileSync(archivePath(dir, "jobs"), "utf8").split("\n")).toHaveLength(3);
    expect(readFileSync(packPath(dir, "jobs"), "utf8")).toBe(JSON.stringify(["live", live]));
    const job = store.data().jobs["done-1"] as StoredRecord;
    expect(isUnread(job)).toBe(true);
    // What lists, look-ups and recovery filter on is there without reading the rest.
    expect([job.id, job.name, job.namespace, job.state, job.createdAt, job.createdBy]).toEqual([
      "done-1",
      "svc-1",
      "shop",
      "abandoned",
      "2026-01-02T00:00:00.000Z",
      "U1",
    ]);
    expect(isUnread(job)).toBe(true);
    // When it last changed (its latest event, or its creation), for digests, without reading it either.
    expect(unreadChangedAt(job)).toBe("2026-01-02T00:00:00.000Z");
    expect(isUnread(job)).toBe(true);
    expect(job.service).toEqual({ name: "cart", ports: [{ name: "http", port: 8080 }] });
    expect(isUnread(job)).toBe(false);
    expect(isUnread(store.data().jobs.live)).toBe(false);
    await store.close();
  });

  it("gives the whole record to spreads, structuredClone, JSON and key listings before it is read", async () => {
    const dir = fresh();
    const store = await seeded(dir);
    const jobs = store.data().jobs;
    expect(structuredClone(jobs["done-0"])).toEqual(finished(0));
    expect(JSON.parse(JSON.stringify(jobs["done-1"]))).toEqual(finished(1));
    expect({ ...jobs["done-2"] }).toEqual(finished(2));
    expect(Object.keys(jobs["done-0"] as object).sort()).toEqual(Object.keys(finished(0)).sort());
    expect(readStateDir(dir).jobs).toEqual({
      "done-0": finished(0),
      "done-1": finished(1),
      "done-2": finished(2),
      live,
    });
    await store.close();
  });

  it("writes a change to an archived job as its own record file, whole, and keeps it after compaction", async () => {
    const dir = fresh();
    let store = await seeded(dir);
    await store.update((d) => {
      (d.jobs["done-1"] as unknown as { history: unknown[] }).history.push({
        at: "2026-02-01T00:00:00.000Z",
        kind: "note",
      });
    });
    const changed = {
      ...finished(1),
      history: [...(finished(1).history as unknown[]), { at: "2026-02-01T00:00:00.000Z", kind: "note" }],
    };
    expect(store.data().jobs["done-1"]).toEqual(changed);
    await store.close();
    store = await openFileStore(dir, { compactAbove: 0 });
    expect(store.data().jobs["done-1"]).toEqual(changed);
    expect(store.data().jobs["done-2"]).toEqual(finished(2));
    await store.close();
    expect(readStateDir(dir).jobs["done-1"]).toEqual(changed);
  });

  it("moves finished jobs from a pack written before the archive into it at start-up", async () => {
    const dir = fresh();
    await (await openFileStore(dir)).close();
    const records = [finished(0), finished(1), live];
    writeFileSync(packPath(dir, "jobs"), records.map((r) => JSON.stringify([r.id, r])).join("\n"));
    const store = await openFileStore(dir);
    expect(store.data().jobs).toEqual({ "done-0": finished(0), "done-1": finished(1), live });
    expect(readFileSync(packPath(dir, "jobs"), "utf8")).toBe(JSON.stringify(["live", live]));
    expect(readFileSync(archivePath(dir, "jobs"), "utf8").split("\n")).toHaveLength(2);
    await store.close();
    expect(readStateDir(dir).jobs).toEqual({ "done-0": finished(0), "done-1": finished(1), live });
  });

  it("leaves the archive file as it is when a compaction folds only live records", async () => {
    const dir = fresh();
    let store = await seeded(dir);
    const file = archivePath(dir, "jobs");
    const before = statSync(file);
    await store.update((d) => {
      d.jobs.live = { ...live, state: "paused" };
    });
    await store.close();
    store = await openFileStore(dir, { compactAbove: 0 });
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(readFileSync(packPath(dir, "jobs"), "utf8")).toBe(
      JSON.stringify(["live", { ...live, state: "paused" }]),
    );
    expect(store.data().jobs["done-2"]).toEqual(finished(2));
    await store.close();
  });

  it("reads an unread job from the file, and refuses one the file no longer holds where it was", async () => {
    const dir = fresh();
    const store = await seeded(dir);
    const file = archivePath(dir, "jobs");
    const [first, second, third] = readFileSync(file, "utf8").split("\n");
    // Another writer put the same-sized lines of done-0 and done-2 in each other's place.
    writeFileSync(file, [third, second, first].join("\n"));
    expect(() => (store.data().jobs["done-0"] as StoredRecord).history).toThrow(
      "no longer holds this record",
    );
    expect((store.data().jobs["done-1"] as StoredRecord).history).toEqual(finished(1).history);
    await store.close();
  });

  it("refuses to start on an archive line it cannot read, naming the file and line, and leaves the file as it was", async () => {
    const dir = fresh();
    await (await seeded(dir)).close();
    const file = archivePath(dir, "jobs");
    const lines = readFileSync(file, "utf8").split("\n");
    const spoilt = [lines[0], `${lines[1]?.slice(0, 40)}`, lines[2]].join("\n");
    writeFileSync(file, spoilt);
    const opening = openFileStore(dir);
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(`${file} line 2 is not valid`);
    expect(readFileSync(file, "utf8")).toBe(spoilt);
  });

  it("names the file when a record's body is unreadable, and never writes over it", async () => {
    const dir = fresh();
    await (await seeded(dir)).close();
    const file = archivePath(dir, "jobs");
    const text = readFileSync(file, "utf8");
    const spoilt = text.replace('"service":{', '"service":{{');
    writeFileSync(file, spoilt);
    const store = await openFileStore(dir, { compactAbove: 0 });
    expect(() => (store.data().jobs["done-0"] as StoredRecord).service).toThrow(
      `${file} line 1 is not valid`,
    );
    // A compaction that must rewrite the archive (a job finished since) would copy it: it refuses instead.
    await store.update((d) => {
      d.jobs["done-9"] = finished(9);
    });
    await store.close();
    await expect(openFileStore(dir, { compactAbove: 0 })).rejects.toThrow(`${file} line 1 is not valid`);
    expect(readFileSync(file, "utf8")).toBe(spoilt);
  });
});
