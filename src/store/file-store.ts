import { copyFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { lockDataDir } from "./data-dir-lock.ts";
import { emptyData, migrate, type StoreData } from "./schema.ts";
import type { Store } from "./store.ts";
import { StoreError, StoreWriteError } from "./store.ts";

export const STATE_FILE = "graydesk.json";

/**
 * The single-replica store: one lowdb JSON file in DATA_DIR. lowdb's file adapter writes a temporary file and
 * renames it over the old one, so a crash mid-write leaves either the old or the new document, never half of one.
 * Updates are serialized in-process: a compare-and-set inside `update` sees no interleaving.
 */
export async function openFileStore(dataDir: string): Promise<Store> {
  const file = path.join(dataDir, STATE_FILE);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (cause) {
    throw new StoreError(`cannot create DATA_DIR ${dataDir}: ${(cause as Error).message}`, { cause });
  }
  // Before reading: a second process must not even load a state the first is about to rewrite.
  const lock = await lockDataDir(dataDir);
  let db: Low<StoreData>;
  try {
    const { data, foundVersion } = await readState(file);
    db = new Low<StoreData>(new JSONFile<StoreData>(file), data);
    if (foundVersion !== data.schemaVersion) {
      // Keep the pre-migration file beside the new one: a migration is the one write that could lose meaning.
      if (foundVersion !== undefined) await copyFile(file, `${file}.schema-v${foundVersion}.bak`);
      await persist(db, file);
    }
  } catch (error) {
    await lock.release();
    throw error;
  }

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const store: Store = {
    data: () => db.data,
    update<T>(mutate: (draft: StoreData) => T): Promise<T> {
      if (closed) return Promise.reject(new StoreError("the store is closed"));
      const run = queue.then(async () => {
        // Work on a copy: if the write fails, memory still matches the file.
        const draft = structuredClone(db.data);
        const result = mutate(draft);
        const previous = db.data;
        db.data = draft;
        try {
          await persist(db, file);
        } catch (error) {
          db.data = previous;
          throw error;
        }
        return result;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async flush() {
      await queue;
    },
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      await lock.release();
    },
  };
  return store;
}

async function readState(file: string): Promise<{ data: StoreData; foundVersion: number | undefined }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT")
      return { data: emptyData(), foundVersion: undefined };
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

async function persist(db: Low<StoreData>, file: string) {
  try {
    await db.write();
  } catch (cause) {
    throw new StoreWriteError(file, cause as NodeJS.ErrnoException);
  }
}
