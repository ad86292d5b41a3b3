import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readCommits } from "./commit-log.ts";
import { archivePath, archives, readArchive, writeArchive } from "./record-archive.ts";
import { parse, readMeta, readOrUndefined, removeFile, STATE_DIR, writeAtomic } from "./record-files.ts";
import { COLLECTIONS, type Collection, emptyData, type StoreData, type StoredRecord } from "./schema.ts";
import { StoreError } from "./store.ts";

/**
 * Packs: a collection's records as of the last compaction in one file, `state/<collection>.pack`, one
 * `[id, record]` JSON line each, so start-up reads a few large files instead of one small file per record.
 * Records written since have their own files, which override the pack (`null`: deleted). Compaction writes the
 * pack anew from memory (temporary file + rename) and only then removes the record files it holds: a crash in
 * between leaves record files that say the same as the pack.
 */
export const PACK_SUFFIX = ".pack";

export function packPath(dataDir: string, collection: Collection): string {
  return path.join(dataDir, STATE_DIR, `${collection}${PACK_SUFFIX}`);
}

/**
 * Writes a collection's pack, and its archive first when it has one (records that no longer change: see
 * record-archive.ts). Each file is written atomically; record files still on disk override both until removed.
 */
export function writePack(dataDir: string, collection: Collection, records: Record<string, StoredRecord>) {
  const lines: string[] = [];
  const archived: [string, StoredRecord][] = [];
  for (const id of Object.keys(records)) {
    const record = records[id] as StoredRecord;
    if (archives(collection, id, record)) archived.push([id, record]);
    else lines.push(JSON.stringify([id, record]));
  }
  if (archived.length > 0 || existsSync(archivePath(dataDir, collection)))
    writeArchive(dataDir, collection, archived);
  writeAtomic(packPath(dataDir, collection), lines.join("\n"));
}

export interface ReadState {
  data: StoreData;
  /** Record files read beside the packs: what the next compaction would fold in. */
  loose: number;
  /** Collections whose pack holds records that belong in their archive (written before it existed). */
  misplaced: Set<Collection>;
}

/** Every record of the layout, read synchronously; a file that does not parse stops start-up, untouched. */
export function readRecords(dataDir: string, schemaVersion: number): ReadState {
  const data = emptyData();
  data.schemaVersion = schemaVersion;
  let loose = 0;
  const misplaced = new Set<Collection>();
  for (const c of COLLECTIONS) {
    const records = data[c];
    readArchive(dataDir, c, records);
    if (readPack(dataDir, c, records) > 0) misplaced.add(c);
    for (const name of recordFiles(dataDir, c)) {
      const file = path.join(dataDir, STATE_DIR, c, name);
      // Gone since the listing: deleted by the writer a tool reads beside (start-up holds the lock: never).
      const text = readOrUndefined(file);
      if (text === undefined) continue;
      loose++;
      const parsed = parse(file, text);
      const [id, record] = name.startsWith("#")
        ? [(parsed as { id: string }).id, (parsed as { record: StoredRecord | null }).record]
        : [decodeURIComponent(name.slice(0, -".json".length)), parsed as StoredRecord | null];
      if (record === null) delete records[id];
      else records[id] = record;
    }
  }
  return { data, loose, misplaced };
}

/**
 * Folds every record file into its collection's pack (and `also`'s packs, record files or not: their archived
 * records move to the archive); returns how many files it removed.
 */
export function compact(
  dataDir: string,
  state: Readonly<StoreData>,
  also: ReadonlySet<Collection> = new Set(),
): number {
  let removed = 0;
  for (const c of COLLECTIONS) {
    const names = recordFiles(dataDir, c);
    if (names.length === 0 && !also.has(c)) continue;
    writePack(dataDir, c, state[c]);
    for (const name of names) removeFile(path.join(dataDir, STATE_DIR, c, name));
    removed += names.length;
  }
  return removed;
}

/**
 * The state as the files hold it (packs, record files, an unfinished commit applied), read without taking the
 * lock: for tools and tests looking at a DATA_DIR, never for writing to it.
 */
export function readStateDir(dataDir: string): StoreData {
  const { data } = readRecords(dataDir, readMeta(dataDir)?.schemaVersion ?? 0);
  for (const { collection, id, record } of readCommits(dataDir) ?? []) {
    if (record === undefined) delete data[collection][id];
    else data[collection][id] = record;
  }
  return data;
}

/** Reads a pack into `into`; returns how many of its records belong in the collection's archive. */
function readPack(dataDir: string, c: Collection, into: Record<string, StoredRecord>): number {
  const file = packPath(dataDir, c);
  const text = readOrUndefined(file);
  let misplaced = 0;
  if (!text) return misplaced;
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    const end = text.indexOf("\n", start);
    const json = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length : end + 1;
    let entry: unknown;
    try {
      entry = JSON.parse(json);
    } catch (cause) {
      throw new StoreError(
        `${file} line ${line + 1} is not valid JSON (${(cause as Error).message}). Graydesk will not overwrite it: restore it from a backup or move it aside, then start again.`,
        { cause },
      );
    }
    const [id, record] = entry as [string, StoredRecord];
    into[id] = record;
    if (archives(c, id, record)) misplaced++;
  }
  return misplaced;
}

/** The names of a collection's record files (temporary files start with a dot and are not records). */
function recordFiles(dataDir: string, c: Collection): string[] {
  const dir = path.join(dataDir, STATE_DIR, c);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new StoreError(`cannot read ${dir}: ${(cause as Error).message}`, { cause });
  }
  return names.filter((name) => !name.startsWith(".") && name.endsWith(".json")).sort();
}
