import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { appendCommit, readCommits, removeCommits } from "./commit-log.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { type Change, createDraft } from "./draft.ts";
import { type Migrated, migrateLegacyState, STATE_FILE, setAside } from "./legacy-state.ts";
import { makeLayout, readMeta, writeMeta, writeRecord } from "./record-files.ts";
import { compact, readRecords } from "./record-packs.ts";
import { SCHEMA_VERSION, type StoreData } from "./schema.ts";
import type { Store } from "./store.ts";
import { StoreError } from "./store.ts";

export { LEGACY_BACKUP, STATE_FILE } from "./legacy-state.ts";

/** Record files are brought up to date this long after the last commit through the log (a burst is over)… */
const CATCH_UP_AFTER_MS = 20;
/** …at once when this many records are behind, */
const CATCH_UP_AT_ONCE = 2_000;
/** …this many files per turn of the event loop. */
const CATCH_UP_FILES = 50;

export interface FileStoreOptions {
  /** Told what opening did (a migration from the single state file, a commit replayed, a compaction). */
  notice?: (message: string, detail: Record<string, unknown>) => void;
  /** Start-up folds record files into the collections' packs once there are more than this. Default 2,000. */
  compactAbove?: number;
}

/**
 * The single-replica store: one small JSON file per record under DATA_DIR/state (see record-files.ts), all read
 * at start-up. An update works on a copy-on-write draft (draft.ts) and writes only the records it changed: one
 * record in one atomic write (temporary file + rename), several in one appended line of the commit log
 * (commit-log.ts), so they are committed together; while the log is ahead of the record files, every update goes
 * there, and the files follow once updates pause. Updates are serialized in-process: a compare-and-set inside `update` sees no interleaving. If the
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
  /** Changes the commit files hold whose records were not written yet (the disk filled since, at start-up). */
  let pending: Change[] | undefined;
  try {
    ({ state, pending } = load(dataDir, notice, options.compactAbove ?? 2_000));
  } catch (error) {
    await lock.release();
    throw error;
  }

  /** Records committed by the commit log (commit-log.ts) whose own files still hold an older value. */
  const behind = new Map<string, Change>();
  const mark = (changes: readonly Change[]) => {
    for (const change of changes) behind.set(`${change.collection}/${change.id}`, change);
  };
  mark(pending ?? []);
  let catching: NodeJS.Timeout | undefined;
  /**
   * Writes the files of up to `limit` records the log is ahead of, each with its value now (the latest
   * committed); once none is behind, the commit files go.
   */
  const catchUp = (limit = Number.POSITIVE_INFINITY) => {
    let written = 0;
    for (const [key, { collection, id }] of behind) {
      if (written++ >= limit) break;
      writeRecord(dataDir, { collection, id, record: state[collection][id] });
      behind.delete(key);
    }
    if (behind.size === 0) removeCommits(dataDir);
  };
  /** Brings the record files up to date a moment after the last commit, a few at a time between other work. */
  const catchUpLater = (afterMs: number) => {
    if (catching) clearTimeout(catching);
    catching = setTimeout(() => {
      catching = undefined;
      try {
        catchUp(CATCH_UP_FILES);
      } catch {
        // The log keeps them: the next commit, flush or close (or start-up) tries again.
        return;
      }
      if (behind.size > 0) catchUpLater(0);
    }, afterMs);
    catching.unref();
  };
  const catchUpNow = () => {
    if (catching) clearTimeout(catching);
    catching = undefined;
    catchUp();
  };
  const commit = (changes: Change[]) => {
    // Alone and idle: the record's own file (temporary file + rename). Otherwise a line of the commit log, so a
    // burst of updates (several approvals at once) costs appends, and the record files follow once it is over.
    if (behind.size === 0 && changes.length === 1) {
      writeRecord(dataDir, changes[0] as Change);
      return;
    }
    appendCommit(dataDir, changes);
    mark(changes);
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
          if (behind.size > 0) catchUpLater(behind.size > CATCH_UP_AT_ONCE ? 0 : CATCH_UP_AFTER_MS);
        }
        return draft.detach(result);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async flush() {
      await queue;
      try {
        catchUpNow();
      } catch {
        // Committed all the same: the commit log holds it until its records can be written.
      }
    },
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      try {
        catchUpNow();
      } catch {
        // The commit log stays: start-up writes its records.
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
  const replay = readCommits(dataDir);
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
      applyCommits(dataDir, replay, state);
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

/** Writes each record the changes name, with its value in `state`, then removes the commit files. */
function applyCommits(dataDir: string, changes: readonly Change[], state: StoreData): void {
  const written = new Set<string>();
  for (const { collection, id } of changes) {
    const key = `${collection}/${id}`;
    if (written.has(key)) continue;
    written.add(key);
    writeRecord(dataDir, { collection, id, record: state[collection][id] });
  }
  removeCommits(dataDir);
}
