import type { FileHandle } from "node:fs/promises";
import type { AuditRecord } from "./audit-log.ts";

const keyOf = (namespace: string | undefined, job: string | undefined) =>
  `${namespace ?? ""}\u0000${job ?? ""}`;

/**
 * Where each job's audit records sit in the log file (byte offset and length), so a job's history reads only its
 * own lines. Built by one pass over the file the first time it is asked, then kept up to date by appends.
 */
export class AuditIndex {
  readonly #lines = new Map<string, [number, number][]>();
  #built = false;

  get built(): boolean {
    return this.#built;
  }

  /** Indexes the whole file's text (its first byte at offset 0): once, before any `add`. */
  build(text: Buffer): void {
    let offset = 0;
    while (offset < text.length) {
      const end = text.indexOf(0x0a, offset);
      if (end < 0) break;
      try {
        const record = JSON.parse(text.subarray(offset, end).toString("utf8")) as AuditRecord;
        this.add(record, offset, end - offset);
      } catch {
        // A line that does not parse is reported by verify; history skips it as readAll does.
      }
      offset = end + 1;
    }
    this.#built = true;
  }

  add(record: Pick<AuditRecord, "job" | "namespace">, offset: number, length: number): void {
    const key = keyOf(record.namespace, record.job);
    const lines = this.#lines.get(key);
    if (lines) lines.push([offset, length]);
    else this.#lines.set(key, [[offset, length]]);
  }

  /** The job's records, oldest first, read line by line from the file. */
  async read(
    handle: FileHandle,
    namespace: string,
    job: string,
    onRead: (bytes: number) => void,
  ): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (const [offset, length] of [...(this.#lines.get(keyOf(namespace, job)) ?? [])]) {
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, offset);
      onRead(length);
      try {
        records.push(JSON.parse(buffer.toString("utf8")) as AuditRecord);
      } catch {
        // As in build: an unreadable line is verify's to report.
      }
    }
    return records;
  }
}
