import { closeSync, openSync, readSync, statSync } from "node:fs";

/** One audit record as the soak reads it. */
export interface FollowedRecord {
  kind: string;
  seq: number;
  detail?: { requestId?: string; recovered?: boolean; voids?: { seq: number; kind: string } };
}

/**
 * Follows an audit log file as a process appends to it, reading only the bytes added since the last look (the
 * soak waits on it hundreds of times: re-reading the whole file each time would grow with the log). A shorter
 * file (start-up cut a torn last line) is read again from the start.
 */
export class AuditFollower {
  readonly #file: string;
  #offset = 0;
  #partial = "";
  #kinds = new Map<string, Set<string>>();

  constructor(file: string) {
    this.#file = file;
  }

  /** Reads what was appended; returns the records it found. */
  poll(): FollowedRecord[] {
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return [];
    }
    if (size < this.#offset) {
      this.#offset = 0;
      this.#partial = "";
      this.#kinds = new Map();
    }
    if (size === this.#offset) return [];
    const buffer = Buffer.alloc(size - this.#offset);
    const fd = openSync(this.#file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, this.#offset);
    } finally {
      closeSync(fd);
    }
    this.#offset = size;
    const lines = (this.#partial + buffer.toString("utf8")).split("\n");
    this.#partial = lines.pop() ?? "";
    const records: FollowedRecord[] = [];
    for (const line of lines) {
      if (!line) continue;
      const record = JSON.parse(line) as FollowedRecord;
      records.push(record);
      const id = record.detail?.requestId;
      if (id === undefined) continue;
      const kinds = this.#kinds.get(id) ?? new Set<string>();
      kinds.add(record.kind);
      this.#kinds.set(id, kinds);
    }
    return records;
  }

  /** Whether the trail holds a record of one of `kinds` for the request (after a poll). */
  has(requestId: string, kinds: readonly string[]): boolean {
    const seen = this.#kinds.get(requestId);
    return seen !== undefined && kinds.some((kind) => seen.has(kind));
  }
}

/** A seeded random number in [0, 1), so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
