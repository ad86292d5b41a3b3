import { appendFileSync, statSync, truncateSync } from "node:fs";
import path from "node:path";
import type { Change } from "./draft.ts";
import {
  COMMIT_FILE,
  changesOf,
  parse,
  readCommit,
  readOrUndefined,
  removeFile,
  STATE_DIR,
} from "./record-files.ts";
import { StoreWriteError } from "./store.ts";

/**
 * The commit log, state/commits.log: updates committed since the record files were last brought up to date, one
 * JSON line `{"writes":[[collection, id, record|null], ...]}` each, appended in commit order. Appending to a file
 * costs a write, where replacing a record file (temporary file renamed over it) makes the file system flush the
 * file's data first: under a burst of updates, each is committed by its line and the record files are brought up
 * to date afterwards, each record once, with its latest value. Start-up replays the lines in order (after a
 * `commit.json` an older release may have left); a last line without its newline (the disk filled mid-append and
 * the cut did not take) was never committed and is left out. Once every record it names is in its file, the log
 * is removed.
 */
export const COMMIT_LOG = "commits.log";

const logPath = (dataDir: string) => path.join(dataDir, STATE_DIR, COMMIT_LOG);

/** Commits `changes` by appending their line; a line written in part is cut off again and the write refused. */
export function appendCommit(dataDir: string, changes: readonly Change[]): void {
  const file = logPath(dataDir);
  const writes = changes.map((c) => [c.collection, c.id, c.record ?? null]);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // No log yet: this line starts it.
  }
  try {
    appendFileSync(file, `${JSON.stringify({ writes })}\n`);
  } catch (cause) {
    try {
      truncateSync(file, size);
    } catch {
      // Left for start-up, which leaves out a last line without its newline.
    }
    throw new StoreWriteError(file, cause as NodeJS.ErrnoException);
  }
}

/** Every change committed but maybe not yet in its record file: commit.json's, then the log's, in order. */
export function readCommits(dataDir: string): Change[] | undefined {
  const changes = [...(readCommit(dataDir) ?? [])];
  const file = logPath(dataDir);
  const text = readOrUndefined(file);
  if (text) {
    const lines = text.split("\n");
    // The part after the last newline: empty, or a line the disk cut short (never committed).
    lines.pop();
    for (const line of lines) changes.push(...changesOf(file, parse(file, line), "a line"));
  }
  return changes.length > 0 ? changes : undefined;
}

/** Removes the commit files once every record they name is in its own file. */
export function removeCommits(dataDir: string): void {
  removeFile(path.join(dataDir, STATE_DIR, COMMIT_FILE));
  removeFile(logPath(dataDir));
}
