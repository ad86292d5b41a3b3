import { type FileHandle, open, readFile } from "node:fs/promises";
import path from "node:path";
import { StoreError } from "./store.ts";

export const AUDIT_FILE = "audit.log";

/** One thing that happened: who did what to which job, and the outcome. */
export interface AuditEvent {
  kind: string;
  actor?: string;
  job?: string;
  namespace?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEvent {
  at: string;
  seq: number;
}

/**
 * The append-only audit log: one JSON line per event in DATA_DIR/audit.log, never rewritten. Appending writes
 * one line through a file handle kept open in append mode, so its cost does not depend on how long the log is.
 */
export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Every record, oldest first; a torn last line (a crash mid-append) is skipped. */
  readAll(): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

export async function openAuditLog(dataDir: string, now: () => Date = () => new Date()): Promise<AuditLog> {
  const file = path.join(dataDir, AUDIT_FILE);
  let handle: FileHandle;
  try {
    handle = await open(file, "a");
  } catch (cause) {
    throw new StoreError(`cannot open the audit log ${file}: ${(cause as Error).message}`, { cause });
  }
  let seq = await lastSeq(file);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    append(event) {
      const run = queue.then(async () => {
        const record: AuditRecord = { at: now().toISOString(), seq: seq + 1, ...event };
        try {
          await handle.write(`${JSON.stringify(record)}\n`);
        } catch (cause) {
          throw new StoreError(`cannot append to the audit log ${file}: ${(cause as Error).message}`, {
            cause,
          });
        }
        seq = record.seq;
        return record;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async readAll() {
      await queue;
      return parseLines(await readFile(file, "utf8"));
    },
    async close() {
      await queue;
      await handle.close();
    },
  };
}

function parseLines(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A torn line can only be the last one written before a crash; the rest stay readable.
    }
  }
  return records;
}

/** Reads only the file's tail to find the last sequence number, so opening a long log stays cheap. */
async function lastSeq(file: string): Promise<number> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const seq = (JSON.parse(lines[i] as string) as AuditRecord).seq;
        if (typeof seq === "number") return seq;
      } catch {
        // skip a torn or partial line
      }
    }
    return 0;
  } finally {
    await handle.close();
  }
}
