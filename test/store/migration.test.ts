import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  LEGACY_BACKUP,
  META_FILE,
  openFileStore,
  readStateDir,
  STATE_DIR,
  STATE_FILE,
} from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

/** graydesk.json as the release before the per-record store wrote it (make-release-state.ts beside it). */
const RELEASE_STATE = new URL("../fixtures/store/release-state.json", import.meta.url).pathname;

function withReleaseFile(): { dir: string; file: string; original: Buffer } {
  const dir = tempDir("graydesk-migrate-");
  const file = path.join(dir, STATE_FILE);
  copyFileSync(RELEASE_STATE, file);
  return { dir, file, original: readFileSync(file) };
}

describe("migration from the single state file", () => {
  it("moves every record of a release's graydesk.json into its own file and keeps the old file", async () => {
    const { dir, file, original } = withReleaseFile();
    const expected = JSON.parse(original.toString("utf8"));
    const notices: string[] = [];
    const store = await openFileStore(dir, { notice: (message) => notices.push(message) });
    expect(store.data()).toEqual(expected);
    expect(notices).toEqual(["the single state file was moved to one file per record"]);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(path.join(dir, LEGACY_BACKUP)).equals(original)).toBe(true);
    await store.close();
    expect(readStateDir(dir)).toEqual(expected);

    // The next start reads the records; the backup is not read again.
    writeFileSync(path.join(dir, LEGACY_BACKUP), "not read");
    const reopened = await openFileStore(dir);
    expect(reopened.data()).toEqual(expected);
    const [jobId] = Object.keys(expected.jobs);
    await reopened.update((d) => {
      (d.jobs[jobId as string] as unknown as { state: string }).state = "offline";
    });
    await reopened.close();
    expect(readStateDir(dir).jobs[jobId as string]?.state).toBe("offline");
  });

  it("does the migration again when a crash stopped it before the layout was complete", async () => {
    const { dir, original } = withReleaseFile();
    const store = await openFileStore(dir);
    await store.close();
    // As if killed before the meta file (the commit point) and the rename: some records, the old file.
    rmSync(path.join(dir, STATE_DIR, META_FILE));
    rmSync(path.join(dir, STATE_DIR, "plans"), { recursive: true });
    copyFileSync(path.join(dir, LEGACY_BACKUP), path.join(dir, STATE_FILE));
    rmSync(path.join(dir, LEGACY_BACKUP));
    const again = await openFileStore(dir);
    expect(again.data()).toEqual(JSON.parse(original.toString("utf8")));
    await again.close();
  });

  it("finishes setting the old file aside when a crash came after the layout was complete", async () => {
    const { dir, original } = withReleaseFile();
    await (await openFileStore(dir)).close();
    copyFileSync(path.join(dir, LEGACY_BACKUP), path.join(dir, STATE_FILE));
    const store = await openFileStore(dir);
    expect(existsSync(path.join(dir, STATE_FILE))).toBe(false);
    expect(store.data()).toEqual(JSON.parse(original.toString("utf8")));
    await store.close();
  });

  it.each([
    ["not JSON", "{ this is not json", /is not valid JSON.*will not overwrite it/],
    ["not an object", "[1, 2, 3]", /cannot be used: the file does not hold a JSON object/],
    ["from the future", JSON.stringify({ schemaVersion: 99 }), /schema version 99, newer than this Graydesk/],
    ["empty", "", /is not valid JSON/],
  ])(
    "refuses a corrupt file (%s), leaves it byte-for-byte unchanged and makes no layout",
    async (_n, content, message) => {
      const dir = tempDir("graydesk-migrate-");
      const file = path.join(dir, STATE_FILE);
      writeFileSync(file, content);
      await expect(openFileStore(dir)).rejects.toThrow(message);
      expect(readFileSync(file, "utf8")).toBe(content);
      expect(existsSync(path.join(dir, STATE_DIR, META_FILE))).toBe(false);
    },
  );

  it("migrates a file written before schema versions and keeps the original beside it", async () => {
    const dir = tempDir("graydesk-migrate-");
    const file = path.join(dir, STATE_FILE);
    const old = JSON.stringify({ jobs: { j1: { id: "j1" } } });
    writeFileSync(file, old);
    const store = await openFileStore(dir);
    expect(store.data()).toMatchObject({ schemaVersion: 1, jobs: { j1: { id: "j1" } }, approvals: {} });
    expect(readFileSync(`${file}.schema-v0.bak`, "utf8")).toBe(old);
    await store.close();
  });
});
