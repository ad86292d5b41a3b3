import type { AuditRecord } from "./audit-log.ts";

/** How many of the latest records the audit log keeps in memory for Home and other "recent" views. */
export const TAIL_RECORDS = 1_000;

/**
 * The latest audit records, kept in memory as they are appended (and seeded from the log's end at start-up), so
 * showing recent activity costs the same at 1,000 or 1,000,000 records: the log file is not read again.
 */
export class AuditTail {
  readonly #records: AuditRecord[] = [];
  readonly #capacity: number;

  constructor(capacity = TAIL_RECORDS) {
    this.#capacity = capacity;
  }

  push(record: AuditRecord): void {
    this.#records.push(record);
    // Trimmed in batches so an append does not shift the whole array every time.
    if (this.#records.length > this.#capacity * 2)
      this.#records.splice(0, this.#records.length - this.#capacity);
  }

  /** Newest first, at most `limit` (at most the capacity). */
  recent(limit = this.#capacity): AuditRecord[] {
    const n = Math.min(limit, this.#capacity, this.#records.length);
    return this.#records.slice(this.#records.length - n).reverse();
  }
}
