import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { makeLayout, STATE_DIR, writeMeta } from "./record-files.ts";
import { writePack } from "./record-packs.ts";
import { COLLECTIONS, migrate, type StoreData } from "./schema.ts";
import { StoreError } from "./store.ts";

/** The single state file earlier releases kept in DATA_DIR; migrated to one file per record at start-up. */
export const STATE_FILE = "graydesk.json";
/** Where the single state file is kept once migrated (never read again; evidence and a way back). */
export const LEGACY_BACKUP = `${STATE_FILE}.bak`;

export interface Migrated {
  records: number;
  backup: string;
}

/**
 * Moves an earlier release's `graydesk.json` into the per-record layout: every collection is written as its pack,
 * then the
 * layout's meta file (its commit point), then the old file is renamed to `graydesk.json.bak`. A crash before the
 * meta file leaves the old file in place and start-up does it again from the start; a crash after it only
 * leaves the rename to do. A corrupt or too new file is refused and left byte-for-byte unchanged.
 */
export function migrateLegacyState(dataDir: string, schemaVersion: number): Migrated | undefined {
  const file = path.join(dataDir, STATE_FILE);
  const state = readLegacyState(file);
  if (!state) return undefined;
  const { data, foundVersion } = state;
  // Keep the pre-migration file beside the new one: a schema migration is the one write that could lose meaning.
  if (foundVersion !== data.schemaVersion) copyFileSync(file, `${file}.schema-v${foundVersion}.bak`);
  // Records of an earlier attempt that did not reach its meta file: the old file is still the truth.
  rmSync(path.join(dataDir, STATE_DIR), { recursive: true, force: true });
  makeLayout(dataDir);
  let records = 0;
  for (const collection of COLLECTIONS) {
    writePack(dataDir, collection, data[collection] ?? {});
    records += Object.keys(data[collection] ?? {}).length;
  }
  writeMeta(dataDir, schemaVersion);
  return { records, backup: setAside(dataDir) };
}

/** Renames a migrated `graydesk.json` out of the way (a crash may have left it after the meta file). */
export function setAside(dataDir: string): string {
  const file = path.join(dataDir, STATE_FILE);
  let backup = path.join(dataDir, LEGACY_BACKUP);
  if (existsSync(backup)) backup = path.join(dataDir, `${STATE_FILE}.${Date.now()}.bak`);
  renameSync(file, backup);
  return backup;
}

export function readLegacyState(file: string): { data: StoreData; foundVersion: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoreError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new StoreError(
      `${file} is not valid JSON (${(cause as Error).message}). Graydesk will not overwrite it: restore it from a backup or move it aside, then start again.`,
      { cause },
    );
  }
  try {
    const foundVersion = (parsed as { schemaVersion?: unknown }).schemaVersion;
    return { data: migrate(parsed), foundVersion: typeof foundVersion === "number" ? foundVersion : 0 };
  } catch (cause) {
    throw new StoreError(`${file} cannot be used: ${(cause as Error).message}. It was left unchanged.`, {
      cause,
    });
  }
}
