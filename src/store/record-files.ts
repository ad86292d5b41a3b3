import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, unlinkSync } from "node:fs";
import path from "node:path";
import { TextFileSync } from "lowdb/node";
import type { Change } from "./draft.ts";
import { COLLECTIONS, type Collection, type StoredRecord } from "./schema.ts";
import { StoreError, StoreWriteError } from "./store.ts";

/**
 * The state's layout in DATA_DIR: one small JSON document per record, so a write costs the size of what
 * changed, never of the whole state.
 *
 *   state/meta.json                 {"schemaVersion":1}: written last when the layout is made, so its presence
 *                                   says every record is in place
 *   state/<collection>/<id>.json    one record, compact JSON, written to a temporary file and renamed over
 *                                   the old one (lowdb's TextFileSync), so it is the old or the new, never half
 *   state/<collection>.pack         the collection as of the last compaction, one `[id, record]` per line;
 *                                   a record's own file (`null`: deleted) overrides it
 *   state/jobs.archive              finished jobs as of the last compaction, read lazily (record-archive.ts);
 *                                   the pack and record files override it
 *   state/commits.log               updates committed since the record files were last brought up to date, one
 *                                   line each (commit-log.ts), replayed at start-up; removed once they are
 *   state/commit.json               the same for one update, as releases before the log wrote it: replayed first
 */
export const STATE_DIR = "state";
export const META_FILE = "meta.json";
export const COMMIT_FILE = "commit.json";

/** A file name for a record id: the id itself when it is safe, escaped otherwise, hashed when too long. */
export function recordFileName(id: string): string {
  const escaped = encodeURIComponent(id).replace(/[.!~*'()]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`);
  if (escaped.length <= 200) return `${escaped}.json`;
  return `#${createHash("sha256").update(id).digest("hex")}.json`;
}

export function recordPath(dataDir: string, collection: Collection, id: string): string {
  return path.join(dataDir, STATE_DIR, collection, recordFileName(id));
}

/** Writes `text` to `file` atomically (temporary file + rename); a failure names the file and the reason. */
export function writeAtomic(file: string, text: string): void {
  try {
    new TextFileSync(file).write(text);
  } catch (cause) {
    throw new StoreWriteError(file, cause as NodeJS.ErrnoException);
  }
}

/**
 * Writes one record's file; a deleted record's file holds `null` (a tombstone: the record may also be in its
 * collection's pack, see record-packs.ts) until the next compaction removes both.
 */
export function writeRecord(dataDir: string, change: Change): void {
  const file = recordPath(dataDir, change.collection, change.id);
  // A hashed name cannot be read back as the id: the file then carries the id beside the record.
  const hashed = path.basename(file).startsWith("#");
  const record = change.record ?? null;
  writeAtomic(file, JSON.stringify(hashed ? { id: change.id, record } : record));
}

/** Makes the directories of the layout (no meta file: the caller writes it once the records are in place). */
export function makeLayout(dataDir: string): void {
  for (const c of COLLECTIONS) mkdirSync(path.join(dataDir, STATE_DIR, c), { recursive: true });
}

export function writeMeta(dataDir: string, schemaVersion: number): void {
  writeAtomic(path.join(dataDir, STATE_DIR, META_FILE), `${JSON.stringify({ schemaVersion })}\n`);
}

/** The layout's schema version, or undefined when there is no complete layout yet. */
export function readMeta(dataDir: string): { schemaVersion: number } | undefined {
  const file = path.join(dataDir, STATE_DIR, META_FILE);
  const text = readOrUndefined(file);
  if (text === undefined) return undefined;
  const meta = parse(file, text) as { schemaVersion?: unknown };
  if (typeof meta?.schemaVersion !== "number")
    throw new StoreError(`${file} cannot be used: it names no schemaVersion. It was left unchanged.`);
  return { schemaVersion: meta.schemaVersion };
}

export function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT")
      throw new StoreWriteError(file, cause as NodeJS.ErrnoException);
  }
}

/** The changes of a commit file left by a crash (or a disk that filled after it was written), if any. */
export function readCommit(dataDir: string): Change[] | undefined {
  const file = path.join(dataDir, STATE_DIR, COMMIT_FILE);
  const text = readOrUndefined(file);
  if (text === undefined) return undefined;
  return changesOf(file, parse(file, text), "it");
}

/** The writes of one commit (the commit file, or one line of the commit log), checked before any is used. */
export function changesOf(file: string, entry: unknown, holder: "it" | "a line"): Change[] {
  const writes = (entry as { writes?: unknown } | null)?.writes;
  if (!Array.isArray(writes))
    throw new StoreError(`${file} cannot be used: ${holder} holds no writes. It was left unchanged.`);
  return writes.map((write) => {
    const [collection, id, record] = write as [Collection, string, StoredRecord | null];
    if (!COLLECTIONS.includes(collection) || typeof id !== "string")
      throw new StoreError(
        `${file} cannot be used: a write names no known collection and id. It was left unchanged.`,
      );
    return { collection, id, record: record ?? undefined };
  });
}

export function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoreError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

export function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StoreError(
      `${file} is not valid JSON (${(cause as Error).message}). Graydesk will not overwrite it: restore it from a backup or move it aside, then start again.`,
      { cause },
    );
  }
}
