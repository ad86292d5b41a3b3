import { constants } from "node:fs";
import { type FileHandle, open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describeBreak, firstBreak, GENESIS, recordHash } from "./audit-chain.ts";
import { readCheckpoint, writeCheckpoint } from "./audit-checkpoint.ts";
import { AuditIndex } from "./audit-index.ts";
import { AuditTail } from "./audit-tail.ts";
import { AuditWriteError, StoreError } from "./store.ts";

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
  /** The previous record's hash (a chain: see audit-chain.ts). */
  prev?: string;
  hash?: string;
}

/**
 * The audit trail: one JSON line per event in DATA_DIR/audit.log, never rewritten, each chained to the one before
 * by hash so an edited, removed or cut record is found (`npm run audit:verify`). Appending writes one line
 * through a file handle kept open in append mode whose writes are on disk when they complete (O_DSYNC), so a
 * decision recorded after `append` resolves is on disk first; its cost does not depend on how long the log is. Appends asked for
 * while a write is under way (several people deciding at once, or a decision and its apply) are written
 * together, in the order asked, with one flush.
 */
export interface AuditLog {
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Every record, oldest first; a torn last line (a crash mid-append) is skipped. */
  readAll(): Promise<AuditRecord[]>;
  /**
   * The latest records, newest first, at most `limit` (and at most the in-memory tail's capacity): read from
   * memory, so its cost does not grow with the log. For Home, digests and anything showing recent activity.
   */
  recent(limit?: number): Promise<AuditRecord[]>;
  /** One job's records, oldest first (`/release history`): through an index, not a read of the whole log. */
  forJob(namespace: string, job: string): Promise<AuditRecord[]>;
  /**
   * The records after start-up's last reconciliation and the outcome records it found (audit-checkpoint.ts);
   * undefined when there is no checkpoint matching the log (read everything then). A trail shared by replicas
   * has none.
   */
  sinceCheckpoint?(): Promise<{ records: AuditRecord[]; outcomes: string[] } | undefined>;
  /** Marks every record so far as reconciled, `outcomes` the outcome records of the requests closed now. */
  checkpoint?(outcomes: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  now?: () => Date;
  /** Told what opening found and did (a torn last line set aside). */
  notice?: (message: string, detail: Record<string, unknown>) => void;
  /** Told how many bytes of the log file each read took (start-up's tail, readAll): what benches count. */
  onRead?: (bytes: number) => void;
}

/** Read and append; every write reaches the disk before it completes. */
const APPEND_DURABLY = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

/** How much of the log's end start-up reads to verify the latest links and continue the chain. */
const TAIL_BYTES = 64 * 1024;

export async function openAuditLog(
  dataDir: string,
  options: AuditLogOptions | (() => Date) = {},
): Promise<AuditLog> {
  const {
    now = () => new Date(),
    notice = () => undefined,
    onRead = () => undefined,
  } = typeof options === "function" ? { now: options } : options;
  const file = path.join(dataDir, AUDIT_FILE);
  let handle: FileHandle;
  try {
    // Appending, and each write on disk before it completes (O_DSYNC: as a write followed by fdatasync, in one
    // call, so an append costs one trip to the thread pool, not two).
    handle = await open(file, APPEND_DURABLY);
  } catch (cause) {
    throw new StoreError(`cannot open the audit log ${file}: ${(cause as Error).message}`, { cause });
  }
  let tail: Tail;
  try {
    tail = await readTail(handle, file, notice, onRead);
  } catch (error) {
    await handle.close();
    throw error;
  }
  let { seq, prev, size } = tail;
  const latest = new AuditTail();
  for (const record of tail.records) latest.push(record);
  const index = new AuditIndex();
  let queue: Promise<unknown> = Promise.resolve();
  /** Appends asked for while a write is on its way: written together by the next one, with one flush. */
  let waiting: Waiting[] = [];
  const writeWaiting = async () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    const records: AuditRecord[] = [];
    const lines: Buffer[] = [];
    let last = { seq, prev };
    for (const { event } of batch) {
      const unsigned = { at: now().toISOString(), seq: last.seq + 1, ...event, prev: last.prev };
      const record: AuditRecord = { ...unsigned, hash: recordHash(unsigned) };
      records.push(record);
      lines.push(Buffer.from(`${JSON.stringify(record)}\n`));
      last = { seq: record.seq, prev: record.hash as string };
    }
    try {
      await handle.write(lines.length === 1 ? (lines[0] as Buffer) : Buffer.concat(lines));
    } catch (cause) {
      // A line written in part (the disk filled mid-write) is cut off again, so the next record starts clean.
      await handle.truncate(size).catch(() => undefined);
      const error = new AuditWriteError(file, cause as NodeJS.ErrnoException);
      for (const w of batch) w.reject(error);
      return;
    }
    for (const [i, record] of records.entries()) {
      const line = lines[i] as Buffer;
      seq = record.seq;
      prev = record.hash as string;
      if (index.built) index.add(record, size, line.length - 1);
      size += line.length;
      latest.push(record);
      batch[i]?.resolve(record);
    }
  };
  return {
    append(event) {
      return new Promise<AuditRecord>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        // The first append of a batch queues the write; those made before it starts join it.
        if (waiting.length === 1) queue = queue.then(writeWaiting);
      });
    },
    async readAll() {
      await queue;
      const text = await readFile(file, "utf8");
      onRead(Buffer.byteLength(text));
      return parseLines(text);
    },
    forJob(namespace, job) {
      // In the append queue: the one pass that builds the index sees every line before the next append.
      const run = queue.then(async () => {
        if (!index.built) {
          const text = await readFile(file);
          onRead(text.length);
          index.build(text.subarray(0, size));
        }
        return index.read(handle, namespace, job, onRead);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async recent(limit) {
      await queue;
      return latest.recent(limit);
    },
    async sinceCheckpoint() {
      await queue;
      const checkpoint = await readCheckpoint(dataDir, handle, size);
      if (!checkpoint) return undefined;
      const buffer = Buffer.alloc(size - checkpoint.size);
      await handle.read(buffer, 0, buffer.length, checkpoint.size);
      onRead(buffer.length);
      return { records: parseLines(buffer.toString("utf8")), outcomes: checkpoint.outcomes };
    },
    checkpoint(outcomes) {
      const run = queue.then(() => {
        try {
          writeCheckpoint(dataDir, { size, seq, hash: prev, outcomes });
        } catch (error) {
          // Only a shortcut for the next start-up (a full disk, say): without it the whole log is read.
          notice("could not save the audit checkpoint; the next start-up reads the whole log", {
            reason: (error as Error).message,
          });
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      await queue;
      await handle.close();
    },
  };
}

interface Waiting {
  event: AuditEvent;
  resolve: (record: AuditRecord) => void;
  reject: (error: Error) => void;
}

function parseLines(text: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A line that does not parse is reported by verify; the rest stay readable.
    }
  }
  return records;
}

interface Tail {
  seq: number;
  prev: string;
  size: number;
  /** The whole, chained records the tail held, oldest first: the in-memory tail starts from them. */
  records: AuditRecord[];
}

/**
 * Reads the log's end: a torn last line (no newline: a crash or a full disk mid-append) is copied aside to
 * `audit.log.torn-<time>` and cut off, so it can never run into the next record; the whole lines before it must
 * chain, or Graydesk refuses to add to a log someone altered.
 */
async function readTail(
  handle: FileHandle,
  file: string,
  notice: NonNullable<AuditLogOptions["notice"]>,
  onRead: NonNullable<AuditLogOptions["onRead"]>,
): Promise<Tail> {
  let { size } = await handle.stat();
  const start = Math.max(0, size - TAIL_BYTES);
  const buffer = Buffer.alloc(size - start);
  await handle.read(buffer, 0, buffer.length, start);
  onRead(buffer.length);
  const end = buffer.lastIndexOf(0x0a) + 1;
  if (end < buffer.length) {
    const aside = `${file}.torn-${Date.now()}`;
    if (end === 0 && start > 0) throw new StoreError(`${file} ends in a line over ${TAIL_BYTES} bytes long`);
    await writeFile(aside, buffer.subarray(end));
    await handle.truncate(start + end);
    notice("the audit log's last line was torn (a crash mid-append): set aside, not merged with the next", {
      file: aside,
      bytes: buffer.length - end,
    });
    size = start + end;
  }
  const lines = buffer.subarray(0, end).toString("utf8").split("\n").filter(Boolean);
  // Reading from the middle of the file, the first line may be a part of one: chain from the next.
  const whole = start > 0 ? lines.slice(1) : lines;
  const problem = firstBreak(whole);
  if (problem) {
    throw new StoreError(
      `the audit log is not intact: ${describeBreak(file, problem)}. Graydesk will not add to it: run ` +
        "npm run audit:verify for the whole file, keep the file as evidence and move it aside to start a new one.",
    );
  }
  const records = whole.map((line) => JSON.parse(line) as AuditRecord);
  const record = records.at(-1);
  if (record === undefined) return { seq: 0, prev: GENESIS, size, records };
  return { seq: record.seq, prev: record.hash ?? recordHash(record as never), size, records };
}
