import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import type { AuditRecord } from "./audit-log.ts";
import { readOrUndefined, writeAtomic } from "./record-files.ts";

export const CHECKPOINT_FILE = "audit.checkpoint.json";

/**
 * How far start-up's reconciliation of the audit trail with the store got: every record before `size` bytes was
 * reconciled (each decision written ahead either committed or voided), and `outcomes` lists the outcome records
 * (`kind:requestId`) of the requests the store had closed then. The next start-up reads only the records after
 * it, so its cost follows what happened since, not the log's length. Bound to the log by the last record's seq
 * and hash before `size`: a checkpoint that does not match the log (a log moved aside, restored or cut) is
 * ignored and the whole log is read, as without one.
 */
export interface AuditCheckpoint {
  size: number;
  seq: number;
  hash: string;
  outcomes: string[];
}

const checkpointPath = (dataDir: string) => path.join(dataDir, CHECKPOINT_FILE);

/** The checkpoint, when there is one and it matches the log (`size`: the log's length now). */
export async function readCheckpoint(
  dataDir: string,
  handle: FileHandle,
  size: number,
): Promise<AuditCheckpoint | undefined> {
  let checkpoint: AuditCheckpoint;
  try {
    const text = readOrUndefined(checkpointPath(dataDir));
    if (text === undefined) return undefined;
    checkpoint = JSON.parse(text) as AuditCheckpoint;
  } catch {
    // Unreadable: worth nothing but the whole log's read, which is what happens without it.
    return undefined;
  }
  const { size: at, seq, hash, outcomes } = checkpoint;
  if (!Number.isInteger(at) || at < 0 || at > size || !Array.isArray(outcomes)) return undefined;
  if (at === 0) return seq === 0 ? checkpoint : undefined;
  const last = await lastLineBefore(handle, at);
  return last?.seq === seq && last.hash === hash ? checkpoint : undefined;
}

export function writeCheckpoint(dataDir: string, checkpoint: AuditCheckpoint): void {
  writeAtomic(checkpointPath(dataDir), JSON.stringify(checkpoint));
}

/** The record whose line ends just before byte `end` (a line end), or undefined when there is none. */
async function lastLineBefore(handle: FileHandle, end: number): Promise<AuditRecord | undefined> {
  const start = Math.max(0, end - 64 * 1024);
  const buffer = Buffer.alloc(end - start);
  await handle.read(buffer, 0, buffer.length, start);
  if (buffer.at(-1) !== 0x0a) return undefined;
  const from = buffer.lastIndexOf(0x0a, buffer.length - 2) + 1;
  if (from === 0 && start > 0) return undefined;
  try {
    return JSON.parse(buffer.toString("utf8", from, buffer.length - 1)) as AuditRecord;
  } catch {
    return undefined;
  }
}
