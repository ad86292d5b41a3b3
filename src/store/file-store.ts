import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { lockDataDir } from "./data-dir-lock.ts";
import { type Change, createDraft } from "./draft.ts";
import { type Migrated, migrateLegacyState, STATE_FILE, setAside } from "./legacy-state.ts";
import {
  applyCommit,
  makeLayout,
  readCommit,
  readMeta,
  writeCommit,
  writeMeta,
  writeRecord,
} from "./record-files.ts";
import { compact, readRecords } from "./record-packs.ts";
import { SCHEMA_VERSION, type StoreData } from "./schema.ts";
import type { Store } from "./store.ts";
import { StoreError } from "./store.ts";

export { LEGACY_BACKUP, STATE_FILE } from "./legacy-state.ts";

/** How long after a multi-record commit its record files are written, unless another update comes first. */
const FINISH_AFTER_MS = 20;

export interface FileStoreOptions {
  /** Told what opening did (a migration from the single state file, a commit replayed, a compaction). */
  notice?: (message: string, detail: Record<string, unknown>) => void;
  /** Start-up folds record files into the collections' packs once there are more than this. Default 2,000. */
  compactAbove?: number;
}

/**
 * The single-replica store: one small JSON file per record under DATA_DIR/state (see record-files.ts), all read
 * at start-up. An update works on a copy-on-write draft (draft.ts) and writes only the records it changed: one
 * record in one atomic write (temporary file + rename), several in one commit file first, so they are committed
 * together. Updates are serialized in-process: a compare-and-set inside `update` sees no interleaving. If the
 * write fails, nothing changes in memory or on disk.
 */
export async function openFileStore(dataDir: string, options: FileStoreOptions = {}): Promise<Store> {
  const notice = options.notice ?? (() => undefined);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (cause) {
    throw new StoreError(`cannot create DATA_DIR ${dataDir}: ${(cause as Error).message}`, { cause });
  }
  // Before reading: a second process must not even load a state the first is about to rewrite.
  const lock = await lockDataDir(dataDir);
  let state: StoreData;
  /** A commit whose record files are not all written yet (the disk filled after its commit file). */
  let pending: Change[] | undefined;
  try {
    ({ state, pending } = load(dataDir, notice, options.compactAbove ?? 2_000));
  } catch (error) {
    await lock.release();
    throw error;
  }

  let finishing: NodeJS.Timeout | undefined;
  const finishPending = () => {
    if (finishing) clearTimeout(finishing);
    finishing = undefined;
    if (!pending) return;
    applyCommit(dataDir, pending);
    pending = undefined;
  };
  const commit = (changes: Change[]) => {
    finishPending();
    if (changes.length === 1) {
      writeRecord(dataDir, changes[0] as Change);
      return;
    }
    writeCommit(dataDir, changes);
    // Committed from here on. The record files come a moment later, off the path of whatever the caller does
    // next (renaming over a file flushes its data first: each costs a disk round trip), or before the next update,
    // flush or close; start-up writes them from the commit file if the process is gone first.
    pending = changes;
    finishing = setTimeout(() => {
      try {
        finishPending();
      } catch {
        // The commit file stays: the next update, flush or close writes its records (or fails in words).
      }
    }, FINISH_AFTER_MS);
    finishing.unref();
  };

  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    data: () => state,
    update<T>(mutate: (draft: StoreData) => T): Promise<T> {
      if (closed) return Promise.reject(new StoreError("the store is closed"));
      const run = queue.then(() => {
        const draft = createDraft(state);
        const result = mutate(draft.data);
        const changes = draft.changes();
        if (changes.length > 0) {
          commit(changes);
          for (const { collection, id, record } of changes) {
            if (record === undefined) delete state[collection][id];
            else state[collection][id] = record;
          }
        }
        return draft.detach(result);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async flush() {
      await queue;
      try {
        finishPending();
      } catch {
        // Committed all the same: the commit file holds it until its records can be written.
      }
    },
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      try {
        finishPending();
      } catch {
        // The commit file stays: start-up writes its records.
      }
      await lock.release();
    },
  };
}

function load(
  dataDir: string,
  notice: NonNullable<FileStoreOptions["notice"]>,
  compactAbove: number,
): { state: StoreData; pending: Change[] | undefined } {
  let meta = readMeta(dataDir);
  if (!meta) {
    const migrated: Migrated | undefined = migrateLegacyState(dataDir, SCHEMA_VERSION);
    if (migrated) notice("the single state file was moved to one file per record", { ...migrated });
    else {
      makeLayout(dataDir);
      writeMeta(dataDir, SCHEMA_VERSION);
    }
    meta = { schemaVersion: SCHEMA_VERSION };
  } else if (existsSync(path.join(dataDir, STATE_FILE))) {
    // Migrated, but stopped before the old file was set aside.
    setAside(dataDir);
  }
  if (meta.schemaVersion > SCHEMA_VERSION) {
    throw new StoreError(
      `${path.join(dataDir, "state")} has schema version ${meta.schemaVersion}, newer than this Graydesk understands (${SCHEMA_VERSION}); upgrade Graydesk. It was left unchanged.`,
    );
  }
  makeLayout(dataDir);
  const { data: state, loose, misplaced } = readRecords(dataDir, meta.schemaVersion);
  const replay = readCommit(dataDir);
  let pending: Change[] | undefined;
  if (replay) {
    for (const { collection, id, record } of replay) {
      if (record === undefined) delete state[collection][id];
      else state[collection][id] = record;
    }
    notice("an update interrupted after its commit was written: its records are written now", {
      records: replay.length,
    });
    try {
      applyCommit(dataDir, replay);
    } catch {
      pending = replay;
    }
  }
  if (!pending && (loose > compactAbove || misplaced.size > 0)) {
    const removed = compact(dataDir, state, misplaced);
    notice("record files folded into the collections' packs", {
      files: removed,
      ...(misplaced.size > 0 ? { archived: [...misplaced] } : {}),
    });
  }
  return { state, pending };
}
